"""intake's AMQP consumer taking deliveries in batches, through real RabbitMQ and the document server.

The store commands are counted with a pymongo CommandListener on intake's own database (the
service runs in this process, and its client is created after the listener is registered).
"""

import json
import time

import pytest
from kombu import Connection, Exchange
from nameko.testing.services import entrypoint_hook
from pymongo import monitoring

from contracts.topology import INQUIRY_EXCHANGE, INTAKE_QUEUE
from services.intake.receiving import inquiry_id_for
from services.intake.service import IntakeService
from services.intake.store import Inquiries
from services.runtime.databases import database_name
from services.runtime.events import event_handler
from services.runtime.mongo import MongoStore
from tests.integration.helpers import canonical_inquiry, publish_inquiry, started, wait_for

ADMIN = {"user_id": "root", "role": "admin", "department": None, "team": None}
WRITES = ("insert", "update", "bulkWrite", "delete", "findAndModify")


class IntakeCommands(monitoring.CommandListener):
    """The write commands sent to one database (the test's intake one); others are not kept."""

    def __init__(self) -> None:
        self.database: str | None = None
        self.writes: list[tuple[str, str, int]] = []  # (command, collection, documents sent)

    def started(self, event):
        if event.database_name != self.database or event.command_name not in WRITES:
            return
        target = event.command.get(event.command_name)
        sent = len(event.command.get("documents") or event.command.get("ops") or event.command.get("updates") or [])
        self.writes.append((event.command_name, target if isinstance(target, str) else "", sent))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def inquiry_inserts(self) -> list[int]:
        """How many records each insert into ``inquiries`` carried."""
        return [sent for command, collection, sent in self.writes if (command, collection) == ("insert", "inquiries")]


COMMANDS = IntakeCommands()
monitoring.register(COMMANDS)  # once: clients created from here on report to it


@pytest.fixture
def commands(mongo_uri):
    COMMANDS.database, COMMANDS.writes = database_name(mongo_uri, "intake"), []
    yield COMMANDS
    COMMANDS.database = None


ANNOUNCED: list[dict] = []


class Announced:
    name = "announced_inquiries"

    @event_handler("intake", "inquiry_received")
    def record(self, payload):
        ANNOUNCED.append(payload)


@pytest.fixture
def announced(container_factory, config):
    ANNOUNCED.clear()
    return started(container_factory, Announced, config)


def batched(config, batch_max=100, wait_seconds=0.2):
    config["BATON"]["intake"].update(amqp_batch_max=batch_max, amqp_batch_wait_seconds=wait_seconds)
    return config


def publish_all(amqp_uri, messages):
    """Publish (body, routing_key, message_id) on one connection, as fast as a busy integration."""
    exchange = Exchange(INQUIRY_EXCHANGE, type="topic", durable=True)
    with Connection(amqp_uri) as connection:
        producer = connection.Producer()
        for body, routing_key, message_id in messages:
            producer.publish(
                body if isinstance(body, bytes) else json.dumps(body).encode(),
                exchange=exchange,
                routing_key=routing_key,
                content_type="application/json",
                delivery_mode=2,
                message_id=message_id,
                declare=[exchange],
                retry=True,
            )


def ready_messages(amqp_uri):
    with Connection(amqp_uri) as connection:
        return connection.default_channel.queue_declare(INTAKE_QUEUE, passive=True).message_count


def test_many_published_inquiries_are_stored_and_announced_with_a_few_commands_per_batch(
    container_factory, config, db, announced, commands
):
    intake = started(container_factory, IntakeService, batched(config))
    count = 200
    publish_all(
        config["AMQP_URI"],
        [(canonical_inquiry(email=f"b{n}@acme.de"), "inquiry", f"many-{n}") for n in range(count)],
    )
    wait_for(lambda: len(ANNOUNCED) >= count, timeout=30, what="every inquiry announced")
    assert db.inquiries.count_documents({"status": "accepted", "via": "amqp", "announced": True}) == count
    assert sorted(p["inquiry_id"] for p in ANNOUNCED) == sorted(inquiry_id_for(f"many-{n}") for n in range(count))
    inserts = commands.inquiry_inserts()
    # One message a worker would be 200 writes of a record (and its entry) each; batched, the
    # records go in a few inserts carrying many each (the prefetch lets a batch fill).
    assert sum(inserts) == count and len(inserts) <= 10 and max(inserts) >= 50, inserts
    assert len(commands.writes) <= 4 * len(inserts), commands.writes
    wait_for(
        lambda: db.of("intake").audit.count_documents({"resource": "inquiry"}) == count, what="an entry per record"
    )
    wait_for(lambda: ready_messages(config["AMQP_URI"]) == 0, what="every message acknowledged")
    intake.stop()
    assert ready_messages(config["AMQP_URI"]) == 0  # nothing left unacknowledged to come back


