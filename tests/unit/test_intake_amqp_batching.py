"""intake's AMQP batches without a broker: how the consumer gathers, hands over, acknowledges and
falls back, and how a batch of deliveries is recorded (an in-memory store)."""

import json
from types import SimpleNamespace

import eventlet
import pytest
from kombu import Queue
from marshmallow import ValidationError

from plugins.builtin import default_fields, website_form
from plugins.host import PluginHost
from services.intake.entrypoints import BatchedRawConsumer
from services.intake.receiving import (
    Arrival,
    inquiry_id_for,
    message_id_for,
    receive_arrivals,
    receive_deliveries,
)
from services.intake.settings import IntakeSettingsSchema
from services.runtime.input_limits import InputLimits
from services.runtime.parking import ATTEMPT_HEADER
from tests.conftest import load_config_file

LIMITS = InputLimits(max_body_bytes=10_000)


class FakeContainer:
    service_name = "intake"
    max_workers = 10

    def __init__(self):
        self.workers = []  # (deliveries given, handle_result)

    def spawn_worker(self, entrypoint, args, kwargs, context_data=None, handle_result=None):
        self.workers.append((args[0], handle_result))

    def spawn_managed_thread(self, fn, identifier=None):
        return eventlet.spawn(fn)


class FakeQueueConsumer:
    def __init__(self):
        self.acked, self.requeued = [], []

    def ack_message(self, message):
        self.acked.append(message.properties["message_id"])

    def requeue_message(self, message):
        self.requeued.append(message.properties["message_id"])


def message(message_id, routing_key="inquiry", redelivered=False, headers=None):
    return SimpleNamespace(
        body=b"{}",
        headers=headers or {},
        properties={"message_id": message_id},
        delivery_info={"routing_key": routing_key, "redelivered": redelivered},
        content_type="application/json",
    )


@pytest.fixture
def consumer():
    consumer = BatchedRawConsumer(Queue("q"))
    consumer.container = FakeContainer()
    consumer.queue_consumer = FakeQueueConsumer()
    consumer.method_name = "receive_published"
    consumer.batch_max, consumer.batch_wait = 3, 0.05
    consumer._gathering, consumer._handed_over = [], 0
    return consumer


def ids(worker):
    return [delivery["message_id"] for delivery in worker[0]]


def test_a_full_batch_is_handed_over_at_once_in_arrival_order(consumer):
    for n in range(4):
        consumer.handle_message(None, message(f"m{n}", routing_key=f"channel.c{n}"))
    [full] = consumer.container.workers
    assert ids(full) == ["m0", "m1", "m2"]
    assert [d["routing_key"] for d in full[0]] == ["channel.c0", "channel.c1", "channel.c2"]
    assert consumer.queue_consumer.acked == []  # nothing acknowledged before the batch is stored
    eventlet.sleep(0.1)
    assert [ids(w) for w in consumer.container.workers] == [["m0", "m1", "m2"], ["m3"]]


def test_a_lone_message_is_handed_over_after_the_wait_not_before(consumer):
    consumer.handle_message(None, message("lone"))
    eventlet.sleep(0.01)
    assert consumer.container.workers == []
    eventlet.sleep(0.08)
    assert [ids(w) for w in consumer.container.workers] == [["lone"]]


def test_the_wait_of_a_batch_handed_over_full_does_not_cut_the_next_one_short(consumer):
    for n in range(3):
        consumer.handle_message(None, message(f"m{n}"))  # full: handed over; its wait still runs
    eventlet.sleep(0.03)
    consumer.handle_message(None, message("next"))
    eventlet.sleep(0.03)  # the first batch's wait is over: "next" has waited only 0.03 s
    assert len(consumer.container.workers) == 1
    eventlet.sleep(0.05)
    assert [ids(w) for w in consumer.container.workers][1] == ["next"]


def test_a_stored_batch_is_acknowledged_message_by_message(consumer):
    for n in range(3):
        consumer.handle_message(None, message(f"m{n}"))
    [(deliveries, handle_result)] = consumer.container.workers
    assert handle_result(None, None, None) == (None, None)
    assert consumer.queue_consumer.acked == ["m0", "m1", "m2"]


def test_a_failed_batch_gives_each_message_a_worker_of_its_own(consumer):
    for n in range(3):
        consumer.handle_message(None, message(f"m{n}"))
    [(deliveries, handle_result)] = consumer.container.workers
    error = ConnectionError("down")
    handle_result(None, None, (ConnectionError, error, None))
    eventlet.sleep(0.01)
    assert [ids(w) for w in consumer.container.workers[1:]] == [["m0"], ["m1"], ["m2"]]
    assert consumer.queue_consumer.acked == []  # each is acknowledged (or retried) by its own worker


def test_a_retried_or_redelivered_message_is_handled_alone_at_once(consumer):
    consumer.retry = {"max_attempts": 8}
    consumer.parked = SimpleNamespace(count_redelivery=lambda key: 1)
    consumer.queue = Queue("q")
    consumer.handle_message(None, message("again", headers={ATTEMPT_HEADER: 2}))
    consumer.handle_message(None, message("redelivered", redelivered=True))
    assert [ids(w) for w in consumer.container.workers] == [["again"], ["redelivered"]]
    assert consumer._gathering == []


