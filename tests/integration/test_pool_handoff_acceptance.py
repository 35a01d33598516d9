"""pool follows accepted handoffs: the owner and collaborators change only once every receiver has
signed, once, through real events on the document server."""

from datetime import UTC, datetime

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.events import dump_event
from services.pool.service import PoolService
from tests.integration.helpers import recorder_of, start_downstream_of, started

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def pool(container_factory, config):
    start_downstream_of(container_factory, config, "pool")
    pool = started(container_factory, PoolService, config)
    with entrypoint_waiter(pool, "on_customer_created"):
        event_dispatcher(config)(
            "profile",
            "customer_created",
            dump_event(
                "customer_created",
                {
                    "customer_id": "c1",
                    "inquiry_id": "inq_c1",
                    "occurred_at": AT,
                    "company": None,
                    "country": None,
                    "intent_grade": None,
                },
            ),
        )
    return pool


def accepted(pool, config, complete=True, new_owner="bob", collaborators=("mia",), customer_id="c1"):
    with entrypoint_waiter(pool, "on_handoff_accepted"):
        event_dispatcher(config)(
            "handoff",
            "handoff_accepted",
            dump_event(
                "handoff_accepted",
                {
                    "handoff_id": "hof_1",
                    "kind": "marketing_to_sales",
                    "customer_id": customer_id,
                    "by": "bob",
                    "at": AT,
                    "complete": complete,
                    "from_user": "mia",
                    "new_owner_id": new_owner if complete else None,
                    "collaborators": list(collaborators) if complete else [],
                    "attempt": 1,
                },
            ),
        )


def owner(pool, customer_id="c1"):
    with entrypoint_hook(pool, "get_owner") as get_owner:
        return get_owner(customer_id)


def test_the_owner_changes_once_every_receiver_has_signed(container_factory, config, pool):
    assert owner(pool)["owner_id"] == "alice"
    accepted(pool, config, complete=False)
    assert owner(pool)["owner_id"] == "alice"
    allocated = started(container_factory, recorder_of("pool", "customer_allocated"), config)
    with entrypoint_waiter(allocated, "record") as event:
        accepted(pool, config)
    assert (event.get()["owner_id"], event.get()["reason"]) == ("bob", "handed over (marketing_to_sales hof_1)")
    after = owner(pool)
    assert (after["owner_id"], after["collaborators"], after["by"]) == ("bob", ["mia"], "bob")


def test_a_redelivered_acceptance_changes_nothing(config, pool, db):
    accepted(pool, config)
    version = db.holdings.find_one({"_id": "c1"})["version"]
    accepted(pool, config)
    assert db.holdings.find_one({"_id": "c1"})["version"] == version


def test_a_handoff_keeping_the_owner_adds_collaborators_only(config, pool):
    accepted(pool, config, new_owner=None, collaborators=("sam", "alice"))
    after = owner(pool)
    assert (after["owner_id"], after["collaborators"]) == ("alice", ["sam"])


def test_a_rejected_or_unknown_customer_is_left_as_it_is(config, pool):
    with entrypoint_hook(pool, "reject") as reject:
        reject("c1", {"by": "alice", "reason": "price too high"})
    accepted(pool, config)  # handled (acknowledged), not retried forever
    assert (owner(pool)["state"], owner(pool)["owner_id"]) == ("rejected", None)
    accepted(pool, config, customer_id="c-unknown")