def test_each_message_of_a_batch_keeps_its_own_routing_key_message_id_and_outcome(
    container_factory, config, db, announced, commands
):
    started(container_factory, IntakeService, batched(config, wait_seconds=0.5))
    form = {"name": "Li Wei", "email": "li@wei-trading.cn", "company": "Wei Trading", "utm_campaign": "fair"}
    messages = [
        (canonical_inquiry(email="one@acme.de"), "inquiry", "mix-canonical"),
        (form, "channel.website_form", "mix-form"),
        (b"\x00{not json", "inquiry", "mix-not-json"),
        ({"schema_version": 1, "channel": "web", "contact": {"email": "no"}}, "inquiry", "mix-bad-email"),
        ({"x": 1}, "channel.fax", "mix-fax"),
        (b"\xff\xfe", "channel.website_form", "mix-not-utf8"),
        (canonical_inquiry(email="noid@acme.de"), "inquiry", None),  # its content identifies it
    ]
    publish_all(config["AMQP_URI"], messages)
    wait_for(lambda: db.inquiries.count_documents({}) == len(messages), what="every message stored")
    assert commands.inquiry_inserts() == [len(messages)]  # all in one batch
    stored = {r["message_id"]: r for r in db.inquiries.find({})}
    assert {k: (r["status"], r["routing_key"], r["via"]) for k, r in stored.items() if k.startswith("mix-")} == {
        "mix-canonical": ("accepted", "inquiry", "amqp"),
        "mix-form": ("accepted", "channel.website_form", "amqp"),
        "mix-not-json": ("rejected", "inquiry", "amqp"),
        "mix-bad-email": ("rejected", "inquiry", "amqp"),
        "mix-fax": ("rejected", "channel.fax", "amqp"),
        "mix-not-utf8": ("rejected", "channel.website_form", "amqp"),
    }
    assert all(r["_id"] == inquiry_id_for(k) for k, r in stored.items())
    assert stored["mix-form"]["inquiry"]["campaign"] == "fair"  # through its channel's connector
    assert "not valid JSON" in stored["mix-not-json"]["errors"]["_body"][0]
    assert stored["mix-not-json"]["raw_body"] == "\x00{not json"  # kept as sent
    assert stored["mix-bad-email"]["errors"] == {"contact": {"email": ["Not a valid email address."]}}
    assert "'fax'" in stored["mix-fax"]["errors"]["channel"][0]
    assert "not UTF-8" in stored["mix-not-utf8"]["errors"]["_body"][0]
    assert stored["mix-not-utf8"]["raw_body_base64"] == "//4="  # the exact bytes, for a replay
    [derived] = [k for k in stored if k.startswith("sha256:")]
    assert stored[derived]["status"] == "accepted"
    wait_for(lambda: len(ANNOUNCED) == 3, what="the accepted ones announced")
    time.sleep(0.3)
    assert sorted(p["inquiry_id"] for p in ANNOUNCED) == sorted(
        stored[k]["_id"] for k in ("mix-canonical", "mix-form", derived)
    )


def test_a_message_given_twice_in_a_batch_or_again_later_is_one_inquiry_announced_once(
    container_factory, config, db, announced
):
    started(container_factory, IntakeService, batched(config, wait_seconds=0.3))
    twice = [
        (canonical_inquiry(email="twice@acme.de"), "inquiry", "twice-1"),
        (canonical_inquiry(email="twice@acme.de"), "inquiry", "twice-1"),
        (canonical_inquiry(email="same@acme.de"), "inquiry", None),
        (canonical_inquiry(email="same@acme.de"), "inquiry", None),
        (canonical_inquiry(email="other@acme.de"), "inquiry", "other-1"),
    ]
    publish_all(config["AMQP_URI"], twice)
    wait_for(lambda: len(ANNOUNCED) == 3, what="three inquiries announced")
    publish_all(config["AMQP_URI"], twice[:3])  # published again: a later batch
    wait_for(lambda: ready_messages(config["AMQP_URI"]) == 0, what="the second batch taken")
    time.sleep(1)
    assert db.inquiries.count_documents({}) == 3
    assert len(ANNOUNCED) == 3 and len({p["inquiry_id"] for p in ANNOUNCED}) == 3
    assert db.inquiries.find_one({"message_id": "twice-1"})["_id"] == inquiry_id_for("twice-1")


FAILING = {"batches_down": 0, "failed_batches": 0}