def test_what_was_gathered_is_handed_over_when_the_consumer_stops(consumer):
    consumer.queue_consumer.unregister_provider = lambda provider: None
    consumer.handle_message(None, message("last"))
    consumer.stop()
    assert [ids(w) for w in consumer.container.workers] == [["last"]]


class MemoryInquiries:
    """The store methods a batch uses, counting the commands each would send."""

    def __init__(self):
        self.records, self.commands = {}, []

    def get_many(self, inquiry_ids):
        if inquiry_ids:
            self.commands.append("find")
        return {i: self.records[i] for i in inquiry_ids if i in self.records}

    def add_many(self, records):
        if records:
            self.commands += ["insert", "insert audit"]
        taken = {r["_id"] for r in records if r["_id"] in self.records}
        self.records |= {r["_id"]: r for r in records if r["_id"] not in taken}
        return taken

    def add(self, record):
        self.commands.append("bulkWrite")
        if record["_id"] in self.records:
            return False
        self.records[record["_id"]] = record
        return True

    def mark_many_announced(self, inquiry_ids):
        if inquiry_ids:
            self.commands.append("update")
        for inquiry_id in inquiry_ids:
            self.records[inquiry_id]["announced"] = True


@pytest.fixture(scope="module")
def plugins():
    return PluginHost([("default_fields", default_fields), ("website_form", website_form)])


def canonical(email):
    return json.dumps({"schema_version": 1, "channel": "web", "contact": {"email": email}}).encode()


def test_each_arrival_is_kept_under_its_own_routing_key_and_message_id(plugins):
    store, published = MemoryInquiries(), []
    form = json.dumps({"email": "li@wei.cn", "name": "Li"}).encode()
    arrivals = [
        Arrival(canonical("a@acme.de"), "inquiry", "a-1"),
        Arrival(form, "channel.website_form", "form-1"),
        Arrival(b"{oops", "channel.website_form", "bad-1"),
        Arrival(canonical("a@acme.de"), "inquiry", "a-1"),  # the same message again
        Arrival(canonical("n@acme.de"), "inquiry", None),
    ]
    outcomes = receive_arrivals(store, plugins, LIMITS, lambda *a: published.append(a[0]), arrivals, via="amqp")
    derived = message_id_for(None, "inquiry", canonical("n@acme.de"))
    assert [(o["message_id"], o["outcome"], o["status"]) for o in outcomes] == [
        ("a-1", "accepted", "accepted"),
        ("form-1", "accepted", "accepted"),
        ("bad-1", "rejected", "rejected"),
        ("a-1", "duplicate", "accepted"),
        (derived, "accepted", "accepted"),
    ]
    assert [o["id"] for o in outcomes] == [inquiry_id_for(o["message_id"]) for o in outcomes]
    records = store.records
    assert records[inquiry_id_for("form-1")]["routing_key"] == "channel.website_form"
    assert records[inquiry_id_for("form-1")]["inquiry"]["contact"]["email"] == "li@wei.cn"
    assert records[inquiry_id_for("bad-1")]["raw_body"] == "{oops"
    assert {r["via"] for r in records.values()} == {"amqp"}
    assert sorted(published) == sorted(inquiry_id_for(m) for m in ("a-1", "form-1", derived))
    assert all(records[i]["announced"] for i in published)
    assert store.commands == ["find", "insert", "insert audit", "update"]  # whatever the batch's size


def test_a_batch_of_arrivals_already_stored_announces_none_again(plugins):
    store, published = MemoryInquiries(), []
    arrivals = [Arrival(canonical(f"{n}@acme.de"), "inquiry", f"m-{n}") for n in range(5)]
    receive_arrivals(store, plugins, LIMITS, lambda *a: published.append(a[0]), arrivals, via="amqp")
    again = receive_arrivals(store, plugins, LIMITS, lambda *a: published.append(a[0]), arrivals, via="amqp")
    assert {o["outcome"] for o in again} == {"duplicate"} and len(published) == 5


def test_a_lone_delivery_is_recorded_as_a_single_message_is(plugins):
    store, published = MemoryInquiries(), []
    delivery = {"body": canonical("a@acme.de"), "routing_key": "inquiry", "message_id": "one"}
    receive_deliveries(store, plugins, LIMITS, lambda *a: published.append(a[0]), [delivery])
    assert store.commands == ["bulkWrite"] and published == [inquiry_id_for("one")]
    record = store.records[inquiry_id_for("one")]
    assert record["announced"] is True and record["unconfirmed_epoch"] is not None


def test_the_shipped_config_batches_published_inquiries():
    settings = IntakeSettingsSchema().load(load_config_file()["BATON"]["intake"])
    assert (settings["amqp_batch_max"], settings["amqp_batch_wait_seconds"], settings["amqp_batches_in_flight"]) == (
        100,
        0.02,
        2,
    )


@pytest.mark.parametrize(
    "field, value", [("amqp_batch_max", 0), ("amqp_batch_wait_seconds", -1), ("amqp_batches_in_flight", 0)]
)
def test_batch_settings_out_of_range_are_refused(field, value):
    section = {**load_config_file()["BATON"]["intake"], field: value}
    with pytest.raises(ValidationError) as refused:
        IntakeSettingsSchema().load(section)
    assert field in refused.value.messages
