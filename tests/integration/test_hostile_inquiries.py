"""Hostile bytes on intake's queue, through real RabbitMQ and the document server: every message
ends stored with its outcome (or parked after bounded retries) within seconds, and the queue
drains; nothing is redelivered without bound, whatever its bytes."""

import base64
import json
import time

import eventlet
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kombu import Connection
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.topology import INTAKE_QUEUE
from services.intake.entrypoints import consume_raw
from services.intake.receiving import inquiry_id_for
from services.intake.service import IntakeService, intake_queue
from services.runtime import parking
from services.runtime.access import Caller
from tests.integration.helpers import canonical_inquiry, publish_inquiry, started, wait_for

ROUTING_KEYS = (
    "inquiry",
    "channel.website_form",
    "channel.google_ads",
    "channel.email",
    "channel.chat_bridge",
    "channel.fax",
)
SETTLED_WITHIN_SECONDS = 5


def ready_messages(amqp_uri: str) -> int:
    """Messages waiting on intake's queue, from the broker itself (a passive declare)."""
    with Connection(amqp_uri) as connection:
        return connection.default_channel.queue_declare(INTAKE_QUEUE, passive=True).message_count


def settle(config, db, body: bytes, routing_key: str, message_id: str) -> dict:
    """Publish one body and return its stored record once intake has settled it."""
    publish_inquiry(config["AMQP_URI"], body, routing_key=routing_key, message_id=message_id)
    return wait_for(
        lambda: db.inquiries.find_one({"_id": inquiry_id_for(message_id)}),
        timeout=SETTLED_WITHIN_SECONDS,
        what=f"{message_id} settled",
    )


@pytest.fixture
def intake(container_factory, config):
    return started(container_factory, IntakeService, config)


def deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


