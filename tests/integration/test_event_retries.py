"""Event handlers through real RabbitMQ and the document server: a failure is given again after a
wait; an event no handler can take is parked with its error, listed, and handled once retried."""

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook

from contracts.errors import InvalidInput
from services.runtime import parking
from services.runtime.access import Caller
from services.runtime.events import event_handler, wait_before
from tests.integration.helpers import wait_for

HANDLED, FAILURES = [], {"left": 0}


class Ledger(parking.ParkedEventEntrypoints):
    name = "ledger"
    caller = Caller()

    @event_handler("shop", "order_placed")
    def on_order_placed(self, payload):
        if FAILURES["left"]:
            FAILURES["left"] -= 1
            raise RuntimeError(f"ledger locked ({payload['order']})")
        HANDLED.append(payload["order"])


@pytest.fixture
def ledger(container_factory, config):
    HANDLED.clear()
    config["BATON"]["events"] = {"max_attempts": 3, "first_wait_seconds": 0.01, "factor": 2, "longest_wait_seconds": 1}
    container = container_factory(Ledger, config)
    container.start()
    return container


def place(config, order):
    event_dispatcher(config)("shop", "order_placed", {"order": order})


def call(container, method, *args):
    with entrypoint_hook(container, method) as hook:
        return hook(*args)


def test_waits_grow_from_the_first_to_the_longest():
    settings = {"first_wait_seconds": 0.05, "factor": 2, "longest_wait_seconds": 0.3}
    assert [wait_before(settings, attempt) for attempt in (2, 3, 4, 5, 6)] == [0.05, 0.1, 0.2, 0.3, 0.3]


def test_a_handler_that_fails_for_a_moment_handles_the_event_once(ledger, config):
    FAILURES["left"] = 2  # fails twice, succeeds on the third and last attempt
    place(config, "o-1")
    wait_for(lambda: HANDLED == ["o-1"], what="the third attempt")
    assert call(ledger, "parked_events")["total"] == 0


def test_an_event_no_attempt_can_take_is_parked_then_handled_when_retried(ledger, config, db):
    FAILURES["left"] = 3
    place(config, "o-2")
    page = wait_for(
        lambda: call(ledger, "parked_events")["items"] and call(ledger, "parked_events"), what="the event parked"
    )
    parked = page["items"][0]
    assert (parked["service"], parked["handler"], parked["source"], parked["event_type"], parked["attempts"]) == (
        "ledger",
        "on_order_placed",
        "shop",
        "order_placed",
        3,
    )
    assert parked["payload"] == {"order": "o-2"} and parked["error"] == "RuntimeError: ledger locked (o-2)"
    place(config, "o-3")  # the queue went on
    wait_for(lambda: HANDLED == ["o-3"], what="the next event")
    assert call(ledger, "retry_parked_events", {"ids": [parked["id"]]}) == {"retried": [parked["id"]]}
    wait_for(lambda: HANDLED == ["o-3", "o-2"], what="the retried event")
    assert call(ledger, "parked_events")["total"] == 0 and db.of("ledger").parked_events.count_documents({}) == 0


def test_bad_requests_for_parked_events_name_the_field(ledger):
    with pytest.raises(InvalidInput) as refused:
        call(ledger, "retry_parked_events", {"ids": ["nope"]})
    assert "ids" in str(refused.value.details)
