"""Which database and collections are each service's, and how `baton migrate` places old documents."""

import pytest
from pymongo import MongoClient

from cli.migrate import handoff_person, moves_for, notification_person
from services.gateway.directory import Directory
from services.handoff.store import Handoffs
from services.intake.store import Inquiries
from services.notification.store import Outbox, Recipients, Reminders
from services.pool.store import Pool
from services.profile.store import Customers
from services.runtime.audit import AuditTrail
from services.runtime.databases import (
    COLLECTIONS,
    EVERY_SERVICE,
    database_name,
    owners_of,
    service_database_name,
    service_uri,
    uri_problems,
)
from services.runtime.mongo import OwnedDatabase, UnownedCollection

STORES = {
    "intake": [Inquiries],
    "profile": [Customers],
    "handoff": [Handoffs],
    "pool": [Pool],
    "notification": [Reminders, Outbox, Recipients],
    "gateway": [Directory],
}


@pytest.fixture(scope="module")
def client():
    unconnected = MongoClient("mongodb://127.0.0.1:9/none", connect=False)  # builds databases; sends nothing
    yield unconnected
    unconnected.close()


class Opened(OwnedDatabase):
    def __init__(self, *args):
        super().__init__(*args)
        self.opened = set()

    def __getitem__(self, name):
        self.opened.add(name)
        return super().__getitem__(name)


def test_every_store_opens_exactly_the_collections_its_service_owns(client):
    assert set(STORES) == set(COLLECTIONS)
    for service, store_classes in STORES.items():
        db = Opened(client, f"x_{service}", service)
        for store_class in store_classes:
            store_class(db)
        AuditTrail(db, service)
        if service == "gateway":
            db["idempotency_keys"]  # the idempotency log's (services/gateway/idempotency.py)
        assert db.opened == set(COLLECTIONS[service]) | {"audit"}, service


def test_a_store_cannot_open_another_service_s_collection(client):
    with pytest.raises(UnownedCollection) as refused:
        OwnedDatabase(client, "x_intake", "intake").get_collection("holdings")
    assert "'holdings'" in str(refused.value) and "services/runtime/databases.py" in str(refused.value)
    assert OwnedDatabase(client, "x_ledger", "ledger").parked_events.name == "parked_events"  # any service's


def test_only_the_declared_collections_are_kept_by_more_than_one_service():
    shared = {name for names in COLLECTIONS.values() for name in names if len(owners_of(name)) > 1}
    assert shared == {"people", "scheduled_turns"}
    assert all(owners_of(name) == tuple(COLLECTIONS) for name in EVERY_SERVICE)


def test_each_service_s_database_is_named_after_the_uri_s_or_its_own_uri():
    config = {
        "MONGO_URI": "mongodb://db:27017/baton?retryWrites=false",
        "MONGO_SERVICE_URIS": {"pool": "mongodb://pool-db:27017/pool_data", "intake": None},
    }
    assert service_database_name(config, "intake") == "baton_intake"
    assert service_uri(config, "intake") == config["MONGO_URI"]
    assert (service_uri(config, "pool"), service_database_name(config, "pool")) == (
        "mongodb://pool-db:27017/pool_data",
        "pool_data",
    )
    assert database_name("mongodb://db:27017", "gateway") == "baton_gateway"
    assert uri_problems(config) == []
    assert uri_problems({"MONGO_URI": "http://db", "MONGO_SERVICE_URIS": {"pol": "mongodb://x/y", "pool": "x"}}) == [
        "config: MONGO_URI must be a mongodb:// URI, not 'http://db'",
        "config: MONGO_SERVICE_URIS.pol names no service (intake, profile, handoff, pool, notification, gateway)",
        "config: MONGO_SERVICE_URIS.pool must be a mongodb:// URI or empty, not 'x'",
    ]


def test_an_old_database_s_collections_go_to_their_owners_and_shared_ones_are_split():
    moves, unowned = moves_for(["customers", "audit", "people", "scheduled_turns", "things", "system.indexes"], {})
    placed = {(m.collection, m.service, tuple(m.query.items())) for m in moves}
    assert ("customers", "profile", ()) in placed
    assert {("audit", s, (("service", s),)) for s in COLLECTIONS} <= placed
    assert {("scheduled_turns", "pool", ()), ("scheduled_turns", "handoff", ())} <= placed
    assert {(c, s) for c, s, _ in placed if c == "people"} == {("people", "handoff"), ("people", "notification")}
    assert unowned == ["things"]


def test_the_shared_people_split_by_their_fields_and_completed_from_the_gateway_s_users():
    handoff_s = {"_id": "li", "department": "sales", "active": True, "user_version": 2}
    notification_s = {
        "_id": "bo",
        "role": "member",
        "department": "sales",
        "team": "t",
        "active": False,
        "user_version": 1,
    }
    users = {
        "li": {
            "_id": "li",
            "name": "Li",
            "role": "manager",
            "department": "sales",
            "team": "export",
            "active": True,
            "version": 3,
        }
    }
    assert handoff_person(handoff_s) == handoff_s
    assert handoff_person(notification_s) == {"_id": "bo", "department": "sales", "active": False, "user_version": 1}
    assert notification_person(notification_s, users) == notification_s
    assert notification_person(handoff_s, users) == {
        "_id": "li",
        "role": "manager",
        "department": "sales",
        "team": "export",
        "active": True,
        "user_version": 3,
    }
    assert notification_person(handoff_s, {}) is None