HOSTILE = {
    "products-not-text": (
        json.dumps(canonical_inquiry(products=[123])).encode(),
        "inquiry",
        {"products": {"0": ["Not a valid string."]}},
    ),
    "deep-json": (deep(5000), "inquiry", {"_body": ["The JSON is nested more than 32 levels deep, its limit."]}),
    "deep-array": (
        b"[" * 100_000 + b"]" * 100_000,
        "inquiry",
        {"_body": ["The JSON is nested more than 32 levels deep, its limit."]},
    ),
    "5000-digits": (
        json.dumps(canonical_inquiry())[:-1].encode() + b', "n": ' + b"7" * 5000 + b"}",
        "inquiry",
        {"n": ["The number 777777777777…777777 is written with 5000 characters; the limit is 40."]},
    ),
    "lone-surrogate": (
        json.dumps(canonical_inquiry(company="\ud800 GmbH")).encode(),
        "inquiry",
        {"company": ["The text holds a lone surrogate (\\ud800) at character 0, which is not text."]},
    ),
    "invalid-utf8": (
        b'{"company": "M\xfcller"}',
        "inquiry",
        {"_body": ["The body is not UTF-8 text: invalid start byte at byte 14."]},
    ),
    "deep-on-a-channel": (
        b'{"lead_id": "L1", "x": ' + deep(200) + b"}",
        "channel.google_ads",
        {"_body": ["The JSON is nested more than 32 levels deep, its limit."]},
    ),
    "not-json": (b"\x00\x01<xml/>", "inquiry", None),
    "huge": (
        b'{"message": "' + b"x" * 1_100_000 + b'"}',
        "inquiry",
        {"_body": ["The body is 1100015 bytes; the limit is 1048576."]},
    ),
    "int64-overflow": (
        json.dumps(canonical_inquiry(custom_fields={"qty": 2**63})).encode(),
        "inquiry",
        {
            "custom_fields.qty": [
                "The integer is outside the 64-bit range (-9223372036854775808 to 9223372036854775807)."
            ]
        },
    ),
    "nul-in-a-key": (
        json.dumps(canonical_inquiry(custom_fields={"a\0b": "x"})).encode(),
        "inquiry",
        {"custom_fields": ["The key 'a\\u0000b' holds a NUL character."]},
    ),
    "unknown-field-with-odd-name": (
        json.dumps(canonical_inquiry(**{"$where": 1, "a.b": 2})).encode(),
        "inquiry",
        {"$where": ["Unknown field."], "a.b": ["Unknown field."]},
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_each_hostile_body_is_kept_as_rejected_with_its_errors_and_the_queue_goes_on(intake, config, db, name):
    body, routing_key, errors = HOSTILE[name]
    record = settle(config, db, body, routing_key, f"hostile-{name}")
    assert record["status"] == "rejected" and record["routing_key"] == routing_key
    if errors is None:
        assert record["errors"]["_body"][0].startswith("The body is not valid JSON")
    else:
        assert record["errors"] == errors
    assert record["raw_body_complete"] == (len(body) <= 1_048_576)
    kept = base64.b64decode(record["raw_body_base64"]) if record["raw_body_base64"] else record["raw_body"].encode()
    assert kept == body[:1_048_576]
    good = settle(config, db, json.dumps(canonical_inquiry()).encode(), "inquiry", f"after-{name}")
    assert good["status"] == "accepted"
    wait_for(lambda: ready_messages(config["AMQP_URI"]) == 0, what="the queue drained")
    assert db.of("intake").parked_events.count_documents({}) == 0


# Text with every code point, lone surrogates too (json.dumps writes them as \ud800 escapes).
json_leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(exclude_categories=()))
hostile_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def hostile_body(value, raw: bytes, depth: int, digits: int) -> bytes:
    """A body mixing an inquiry-shaped object, arbitrary JSON, raw bytes, deep nesting and long numbers."""
    inquiry = canonical_inquiry(products=value if isinstance(value, list) else [value], extra=value)
    text = json.dumps(inquiry, allow_nan=True)  # NaN and Infinity too: not JSON, must be refused
    if digits:
        text = text[:-1] + f', "n": {"9" * digits}}}'
    return b"[" * depth + text.encode("utf-8", "surrogatepass") + raw + b"]" * depth


@settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    value=hostile_values,
    raw=st.binary(max_size=8),
    depth=st.sampled_from([0, 0, 1, 40, 3000]),
    digits=st.sampled_from([0, 0, 19, 400, 5000]),
    routing_key=st.sampled_from(ROUTING_KEYS),
)
def test_fuzzed_bodies_on_every_routing_key_are_each_settled_and_the_queue_drains(
    intake, config, db, value, raw, depth, digits, routing_key
):
    body = hostile_body(value, raw, depth, digits)
    message_id = f"fuzz-{time.monotonic_ns()}"
    record = settle(config, db, body, routing_key, message_id)
    assert record["status"] in ("accepted", "rejected")
    assert record["status"] == "accepted" or record["errors"]
    wait_for(lambda: ready_messages(config["AMQP_URI"]) == 0, what="the queue drained")
    assert db.of("intake").parked_events.count_documents({}) == 0


ATTEMPTS = {}


class FailingReceiver(parking.ParkedEventEntrypoints):
    """A consumer on intake's queue through the same entrypoint, whose store is 'down' for the
    messages named in ``ATTEMPTS`` (a count of failures left; -1: always)."""

    name = "intake"
    caller = Caller()

    @consume_raw(intake_queue)
    def receive_published(self, delivery):
        key = delivery["message_id"]
        ATTEMPTS.setdefault(key, []).append(delivery["routing_key"])
        if key.startswith("down") and (key == "down-for-good" or len(ATTEMPTS[key]) < 3):
            raise ConnectionError("the document store is not there")


@pytest.fixture
def failing(container_factory, config):
    ATTEMPTS.clear()
    config["BATON"]["events"] = {"max_attempts": 4, "first_wait_seconds": 0.01, "factor": 2, "longest_wait_seconds": 1}
    return started(container_factory, FailingReceiver, config)


