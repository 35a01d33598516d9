"""`baton migrate`: an install from before (every service in one database) into the services' own
databases, on the real document server; then the services read what it moved."""

import fcntl
import os
import subprocess
import sys
from datetime import UTC, datetime

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from pymongo import MongoClient

from contracts.events import dump_event
from deploy.supervisor import LOCK_FILE_NAME
from services.notification.service import NotificationService
from services.runtime.databases import COLLECTIONS, database_name, database_of
from tests.conftest import REPO
from tests.integration.helpers import recorder_of, started

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def previous_release(db):
    """One database as the release before wrote it: a document in every collection, the audit
    trail and parked events of several services in one collection each, and ``people`` holding
    for each user whichever of handoff and notification wrote it first."""
    for collections in COLLECTIONS.values():
        for collection in collections:
            if collection not in ("people", "scheduled_turns", "users"):
                db[collection].insert_many([{"_id": f"{collection}_{n}", "n": n, "at": AT} for n in range(3)])
    db.users.insert_many(
        [
            {
                "_id": "li.na",
                "name": "Li Na",
                "role": "manager",
                "department": "sales",
                "team": "export",
                "active": True,
                "version": 2,
            },
            {
                "_id": "bob",
                "name": "Bob",
                "role": "member",
                "department": "sales",
                "team": "export",
                "active": True,
                "version": 0,
            },
        ]
    )
    db.people.insert_many(
        [
            {"_id": "li.na", "department": "sales", "active": True, "user_version": 2},  # handoff's, first
            {
                "_id": "bob",
                "role": "member",
                "department": "sales",
                "team": "export",
                "active": True,
                "user_version": 0,
            },  # notification's
            {"_id": "gone", "department": "service", "active": False, "user_version": 4},
        ]
    )  # no gateway user
    db.scheduled_turns.insert_many(
        [{"_id": job, "next_at": AT, "version": 3} for job in ("recycling", "weights", "announce", "audit")]
    )
    db.audit.insert_many(
        [{"_id": f"aud_{service}", "service": service, "resource": "thing", "at": AT} for service in COLLECTIONS]
        + [{"_id": "aud_old", "service": "retired", "at": AT}]
    )
    db.parked_events.insert_many(
        [{"_id": "prk_1", "service": "pool", "body": "{}"}, {"_id": "prk_2", "service": "notification", "body": "{}"}]
    )
    db.things.insert_one({"_id": "t1"})  # no service's: left alone


