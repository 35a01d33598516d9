"""pool: allocation order across restarts and several instances, through real events."""
from datetime import datetime, timezone

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.errors import NotFound
from contracts.events import dump_event
from services.pool.service import PoolService
from tests.integration.helpers import recorder_of, start_listeners, started, wait_for

AT = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def downstream(container_factory, config):
    start_listeners(container_factory, config, ("pool", "customer_allocated"))


def customer_created(customer_id):
    return dump_event("customer_created", {"customer_id": customer_id, "inquiry_id": "inq_" + customer_id,
                                           "occurred_at": AT, "company": None, "country": None,
                                           "intent_grade": None})


def start_pool(container_factory, config):
    return started(container_factory, PoolService, config)


def owners_in_turn_order(db, team="default"):
    return [d["owner_id"] for d in db.rotations.find_one({"_id": team})["decisions"]]


def test_new_customers_are_allocated_3_2_1_in_smooth_order(container_factory, config, db):
    pool = start_pool(container_factory, config)
    allocated = started(container_factory, recorder_of("pool", "customer_allocated"), config)
    dispatch = event_dispatcher(config)
    with entrypoint_waiter(allocated, "record") as event:
        dispatch("profile", "customer_created", customer_created("c0"))
    assert event.get()["owner_id"] == "alice"
    for n in range(1, 6):
        dispatch("profile", "customer_created", customer_created(f"c{n}"))
    wait_for(lambda: db.owners.count_documents({}) == 6, what="6 owners")
    assert owners_in_turn_order(db) == ["alice", "bob", "carol", "alice", "bob", "alice"]
    with entrypoint_hook(pool, "get_owner") as get_owner:
        decided = {d["customer_id"]: d["owner_id"] for d in db.rotations.find_one({"_id": "default"})["decisions"]}
        assert [get_owner(f"c{n}")["owner_id"] for n in range(6)] == [decided[f"c{n}"] for n in range(6)]
        with pytest.raises(NotFound):
            get_owner("c-missing")


def test_a_redelivered_customer_keeps_its_owner_and_takes_no_turn(container_factory, config, db):
    pool = start_pool(container_factory, config)
    dispatch = event_dispatcher(config)
    for customer in ("c0", "c0", "c1"):
        with entrypoint_waiter(pool, "on_customer_created"):
            dispatch("profile", "customer_created", customer_created(customer))
    assert owners_in_turn_order(db) == ["alice", "bob"]
    assert db.owners.count_documents({}) == 2


def test_the_order_survives_a_restart(container_factory, config, db):
    dispatch = event_dispatcher(config)
    first = start_pool(container_factory, config)
    for n in range(3):
        with entrypoint_waiter(first, "on_customer_created"):
            dispatch("profile", "customer_created", customer_created(f"c{n}"))
    first.stop()
    second = start_pool(container_factory, config)
    for n in range(3, 6):
        with entrypoint_waiter(second, "on_customer_created"):
            dispatch("profile", "customer_created", customer_created(f"c{n}"))
    assert owners_in_turn_order(db) == ["alice", "bob", "carol", "alice", "bob", "alice"]


def test_two_instances_racing_never_give_a_customer_two_owners_nor_skew_the_shares(container_factory, config, db):
    start_pool(container_factory, config)
    start_pool(container_factory, config)
    dispatch = event_dispatcher(config)
    customers = [f"c{n}" for n in range(30)]
    for customer in customers + customers[:10]:        # a third of them delivered twice
        dispatch("profile", "customer_created", customer_created(customer))
    wait_for(lambda: db.owners.count_documents({}) == 30, what="30 owners")
    wait_for(lambda: len(owners_in_turn_order(db)) == 30, what="30 turns")
    order = owners_in_turn_order(db)
    assert [order.count(name) for name in ("alice", "bob", "carol")] == [15, 10, 5]
    assert order == ["alice", "bob", "carol", "alice", "bob", "alice"] * 5
    decided = {d["customer_id"]: d["owner_id"] for d in db.rotations.find_one({"_id": "default"})["decisions"]}
    assert all(db.owners.find_one({"_id": c})["owner_id"] == decided[c] for c in customers)


def test_with_nobody_to_take_customers_the_customer_stays_unowned(container_factory, config, db):
    config["BATON"]["allocation"]["salespeople"] = [{"id": "alice", "weight": 0}]
    pool = start_pool(container_factory, config)
    with entrypoint_waiter(pool, "on_customer_created"):
        event_dispatcher(config)("profile", "customer_created", customer_created("c0"))
    assert db.owners.count_documents({}) == 0


def test_a_customer_waiting_for_review_is_not_allocated(container_factory, config, db):
    pool = start_pool(container_factory, config)
    flagged = {**customer_created("c0"), "needs_review": True}
    with entrypoint_waiter(pool, "on_customer_created"):
        event_dispatcher(config)("profile", "customer_created", flagged)
    assert db.owners.count_documents({}) == 0