class FlakyInquiries(Inquiries):
    """The real store, 'down' for a batch holding a "poison" message (always) or while
    ``FAILING["batches_down"]`` says so; a poison message alone fails too."""

    def add_many(self, records):
        if FAILING["batches_down"] > 0 or any(r["message_id"].startswith("poison") for r in records):
            FAILING["batches_down"] -= 1
            FAILING["failed_batches"] += 1
            raise ConnectionError("the document store is not there")
        return super().add_many(records)

    def add(self, record):
        if record["message_id"].startswith("poison"):
            raise ConnectionError("the document store is not there")
        return super().add(record)


class FlakyIntake(IntakeService):
    inquiries = MongoStore(FlakyInquiries)


@pytest.fixture
def flaky(container_factory, config):
    FAILING.update(batches_down=0, failed_batches=0)
    config["BATON"]["events"] = {"max_attempts": 3, "first_wait_seconds": 0.01, "factor": 2, "longest_wait_seconds": 1}
    return started(container_factory, FlakyIntake, batched(config, wait_seconds=0.3))


def test_a_batch_the_store_fails_is_handled_message_by_message(flaky, config, db, announced, commands):
    FAILING["batches_down"] = 1
    publish_all(
        config["AMQP_URI"],
        [(canonical_inquiry(email=f"f{n}@acme.de"), "inquiry", f"fallback-{n}") for n in range(20)],
    )
    wait_for(lambda: db.inquiries.count_documents({}) == 20, what="every message stored after all")
    wait_for(lambda: len(ANNOUNCED) == 20, what="every one announced")
    assert FAILING["failed_batches"] == 1  # one batch failed, and was not tried again as a batch
    assert commands.inquiry_inserts() == []  # its insert never went: each was written alone
    assert sum(1 for command, _, _ in commands.writes if command == "bulkWrite") >= 20
    wait_for(lambda: ready_messages(config["AMQP_URI"]) == 0, what="every message acknowledged")
    assert db.of("intake").parked_events.count_documents({}) == 0


def test_a_poison_message_is_parked_alone_and_the_rest_of_its_batch_is_stored(flaky, config, db, announced):
    messages = [(canonical_inquiry(email=f"p{n}@acme.de"), "inquiry", f"good-{n}") for n in range(15)]
    messages.insert(7, (canonical_inquiry(email="poison@acme.de"), "channel.website_form", "poison-1"))
    publish_all(config["AMQP_URI"], messages)
    wait_for(lambda: db.of("intake").parked_events.count_documents({}) == 1, what="the poison message parked")
    wait_for(lambda: db.inquiries.count_documents({}) == 15, what="the others stored")
    wait_for(lambda: len(ANNOUNCED) == 15, what="the others announced")
    assert db.inquiries.count_documents({"message_id": "poison-1"}) == 0
    assert FAILING["failed_batches"] == 1  # its retries came alone: no other batch suffered from it
    with entrypoint_hook(flaky, "parked_events", context_data={"actor": ADMIN}) as parked_events:
        [parked] = parked_events()["items"]
    assert (parked["service"], parked["source"], parked["event_type"], parked["attempts"]) == (
        "intake",
        INQUIRY_EXCHANGE,
        "channel.website_form",
        3,
    )
    assert parked["error"] == "ConnectionError: the document store is not there"
    wait_for(lambda: ready_messages(config["AMQP_URI"]) == 0, what="the queue drained")
    time.sleep(0.5)
    assert db.of("intake").parked_events.count_documents({}) == 1  # only the poison one


def test_a_lone_message_is_handled_within_about_the_wait(container_factory, config, db):
    started(container_factory, IntakeService, batched(config, wait_seconds=0.02))
    published = time.monotonic()
    publish_inquiry(config["AMQP_URI"], canonical_inquiry(email="lone@acme.de"), message_id="lone-1")
    wait_for(lambda: db.inquiries.find_one({"message_id": "lone-1"}), interval=0.005, what="the lone one stored")
    assert time.monotonic() - published < 0.5


def test_a_lone_message_waits_for_company_no_longer_than_the_wait(container_factory, config, db):
    started(container_factory, IntakeService, batched(config, wait_seconds=1.5))
    publish_inquiry(config["AMQP_URI"], canonical_inquiry(email="waits@acme.de"), message_id="waits-1")
    published = time.monotonic()
    time.sleep(0.7)
    assert db.inquiries.find_one({"message_id": "waits-1"}) is None  # the batch is still open
    wait_for(lambda: db.inquiries.find_one({"message_id": "waits-1"}), interval=0.01, what="handed over after the wait")
    assert time.monotonic() - published < 2.5