def baton_migrate(mongo_uri, tmp_path, *args):
    env = {**os.environ, "BATON_MONGO_URI": mongo_uri}
    for service in COLLECTIONS:
        env.pop(f"BATON_MONGO_URI_{service.upper()}", None)
    return subprocess.run(
        [sys.executable, "-m", "cli.baton", "migrate", "--data-dir", str(tmp_path), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_document_moves_to_its_service_s_database_and_a_rerun_changes_nothing(mongo_uri, tmp_path):
    with MongoClient(mongo_uri, tz_aware=True) as client:
        old = client[database_of(mongo_uri)]
        previous_release(old)
        # A run that stopped half-way: some documents already copied, one since changed by its service.
        client[database_name(mongo_uri, "intake")].inquiries.insert_one({"_id": "inquiries_0", "n": 0, "changed": 1})

        first = baton_migrate(mongo_uri, tmp_path, "--batch-size", "2")
        assert first.returncode == 0, first.stdout + first.stderr
        assert (
            "inquiries -> " + database_name(mongo_uri, "intake") + ".inquiries: 2 copied, 1 already there; "
            "all there" in first.stdout
        )
        assert "things: no service keeps it" in first.stdout
        assert "audit: 1 document(s) no service takes" in first.stdout
        assert "the old collections are kept" in first.stdout

        def of(service):
            return client[database_name(mongo_uri, service)]

        for service, collections in COLLECTIONS.items():
            for collection in set(collections) - {"people", "scheduled_turns", "users"}:
                assert sorted(d["_id"] for d in of(service)[collection].find()) == [
                    f"{collection}_{n}" for n in range(3)
                ], (service, collection)
            assert [d["_id"] for d in of(service).audit.find()] == [f"aud_{service}"]
        assert of("intake").inquiries.find_one({"_id": "inquiries_0"})["changed"] == 1  # not overwritten
        assert [d["_id"] for d in of("pool").parked_events.find()] == ["prk_1"]
        assert [d["_id"] for d in of("notification").parked_events.find()] == ["prk_2"]
        assert sorted(d["_id"] for d in of("pool").scheduled_turns.find()) == [
            "announce",
            "audit",
            "recycling",
            "weights",
        ]
        assert sorted(d["_id"] for d in of("gateway").users.find()) == ["bob", "li.na"]
        assert list(of("handoff").people.find(sort=[("_id", 1)])) == [
            {"_id": "bob", "department": "sales", "active": True, "user_version": 0},
            {"_id": "gone", "department": "service", "active": False, "user_version": 4},
            {"_id": "li.na", "department": "sales", "active": True, "user_version": 2},
        ]
        assert list(of("notification").people.find(sort=[("_id", 1)])) == [
            {
                "_id": "bob",
                "role": "member",
                "department": "sales",
                "team": "export",
                "active": True,
                "user_version": 0,
            },
            {
                "_id": "li.na",
                "role": "manager",
                "department": "sales",
                "team": "export",
                "active": True,
                "user_version": 2,
            },
        ]
        assert "scheduled_turns" not in client[database_name(mongo_uri, "intake")].list_collection_names()

        again = baton_migrate(mongo_uri, tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        assert " 0 copied" in again.stdout and " 1 copied" not in again.stdout and " 2 copied" not in again.stdout

        dropped = baton_migrate(mongo_uri, tmp_path, "--drop-old")
        assert dropped.returncode == 0, dropped.stdout + dropped.stderr
        assert sorted(old.list_collection_names()) == ["audit", "things"]  # what no service took stays
        assert old.audit.count_documents({}) == len(COLLECTIONS) + 1  # kept whole for the one left


def test_notification_knows_the_managers_handoff_had_written_before_the_migration(
    container_factory, config, mongo_uri, tmp_path
):
    with MongoClient(mongo_uri, tz_aware=True) as client:
        previous_release(client[database_of(mongo_uri)])
    assert baton_migrate(mongo_uri, tmp_path, "--drop-old").returncode == 0
    notification = started(container_factory, NotificationService, config)
    started(container_factory, recorder_of("notification", "reminder_scheduled"), config)
    with entrypoint_waiter(notification, "on_allocation_stalled"):
        event_dispatcher(config)(
            "pool",
            "allocation_stalled",
            dump_event(
                "allocation_stalled",
                {"customer_id": "cus_1", "team": "export", "department": "sales", "reasons": {}, "at": AT},
            ),
        )
    with entrypoint_hook(notification, "list_reminders") as list_reminders:
        assert [r["kind"] for r in list_reminders("li.na", {})["items"]] == ["allocation_stalled"]


def test_a_running_system_or_a_source_without_a_database_is_refused_by_name(mongo_uri, tmp_path):
    with open(tmp_path / LOCK_FILE_NAME, "a+") as lock:  # held as a running supervisor holds it
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write(str(os.getpid()))
        lock.flush()
        refused = baton_migrate(mongo_uri, tmp_path)
    assert refused.returncode != 0 and f"supervisor pid {os.getpid()}" in refused.stderr
    refused = baton_migrate(mongo_uri, tmp_path, "--from", "mongodb://127.0.0.1:1")
    assert refused.returncode != 0 and "--from" in refused.stderr and "names no database" in refused.stderr
    assert "Traceback" not in refused.stderr