def test_an_unexpected_failure_is_retried_a_bounded_number_of_times_with_its_routing_key(failing, config):
    with entrypoint_waiter(failing, "receive_published", callback=lambda *_: len(ATTEMPTS.get("down-1", [])) == 3):
        publish_inquiry(config["AMQP_URI"], b"{}", routing_key="channel.google_ads", message_id="down-1")
    assert ATTEMPTS["down-1"] == ["channel.google_ads"] * 3  # recovered on the third attempt
    wait_for(lambda: ready_messages(config["AMQP_URI"]) == 0, what="the queue drained")


def test_a_message_that_fails_every_time_is_parked_with_its_error_and_handed_back_as_sent(failing, config, db):
    sent = b'{"x": "\xff"}'
    publish_inquiry(config["AMQP_URI"], sent, routing_key="channel.website_form", message_id="down-for-good")
    publish_inquiry(config["AMQP_URI"], b"{}", message_id="fine-after")
    wait_for(lambda: db.of("intake").parked_events.count_documents({}) == 1, what="the message parked")
    time.sleep(0.5)
    assert ATTEMPTS["down-for-good"] == ["channel.website_form"] * 4 and ATTEMPTS["fine-after"] == ["inquiry"]
    with entrypoint_hook(
        failing,
        "parked_events",
        context_data={"actor": {"user_id": "root", "role": "admin", "department": None, "team": None}},
    ) as parked_events:
        [parked] = parked_events()["items"]
    assert (parked["service"], parked["source"], parked["event_type"], parked["attempts"]) == (
        "intake",
        "baton.inquiries",
        "channel.website_form",
        4,
    )
    assert parked["error"] == "ConnectionError: the document store is not there"
    assert ready_messages(config["AMQP_URI"]) == 0
    ATTEMPTS["down-for-good"].clear()
    with entrypoint_hook(
        failing,
        "retry_parked_events",
        context_data={"actor": {"user_id": "root", "role": "admin", "department": None, "team": None}},
    ) as retry:
        assert retry({"ids": [parked["id"]]}) == {"retried": [parked["id"]]}
    wait_for(lambda: len(ATTEMPTS["down-for-good"]) == 4, what="the retried message parked again")
    assert base64.b64decode(db.of("intake").parked_events.find_one()["body_base64"]) == sent  # as sent


class DyingReceiver(FailingReceiver):
    """Its worker never answers for messages whose id starts with "hang": the process dies with it."""

    @consume_raw(intake_queue)
    def receive_published(self, delivery):
        ATTEMPTS.setdefault(delivery["message_id"], []).append(delivery["routing_key"])
        if delivery["message_id"].startswith("hang"):
            eventlet.sleep(60)


def test_a_message_whose_worker_dies_every_time_is_parked_after_bounded_redeliveries(container_factory, config, db):
    ATTEMPTS.clear()
    config["BATON"]["events"] = {"max_attempts": 3, "first_wait_seconds": 0.01, "factor": 2, "longest_wait_seconds": 1}
    for delivery in (1, 2, 3):  # the first delivery and two redeliveries reach the handler
        receiver = started(container_factory, DyingReceiver, config)
        if delivery == 1:  # once the queue is there
            publish_inquiry(config["AMQP_URI"], b'{"deep": 1}', routing_key="channel.email", message_id="hang-1")
        wait_for(lambda expected=delivery: len(ATTEMPTS.get("hang-1", [])) == expected, what=f"delivery {delivery}")
        receiver.kill()  # as SIGKILL would: the message is never acknowledged
    survivor = started(container_factory, DyingReceiver, config)
    parked = wait_for(lambda: db.of("intake").parked_events.find_one(), what="the message parked")
    assert (parked["event_type"], parked["attempts"], parked["error"]) == (
        "channel.email",
        3,
        "Redelivered 3 times unanswered: its worker died handling it each time.",
    )
    publish_inquiry(config["AMQP_URI"], b"{}", message_id="fine-after-hang")
    wait_for(lambda: ATTEMPTS.get("fine-after-hang"), what="the queue going on")
    assert len(ATTEMPTS["hang-1"]) == 3 and ready_messages(config["AMQP_URI"]) == 0
    survivor.stop()
