"""Each service in its own database on one store URI, through one client per process."""

from datetime import UTC, datetime

from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from pymongo import MongoClient

from contracts.events import dump_event
from services.handoff.service import HandoffService
from services.intake.service import IntakeService
from services.notification.service import NotificationService
from services.pool.service import PoolService
from services.runtime import mongo
from services.runtime.databases import database_name, database_of
from tests.integration.helpers import recorder_of, start_downstream_of, started

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def user_saved(user_id, role, version=0, team="export"):
    return dump_event(
        "user_saved",
        {
            "user_id": user_id,
            "name": user_id,
            "role": role,
            "department": "sales",
            "team": team,
            "active": True,
            "version": version,
            "at": AT,
        },
    )


def test_handoff_and_notification_each_keep_their_people_and_the_manager_is_told_of_a_stall(
    container_factory, config, db
):
    # In one shared database handoff's person (no role) written first made notification's manager
    # lookup fail with KeyError 'role': the same user_saved, redelivered, changed nothing.
    handoff = started(container_factory, HandoffService, config)
    with entrypoint_waiter(handoff, "on_user_saved"):
        event_dispatcher(config)("gateway", "user_saved", user_saved("li.na", "manager"))
    notification = started(container_factory, NotificationService, config)
    started(container_factory, recorder_of("notification", "reminder_scheduled"), config)
    with entrypoint_waiter(notification, "on_user_saved"):
        event_dispatcher(config)("gateway", "user_saved", user_saved("li.na", "manager"))  # a redelivery
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
        told = list_reminders("li.na", {})["items"]
    assert [r["kind"] for r in told] == ["allocation_stalled"]
    assert db.of("handoff").people.find_one({"_id": "li.na"}) == {
        "_id": "li.na",
        "department": "sales",
        "active": True,
        "user_version": 0,
        "version": 0,
    }
    assert db.of("notification").people.find_one({"_id": "li.na"})["role"] == "manager"


def test_a_service_writes_only_to_its_own_database_through_one_client(container_factory, config, mongo_uri):
    start_downstream_of(container_factory, config, "intake", "pool")
    intake = started(container_factory, IntakeService, config)
    pool = started(container_factory, PoolService, config)
    # Stores, audit trails, parked events (opened on first use) and the like share one client.
    client = mongo._clients[mongo_uri]
    leases = [
        extension.lease
        for container in (intake, pool)
        for extension in container.dependencies
        if hasattr(extension, "lease")
    ]
    assert len(leases) >= 4 and mongo._holders[mongo_uri] >= len(leases)
    assert {id(lease.database.client) for lease in leases} == {id(client)}
    with entrypoint_hook(pool, "parked_events") as parked:
        assert parked()["total"] == 0
    assert mongo._clients[mongo_uri] is client
    with MongoClient(mongo_uri) as reader:
        names = set(reader.list_database_names())
        assert {database_name(mongo_uri, "intake"), database_name(mongo_uri, "pool")} <= names
        assert database_of(mongo_uri) not in names  # nothing in the database the URI names
        assert "holdings" in reader[database_name(mongo_uri, "pool")].list_collection_names()
        assert "holdings" not in reader[database_name(mongo_uri, "intake")].list_collection_names()
        assert "parked_events" in reader[database_name(mongo_uri, "pool")].list_collection_names()
    intake.stop()
    assert mongo._clients.get(mongo_uri) is client  # pool still holds it
    pool.stop()
    assert mongo_uri not in mongo._clients  # the last holder closed it


def test_a_service_may_have_a_store_uri_of_its_own(container_factory, config, mongo_uri, db):
    own = mongo_uri.rsplit("/", 1)[0] + "/" + database_of(mongo_uri) + "_elsewhere"
    config["MONGO_SERVICE_URIS"] = {**(config.get("MONGO_SERVICE_URIS") or {}), "notification": own}
    notification = started(container_factory, NotificationService, config)
    with entrypoint_waiter(notification, "on_user_saved"):
        event_dispatcher(config)("gateway", "user_saved", user_saved("li.na", "manager"))
    with MongoClient(own) as reader:
        assert reader[database_of(own)].people.find_one({"_id": "li.na"})["role"] == "manager"
        assert database_name(mongo_uri, "notification") not in reader.list_database_names()
    notification.stop()
