"""pool: allocation, claims, releases, recycling, rejection and leavers, through real events
and RPC on the document server."""

import importlib
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import eventlet
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from contracts.events import dump_event
from services.pool.service import PoolService
from tests.integration.helpers import call, recorder_of, start_downstream_of, started, wait_for

AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
EVERYONE = "default:alice,bob,carol"


@pytest.fixture(autouse=True)
def downstream(container_factory, config):
    start_downstream_of(container_factory, config, "pool")


def customer_created(customer_id, country=None, grade=None, **extra):
    return dump_event(
        "customer_created",
        {
            "customer_id": customer_id,
            "inquiry_id": "inq_" + customer_id,
            "occurred_at": AT,
            "company": None,
            "country": country,
            "country_code": country,
            "intent_grade": grade,
            **extra,
        },
    )


def start_pool(container_factory, config):
    return started(container_factory, PoolService, config)


def owners_in_turn_order(db, key=EVERYONE):
    return [d["owner_id"] for d in db.rotations.find_one({"_id": key})["decisions"]]


def owned(db):
    return db.holdings.count_documents({"state": "owned"})


def file_customers(pool, config, *customer_ids, **facts):
    dispatch = event_dispatcher(config)
    for customer_id in customer_ids:
        with entrypoint_waiter(pool, "on_customer_created"):
            dispatch("profile", "customer_created", customer_created(customer_id, **facts))


def test_new_customers_are_allocated_3_2_1_in_smooth_order(container_factory, config, db):
    pool = start_pool(container_factory, config)
    allocated = started(container_factory, recorder_of("pool", "customer_allocated"), config)
    dispatch = event_dispatcher(config)
    with entrypoint_waiter(allocated, "record") as event:
        dispatch("profile", "customer_created", customer_created("c0"))
    assert event.get()["owner_id"] == "alice"
    for n in range(1, 6):
        dispatch("profile", "customer_created", customer_created(f"c{n}"))
    wait_for(lambda: owned(db) == 6, what="6 owners")
    assert owners_in_turn_order(db) == ["alice", "bob", "carol", "alice", "bob", "alice"]
    decided = {d["customer_id"]: d["owner_id"] for d in db.rotations.find_one({"_id": EVERYONE})["decisions"]}
    assert [call(pool, "get_owner", f"c{n}")["owner_id"] for n in range(6)] == [decided[f"c{n}"] for n in range(6)]
    assert call(pool, "get_owner", "c0")["state"] == "owned"
    with pytest.raises(NotFound):
        call(pool, "get_owner", "c-missing")


def test_a_redelivered_customer_keeps_its_owner_and_takes_no_turn(container_factory, config, db):
    pool = start_pool(container_factory, config)
    file_customers(pool, config, "c0", "c0", "c1")
    assert owners_in_turn_order(db) == ["alice", "bob"]
    assert owned(db) == 2


def test_the_order_survives_a_restart(container_factory, config, db):
    first = start_pool(container_factory, config)
    file_customers(first, config, "c0", "c1", "c2")
    first.stop()
    second = start_pool(container_factory, config)
    file_customers(second, config, "c3", "c4", "c5")
    assert owners_in_turn_order(db) == ["alice", "bob", "carol", "alice", "bob", "alice"]


def test_two_instances_racing_never_give_a_customer_two_owners_nor_skew_the_shares(container_factory, config, db):
    start_pool(container_factory, config)
    start_pool(container_factory, config)
    dispatch = event_dispatcher(config)
    customers = [f"c{n}" for n in range(30)]
    for customer in customers + customers[:10]:  # a third of them delivered twice
        dispatch("profile", "customer_created", customer_created(customer))
    wait_for(lambda: owned(db) == 30, what="30 owners")
    wait_for(lambda: len(owners_in_turn_order(db)) == 30, what="30 turns")
    order = owners_in_turn_order(db)
    assert [order.count(name) for name in ("alice", "bob", "carol")] == [15, 10, 5]
    assert order == ["alice", "bob", "carol", "alice", "bob", "alice"] * 5
    decided = {d["customer_id"]: d["owner_id"] for d in db.rotations.find_one({"_id": EVERYONE})["decisions"]}
    assert all(db.holdings.find_one({"_id": c})["owner_id"] == decided[c] for c in customers)


def test_with_nobody_eligible_the_customer_waits_in_the_pool_and_a_manager_is_told(container_factory, config, db):
    config["BATON"]["allocation"]["salespeople"] = [{"id": "alice", "weight": 0}]
    pool = start_pool(container_factory, config)
    stalled = started(container_factory, recorder_of("pool", "allocation_stalled"), config)
    with entrypoint_waiter(stalled, "record") as event:
        file_customers(pool, config, "c0")
    assert event.get()["reasons"] == {"alice": ["weight: weight 0"]} or "alice" in event.get()["reasons"]
    holding = call(pool, "get_owner", "c0")
    assert (holding["state"], holding["owner_id"], holding["reason"]) == ("public_pool", None, "nobody eligible")
    assert call(pool, "search_pool", {"reason": "nobody eligible"})["total"] == 1


def test_a_customer_waiting_for_review_is_not_allocated(container_factory, config, db):
    pool = start_pool(container_factory, config)
    with entrypoint_waiter(pool, "on_customer_created"):
        event_dispatcher(config)("profile", "customer_created", {**customer_created("c0"), "needs_review": True})
    assert owned(db) == 0 and call(pool, "get_owner", "c0")["state"] == "public_pool"


def test_markets_and_leave_decide_who_is_eligible_without_resetting_anyones_turn(container_factory, config, db):
    pool = start_pool(container_factory, config)
    call(pool, "update_salesperson", "carol", {"by": "manager", "markets": ["US"]})
    file_customers(pool, config, *(f"de{n}" for n in range(5)), country="DE")
    file_customers(pool, config, *(f"us{n}" for n in range(6)), country="US")
    owners = {h["_id"]: h["owner_id"] for h in db.holdings.find()}
    assert {owners[f"de{n}"] for n in range(5)} <= {"alice", "bob"}  # carol serves the US only
    assert [owners[f"de{n}"] for n in range(5)] == ["alice", "bob", "alice", "bob", "alice"]
    assert [owners[f"us{n}"] for n in range(6)] == ["alice", "bob", "carol", "alice", "bob", "alice"]
    call(pool, "update_salesperson", "bob", {"by": "manager", "on_leave": True})
    file_customers(pool, config, "de5", "de6", "de7", country="DE")
    assert {db.holdings.find_one({"_id": f"de{n}"})["owner_id"] for n in (5, 6, 7)} == {"alice"}
    people = {p["id"]: p for p in call(pool, "list_salespeople")["items"]}
    assert people["bob"]["on_leave"] and people["carol"]["markets"] == ["US"] and people["alice"]["held"] == 9


def test_fifty_claimers_on_the_same_customers_leave_each_with_exactly_one_owner(container_factory, config, db):
    """Fifty salespeople claim the same ten customers at once over RPC, through two pool instances."""
    names = [f"s{n:02d}" for n in range(50)]
    config["BATON"]["allocation"]["salespeople"] = [{"id": name, "weight": 0} for name in names]
    config["BATON"]["pool"]["claim_limits"] = {"per_day": 100, "per_week": 100, "per_month": 100, "max_held": 100}
    first = start_pool(container_factory, config)
    customers = [f"c{n}" for n in range(10)]
    file_customers(first, config, *customers)  # nobody has weight: all wait in the pool
    start_pool(container_factory, config)  # a second instance shares the RPC queue
    outcomes = []

    def claimer(name):
        with ClusterRpcProxy(config) as cluster:
            for customer_id in customers:
                try:
                    cluster.pool.claim(customer_id, {"by": name})
                    outcomes.append((customer_id, name, None))
                except Conflict as refused:  # our errors cross RPC as themselves
                    outcomes.append((customer_id, name, refused.details.get("owner_id")))

    pile = eventlet.GreenPile(50)
    for name in names:
        pile.spawn(claimer, name)
    list(pile)
    assert len(outcomes) == 500
    winners = {c: [name for c2, name, refusal in outcomes if c2 == c and refusal is None] for c in customers}
    assert all(len(w) == 1 for w in winners.values()), winners
    for customer_id, _name, refusal in outcomes:
        if refusal is not None:  # the loser is told who won
            assert refusal == winners[customer_id][0]
    assert {h["_id"]: h["owner_id"] for h in db.holdings.find()} == {c: w[0] for c, w in winners.items()}
    claims_counted = sum(len(doc["claims"]) for doc in db.claimers.find())
    assert claims_counted == 10  # lost races do not count against a limit


def test_claim_limits_say_which_limit_and_when_it_resets(container_factory, config, db):
    config["BATON"]["pool"]["claim_limits"] = {"per_day": 2, "per_week": 20, "per_month": 60, "max_held": 200}
    config["BATON"]["allocation"]["salespeople"] = [
        {"id": "alice", "weight": 0},
        {"id": "boss", "weight": 0, "role": "manager"},
    ]
    pool = start_pool(container_factory, config)
    file_customers(pool, config, "c0", "c1", "c2", "c3")
    call(pool, "claim", "c0", {"by": "alice"})
    call(pool, "claim", "c1", {"by": "alice"})
    with pytest.raises(Conflict) as refused:
        call(pool, "claim", "c2", {"by": "alice"})
    assert refused.value.details["limit"] == "per_day" and refused.value.details["resets_at"].endswith("+08:00")
    assert "daily claim limit of 2 reached; resets at" in refused.value.message
    call(pool, "claim", "c2", {"by": "boss"})
    call(pool, "claim", "c3", {"by": "boss"})  # managers: no limit configured
    with pytest.raises(InvalidInput):
        call(pool, "claim", "c3", {"by": "nobody-here"})


def as_user(container, method, actor, *args):
    """Call as a person the gateway authenticated: (user id, role, department)."""
    user_id, role, department = actor
    with entrypoint_hook(
        container,
        method,
        context_data={"actor": {"user_id": user_id, "role": role, "department": department, "team": None}},
    ) as hook:
        return hook(*args)


def test_the_claims_left_are_the_claim_rule_s_own_limits_and_counts(container_factory, config, db):
    config["BATON"]["pool"]["claim_limits"] = {"per_day": 2, "per_week": 3, "per_month": 60, "max_held": 5}
    config["BATON"]["allocation"]["salespeople"] = [
        {"id": "alice", "weight": 0},
        {"id": "boss", "weight": 0, "role": "manager"},
    ]
    pool = start_pool(container_factory, config)
    file_customers(pool, config, "c0", "c1", "c2", "c3")
    fresh = call(pool, "claim_allowance", "alice")
    assert fresh["user_id"] == "alice" and (fresh["held"], fresh["max_held"]) == (0, 5)
    assert [(p["period"], p["used"], p["limit"], p["remaining"]) for p in fresh["limits"]] == [
        ("day", 0, 2, 2),
        ("week", 0, 3, 3),
        ("month", 0, 60, 60),
    ]
    assert all(p["resets_at"].endswith("+08:00") for p in fresh["limits"])  # BATON.pool.time_zone
    call(pool, "claim", "c0", {"by": "alice"})
    call(pool, "claim", "c1", {"by": "alice"})
    used = call(pool, "claim_allowance", "alice")
    assert [(p["period"], p["used"], p["remaining"]) for p in used["limits"]] == [
        ("day", 2, 0),
        ("week", 2, 1),
        ("month", 2, 58),
    ]
    assert used["held"] == 2
    with pytest.raises(Conflict) as refused:  # the claim rule agrees, to the second
        call(pool, "claim", "c2", {"by": "alice"})
    assert (refused.value.details["limit"], refused.value.details["resets_at"]) == (
        "per_day",
        used["limits"][0]["resets_at"],
    )
    assert call(pool, "claim_allowance", "alice") == used  # a refused claim counts for nothing
    boss = call(pool, "claim_allowance", "boss")  # BATON.pool.role_limits: managers have none
    assert [(p["used"], p["limit"], p["remaining"]) for p in boss["limits"]] == [(0, None, None)] * 3
    assert boss["max_held"] is None
    assert db.claimers.find_one({"_id": "boss"}) is None  # reading writes nothing
    with pytest.raises(NotFound):
        call(pool, "claim_allowance", "nobody-here")


def test_a_person_sees_their_own_claims_a_manager_their_department_s_and_an_admin_anyone_s(container_factory, config):
    pool = start_pool(container_factory, config)
    for caller in (("alice", "member", "sales"), ("meier", "manager", "sales"), ("root", "admin", None)):
        assert as_user(pool, "claim_allowance", caller, "alice")["user_id"] == "alice", caller
    for caller in (("bob", "member", "sales"), ("sam", "manager", "service"), ("web", "integration", None)):
        with pytest.raises(Forbidden) as refused:
            as_user(pool, "claim_allowance", caller, "alice")
        assert caller[0] in refused.value.message and "alice" in refused.value.message
    with pytest.raises(Forbidden):  # refused before anyone is looked up
        as_user(pool, "claim_allowance", ("bob", "member", "sales"), "nobody-here")
    with pytest.raises(NotFound):
        as_user(pool, "claim_allowance", ("meier", "manager", "sales"), "nobody-here")


def test_released_customers_need_a_reason_and_are_protected_from_their_releaser(container_factory, config, db):
    config["BATON"]["allocation"]["salespeople"] = [{"id": "alice", "weight": 1}, {"id": "bob", "weight": 0}]
    pool = start_pool(container_factory, config)
    returned = started(container_factory, recorder_of("pool", "customer_returned"), config)
    file_customers(pool, config, "c0")
    with pytest.raises(InvalidInput) as blank:
        call(pool, "release", "c0", {"by": "alice", "reason": "   "})
    assert blank.value.details["fields"] == {"reason": ["A reason is required."]}
    with entrypoint_waiter(returned, "record") as event:
        call(pool, "release", "c0", {"by": "alice", "reason": "no answer to 4 mails since June"})
    assert (event.get()["state"], event.get()["previous_owner_id"]) == ("public_pool", "alice")
    with pytest.raises(Conflict) as not_owned:
        call(pool, "release", "c0", {"by": "alice", "reason": "again"})
    assert "only an owned customer" in not_owned.value.message
    with pytest.raises(Conflict) as protected:
        call(pool, "claim", "c0", {"by": "alice"})
    assert protected.value.details["limit"] == "release_protection"
    assert call(pool, "claim", "c0", {"by": "bob"})["owner_id"] == "bob"
    found = call(pool, "search_pool", {"state": "owned", "owner_id": "bob"})["items"]
    assert [(f["customer_id"], f["reason"]) for f in found] == [("c0", "claimed")]


def test_neglected_customers_are_warned_then_returned_and_silent_ones_go_dormant(container_factory, config, db):
    pool = start_pool(container_factory, config)
    warned = started(container_factory, recorder_of("pool", "recycling_warned"), config)
    file_customers(pool, config, "c0", "c1")
    now = datetime.now(UTC)
    assert call(pool, "run_sweep", now.isoformat()) == {"warned": 0, "returned": 0, "dormant": 0}
    with entrypoint_waiter(warned, "record") as event:
        assert call(pool, "run_sweep", (now + timedelta(days=13)).isoformat())["warned"] == 2
    assert event.get()["reason"] == "no follow-up recorded for 15 days"
    assert call(pool, "run_sweep", (now + timedelta(days=13, hours=1)).isoformat())["warned"] == 0  # warned once
    swept = call(pool, "run_sweep", (now + timedelta(days=16, hours=1)).isoformat())
    assert swept["returned"] == 2
    assert call(pool, "get_owner", "c0")["reason"] == "recycled: no follow-up recorded for 15 days"
    # the owner it was taken from may not claim it straight back; a colleague may
    with pytest.raises(Conflict) as refused:
        call(pool, "claim", "c0", {"by": "alice"})
    assert refused.value.details["limit"] == "recycle_protection"
    assert refused.value.details["reason"] == "no follow-up recorded for 15 days"
    # a follow-up recorded (profile's update) keeps a claimed customer
    call(pool, "claim", "c0", {"by": "bob"})
    later = now + timedelta(days=400)
    with entrypoint_waiter(pool, "on_customer_updated"):
        event_dispatcher(config)(
            "profile",
            "customer_updated",
            dump_event(
                "customer_updated",
                {
                    "customer_id": "c1",
                    "version": 5,
                    "company": "Acme",
                    "country": "DE",
                    "intent_grade": "C",
                    "stage": "lost",
                    "tags": ["lost"],
                    "last_contact_at": now,
                    "last_follow_up_at": now,
                    "has_open_need": False,
                    "deal_closed": False,
                },
            ),
        )
    assert call(pool, "run_sweep", later.isoformat())["dormant"] == 1
    assert call(pool, "get_owner", "c1")["state"] == "dormant"
    assert call(pool, "search_pool", {"state": "dormant", "country": "DE"})["items"][0]["customer_id"] == "c1"
    assert [i["customer_id"] for i in call(pool, "search_pool", {"state": "dormant", "tag": "lost"})["items"]] == ["c1"]
    assert call(pool, "search_pool", {"state": "dormant", "tag": "quoted"})["total"] == 0


def test_the_pool_is_searched_by_country_in_any_spelling(container_factory, config, db):
    pool = start_pool(container_factory, config)
    with entrypoint_waiter(pool, "on_customer_created"):  # flagged for review: it stays in the public pool
        event_dispatcher(config)(
            "profile",
            "customer_created",
            dump_event(
                "customer_created",
                {
                    "customer_id": "c1",
                    "inquiry_id": "inq_c1",
                    "occurred_at": AT,
                    "company": "Acme",
                    "country": "Deutschland",
                    "country_code": "DE",
                    "intent_grade": "B",
                    "needs_review": True,
                },
            ),
        )
    for spelling in ("Germany", "德国", "Deutschland", "DEU", "de"):
        assert [i["customer_id"] for i in call(pool, "search_pool", {"country": spelling})["items"]] == ["c1"], spelling
    [entry] = call(pool, "search_pool", {"country": "Germany"})["items"]
    assert (entry["country"], entry["country_code"]) == ("Deutschland", "DE")
    assert call(pool, "search_pool", {"country": "France"})["total"] == 0
    with pytest.raises(InvalidInput) as refused:
        call(pool, "search_pool", {"country": "Xyzland"})
    assert list(refused.value.details["fields"]) == ["country"] and "Unknown country 'Xyzland'" in refused.value.message
    # a holding from before holdings kept a code (its country then an ISO code) is found once backfilled
    old = {k: v for k, v in db.holdings.find_one({"_id": "c1"}).items() if k != "country_code"}
    db.holdings.replace_one({"_id": "c1"}, {**old, "country": "DE"})
    assert call(pool, "search_pool", {"country": "DE"})["total"] == 0
    assert call(pool, "backfill_country_codes", {"limit": 10}) == {"examined": 1, "written": 1, "next_after": None}
    assert [i["customer_id"] for i in call(pool, "search_pool", {"country": "Germany"})["items"]] == ["c1"]
    assert call(pool, "backfill_country_codes", {})["written"] == 0  # again: nothing left to fill


def test_a_new_inquiry_wakes_a_dormant_customer_and_a_rejected_one_is_reviewed(container_factory, config, db):
    pool = start_pool(container_factory, config)
    file_customers(pool, config, "c0", "c1")
    call(pool, "reject", "c0", {"by": "manager", "reason": "need mismatch"})
    db.holdings.replace_one(
        {"_id": "c1"}, {**db.holdings.find_one({"_id": "c1"}), "state": "dormant", "owner_id": None}
    )
    dispatch = event_dispatcher(config)
    for customer_id in ("c0", "c1"):
        with entrypoint_waiter(pool, "on_inquiry_matched"):
            dispatch(
                "profile",
                "inquiry_matched",
                dump_event(
                    "inquiry_matched",
                    {"customer_id": customer_id, "inquiry_id": "inq_new", "occurred_at": AT, "matched_on": "email"},
                ),
            )
    assert call(pool, "get_owner", "c1")["state"] == "owned"  # reactivated, allocated again
    assert call(pool, "contact_status", {"customer_ids": ["c0", "c1"]})["items"] == [
        {"customer_id": "c0", "state": "rejected", "do_not_contact": True, "reason": "rejected: need mismatch"},
        {
            "customer_id": "c1",
            "state": "owned",
            "do_not_contact": False,
            "reason": "reactivated by new inquiry, weighted round-robin",
        },
    ]
    review = call(pool, "rejected_for_review", {})
    assert [(r["customer_id"], r["new_inquiry"]) for r in review["items"]] == [("c0", True)]
    call(pool, "reactivate", "c0", {"by": "manager", "reason": "new price list"})
    assert call(pool, "get_owner", "c0")["state"] == "public_pool"


def test_customers_whose_inquiry_asked_for_the_pool_wait_there_unallocated(container_factory, config, db):
    pool = start_pool(container_factory, config)
    returned = started(container_factory, recorder_of("pool", "customer_returned"), config)
    file_customers(pool, config, "c0", "c1", allocate=False)
    file_customers(pool, config, "c2")
    assert [call(pool, "get_owner", c)["owner_id"] for c in ("c0", "c1", "c2")] == [None, None, "alice"]
    assert owners_in_turn_order(db) == ["alice"]  # the pooled ones took nobody's turn
    waiting = call(pool, "search_pool", {"reason": "not allocated"})
    assert sorted(i["customer_id"] for i in waiting["items"]) == ["c0", "c1"]
    assert waiting["items"][0]["reason"] == "not allocated: its inquiry asked for the public pool"
    call(pool, "claim", "c0", {"by": "bob"})  # claimed like any pool customer
    assert call(pool, "get_owner", "c0")["owner_id"] == "bob"
    # A dormant customer an inquiry for the pool brings back returns to the pool, still unallocated.
    dormant = {**db.holdings.find_one({"_id": "c2"}), "state": "dormant", "owner_id": None}
    db.holdings.replace_one({"_id": "c2"}, dormant)
    with entrypoint_waiter(returned, "record") as event:
        with entrypoint_waiter(pool, "on_inquiry_matched"):
            event_dispatcher(config)(
                "profile",
                "inquiry_matched",
                dump_event(
                    "inquiry_matched",
                    {
                        "customer_id": "c2",
                        "inquiry_id": "inq_backlog",
                        "occurred_at": AT,
                        "matched_on": "email",
                        "allocate": False,
                    },
                ),
            )
    assert (event.get()["state"], event.get()["reason"]) == ("public_pool", "reactivated by new inquiry")
    assert (call(pool, "get_owner", "c2")["state"], call(pool, "get_owner", "c2")["owner_id"]) == ("public_pool", None)


def test_a_leaver_s_customers_all_move_with_a_record_of_where(container_factory, config, db):
    pool = start_pool(container_factory, config)
    file_customers(pool, config, *(f"c{n}" for n in range(6)))  # alice 3, bob 2, carol 1
    record = call(pool, "salesperson_leaves", "alice", {"by": "manager"})
    assert sorted(m["customer_id"] for m in record["moved"]) == ["c0", "c3", "c5"]
    assert {m["to"] for m in record["moved"]} <= {"bob", "carol"}
    assert db.holdings.count_documents({"owner_id": "alice"}) == 0
    assert call(pool, "get_reassignment", record["id"])["leaver"] == "alice"
    named = call(pool, "salesperson_leaves", "bob", {"by": "manager", "to": "carol"})
    assert {m["to"] for m in named["moved"]} == {"carol"}
    assert db.holdings.count_documents({"state": "owned", "owner_id": "carol"}) == 6
    file_customers(pool, config, "c6")
    assert db.holdings.find_one({"_id": "c6"})["owner_id"] == "carol"  # leavers take no new customers


def user_saved(pool, config, version, **user):
    with entrypoint_waiter(pool, "on_user_saved"):
        event_dispatcher(config)(
            "gateway",
            "user_saved",
            dump_event(
                "user_saved",
                {
                    "user_id": "li.wei",
                    "name": "Li Wei",
                    "role": "member",
                    "department": "sales",
                    "team": None,
                    "active": True,
                    "version": version,
                    "at": AT,
                    **user,
                },
            ),
        )


def test_a_member_added_to_sales_by_an_admin_joins_the_rotation_and_leaves_it_when_deactivated(
    container_factory, config, db
):
    pool = start_pool(container_factory, config)
    user_saved(pool, config, 0, user_id="mia", department="marketing")  # not a seller
    user_saved(pool, config, 0, user_id="meier", role="manager")  # manages, is not allocated to
    user_saved(pool, config, 0)  # an id with a ".", as many companies use
    assert [p["id"] for p in call(pool, "list_salespeople")["items"]] == ["alice", "bob", "carol", "li.wei"]
    li_wei = db.salespeople.find_one({"_id": "li.wei"})
    assert (li_wei["configured_weight"], li_wei["markets"], li_wei["active"]) == (1, [], True)
    file_customers(pool, config, *(f"c{n}" for n in range(7)))  # 3:2:1:1
    assert db.holdings.count_documents({"owner_id": "li.wei"}) == 1
    user_saved(pool, config, 1, active=False)
    user_saved(pool, config, 0)  # redelivered, older: changes nothing
    file_customers(pool, config, *(f"d{n}" for n in range(7)))
    assert db.holdings.count_documents({"owner_id": "li.wei"}) == 1  # no new customers while deactivated
    user_saved(pool, config, 2)
    assert db.salespeople.find_one({"_id": "li.wei"})["active"] is True


def test_a_leaver_serving_notice_keeps_the_customers_and_each_goes_when_its_successor_signs(
    container_factory, config, db
):
    pool = start_pool(container_factory, config)
    file_customers(pool, config, *(f"c{n}" for n in range(6)))  # alice 3, bob 2, carol 1
    planned = call(pool, "salesperson_leaves", "alice", {"by": "manager", "effective": "on_acceptance"})
    assert {(m["customer_id"], m["effective"]) for m in planned["moved"]} == {
        ("c0", "on_acceptance"),
        ("c3", "on_acceptance"),
        ("c5", "on_acceptance"),
    }
    assert {m["to"] for m in planned["moved"]} <= {"bob", "carol"}
    assert db.holdings.count_documents({"owner_id": "alice"}) == 3  # nothing moved yet
    again = call(pool, "salesperson_leaves", "alice", {"by": "manager", "effective": "on_acceptance"})
    assert again["moved"] == planned["moved"]  # asked twice: chosen once
    file_customers(pool, config, "c6")
    assert db.holdings.find_one({"_id": "c6"})["owner_id"] != "alice"  # serving notice: no new customers
    chosen = {m["customer_id"]: m["to"] for m in planned["moved"]}
    with entrypoint_waiter(pool, "on_handoff_accepted"):
        event_dispatcher(config)(
            "handoff",
            "handoff_accepted",
            dump_event(
                "handoff_accepted",
                {
                    "handoff_id": "hof_1",
                    "customer_id": "c0",
                    "kind": "salesperson_leaving",
                    "by": chosen["c0"],
                    "at": AT,
                    "complete": True,
                    "from_user": "alice",
                    "new_owner_id": chosen["c0"],
                },
            ),
        )
    assert call(pool, "get_owner", "c0")["owner_id"] == chosen["c0"]
    gone = call(pool, "salesperson_leaves", "alice", {"by": "manager", "effective": "now"})
    assert gone["id"] == planned["id"]
    assert {(m["customer_id"], m["to"], m["effective"]) for m in gone["moved"][3:]} == {
        ("c3", chosen["c3"], "now"),
        ("c5", chosen["c5"], "now"),
    }
    assert db.holdings.count_documents({"owner_id": "alice"}) == 0  # gone: the rest went to whom was chosen


@pytest.fixture
def key_account_plugins(tmp_path, monkeypatch):
    """An installed distribution with two allocation-rule plugins: one sound, one broken."""
    (tmp_path / "acme_allocation.py").write_text(
        textwrap.dedent("""
        from plugins import hookimpl
        from plugins.declarations import AllocationRule

        def _key_accounts(person, customer):
            return None if customer.intent_grade != "A" or person.id == "alice" else "A customers go to alice"

        @hookimpl
        def baton_allocation_rules():
            return [AllocationRule("key_accounts", _key_accounts)]
    """)
    )
    (tmp_path / "broken_allocation.py").write_text(
        textwrap.dedent("""
        from plugins import hookimpl
        from plugins.declarations import AllocationRule

        @hookimpl
        def baton_allocation_rules():
            return [AllocationRule("crm_sync", lambda person, customer: 1 / 0)]
    """)
    )
    dist = tmp_path / "acme_allocation-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-allocation\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[baton.plugins]\nkey_accounts = acme_allocation\nbroken_allocation = broken_allocation\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield
    for module in ("acme_allocation", "broken_allocation"):
        sys.modules.pop(module, None)


def test_rules_from_config_and_plugins_decide_who_is_eligible(container_factory, config, db, key_account_plugins):
    config["BATON"]["plugins"]["enabled"] = ["key_accounts"]
    config["BATON"]["allocation"]["rules"] = ["on_leave", "weight"]  # markets switched off
    pool = start_pool(container_factory, config)
    call(pool, "update_salesperson", "carol", {"by": "manager", "markets": ["US"]})
    file_customers(pool, config, "a0", "a1", grade="A", country="DE")
    file_customers(pool, config, "b0", "b1", "b2", grade="B", country="DE")
    owners = {h["_id"]: h["owner_id"] for h in db.holdings.find()}
    assert (owners["a0"], owners["a1"]) == ("alice", "alice")  # the plugin's rule
    assert sorted(owners[f"b{n}"] for n in range(3)) == ["alice", "bob", "carol"]  # carol: markets are off


def test_a_broken_rule_plugin_is_named_and_the_customer_waits_for_a_manager(
    container_factory, config, db, key_account_plugins
):
    config["BATON"]["plugins"]["enabled"] = ["broken_allocation"]
    pool = start_pool(container_factory, config)
    stalled = started(container_factory, recorder_of("pool", "allocation_stalled"), config)
    with entrypoint_waiter(stalled, "record") as event:
        file_customers(pool, config, "c0")
    [reason] = event.get()["reasons"][""]
    assert reason.startswith("plugin 'broken_allocation' failed in baton_allocation_rules: rule 'crm_sync' raised")
    holding = call(pool, "get_owner", "c0")
    assert (holding["state"], holding["owner_id"]) == ("public_pool", None)
    assert holding["reason"].startswith("nobody eligible: plugin 'broken_allocation'")


def test_the_holding_cap_holds_under_concurrent_allocations_and_claims(container_factory, config, db):
    """Two pool instances allocate forty customers at once while bob clicks claim on twenty: nobody
    ends above the cap of 3, and those left over wait in the pool."""
    config["BATON"]["allocation"]["salespeople"] = [{"id": "alice", "weight": 1}, {"id": "bob", "weight": 0}]
    config["BATON"]["pool"]["claim_limits"] = {"per_day": 100, "per_week": 100, "per_month": 100, "max_held": 3}
    first = start_pool(container_factory, config)
    pooled = [f"p{n}" for n in range(20)]
    file_customers(first, config, *pooled, allocate=False)  # waiting to be claimed
    start_pool(container_factory, config)  # a second instance shares the queues
    dispatch = event_dispatcher(config)
    outcomes = []

    def claimer(customer_id):
        with ClusterRpcProxy(config) as cluster:
            try:
                cluster.pool.claim(customer_id, {"by": "bob"})
                outcomes.append("claimed")
            except Conflict as refused:
                outcomes.append(refused.details.get("limit"))

    pile = eventlet.GreenPile(len(pooled))
    for customer_id in pooled:
        pile.spawn(claimer, customer_id)
    for n in range(40):
        dispatch("profile", "customer_created", customer_created(f"new{n}"))
    list(pile)
    wait_for(
        lambda: (
            db.holdings.count_documents(
                {
                    "_id": {"$in": [f"new{n}" for n in range(40)]},
                    "reason": {"$in": ["nobody eligible", "weighted round-robin"]},
                }
            )
            == 40
        ),
        timeout=60,
        what="40 allocations decided",
    )
    assert sorted(outcomes) == ["claimed"] * 3 + ["max_held"] * 17
    assert {p: db.holdings.count_documents({"owner_id": p, "state": "owned"}) for p in ("alice", "bob")} == {
        "alice": 3,
        "bob": 3,
    }
    assert db.holdings.count_documents({"reason": "nobody eligible"}) == 37


# --- one list of people: salespeople are users (issue 15, item 2) ---------------------------------


def test_only_active_users_are_allocated_to_whatever_the_configuration_lists(container_factory, config, db):
    # "ghost" is configured but no user; "old" was seeded by name by an older configuration.
    config["BATON"]["allocation"]["salespeople"] = [
        {"id": "alice", "weight": 1},
        {"id": "bob", "weight": 1},
        {"id": "ghost", "weight": 5},
    ]
    db.salespeople.insert_one(
        {
            "_id": "old",
            "order": 0,
            "team": "default",
            "department": "sales",
            "role": "sales",
            "markets": [],
            "grades": [],
            "on_leave": False,
            "active": True,
            "configured_weight": 9,
            "computed_weight": None,
            "weight_override": None,
            "conversion_rate": None,
            "since": AT,
            "version": 0,
        }
    )
    pool = started(
        container_factory,
        PoolService,
        {
            **config,
            "BATON": {
                **config["BATON"],
                "allocation": {
                    **config["BATON"]["allocation"],
                    "salespeople": [{"id": "alice", "weight": 1}, {"id": "bob", "weight": 1}],
                },
            },
        },
    )
    file_customers(pool, config, "c0", "c1", "c2", "c3")
    assert {db.holdings.find_one({"_id": f"c{n}"})["owner_id"] for n in range(4)} == {"alice", "bob"}
    people = {p["id"]: p for p in call(pool, "list_salespeople")["items"]}
    assert "ghost" not in people and people["old"]["active"] is False
    # a user leaving the department is no longer allocated to; nor is anyone once every user has gone
    for version, person in enumerate(("alice", "bob"), start=2):
        call(
            pool,
            "on_user_saved",
            dump_event(
                "user_saved",
                {
                    "user_id": person,
                    "name": person,
                    "role": "member",
                    "department": "service",
                    "team": "default",
                    "active": True,
                    "version": version,
                    "at": AT,
                },
            ),
        )
    file_customers(pool, config, "c4")
    assert db.holdings.find_one({"_id": "c4"})["owner_id"] is None


# --- marketing's screening (issue 15, item 1) -----------------------------------------------------


def test_with_screening_a_new_lead_waits_unowned_until_marketing_decides(container_factory, config, db):
    config["BATON"]["allocation"]["screening"] = True
    pool = start_pool(container_factory, config)
    file_customers(pool, config, "c0", "c1", "c2")
    assert owned(db) == 0 and call(pool, "get_owner", "c0")["state"] == "screening"
    assert [e["customer_id"] for e in call(pool, "screening_queue")["items"]] == ["c2", "c1", "c0"]
    with pytest.raises(Conflict):
        call(pool, "claim", "c0", {"by": "alice"})
    # the rotation's choice, the same when asked again (a retried hand-over takes no second turn)
    first = call(pool, "receiver_for_lead", "c0")["receiver"]
    assert first == "alice" and call(pool, "receiver_for_lead", "c0")["receiver"] == first
    assert call(pool, "receiver_for_lead", "c1")["receiver"] == "bob"
    with pytest.raises(InvalidInput):
        call(pool, "mark_invalid", "c2", {"by": "mia", "reason": " "})
    returned = started(container_factory, recorder_of("pool", "customer_returned"), config)
    with entrypoint_waiter(returned, "record") as event:
        marked = call(pool, "mark_invalid", "c2", {"by": "mia", "reason": "not target industry"})
    assert (marked["state"], event.get()["state"], event.get()["reason"]) == (
        "invalid",
        "invalid",
        "invalid: not target industry",
    )
    assert [e["customer_id"] for e in call(pool, "screening_queue")["items"]] == ["c1", "c0"]
    with pytest.raises(Conflict):
        call(pool, "receiver_for_lead", "c2")
    # accepted marketing → sales handoff: the receiver owns it
    allocated = started(container_factory, recorder_of("pool", "customer_allocated"), config)
    with entrypoint_waiter(allocated, "record") as event:
        event_dispatcher(config)(
            "handoff",
            "handoff_accepted",
            dump_event(
                "handoff_accepted",
                {
                    "handoff_id": "hof_1",
                    "kind": "marketing_to_sales",
                    "customer_id": "c0",
                    "by": first,
                    "from_user": "mia",
                    "to_departments": ["sales"],
                    "new_owner_id": first,
                    "collaborators": [],
                    "complete": True,
                    "at": AT,
                    "attempt": 1,
                },
            ),
        )
    assert event.get()["owner_id"] == first and call(pool, "get_owner", "c0")["state"] == "owned"


def test_without_screening_leads_are_allocated_on_arrival(container_factory, config, db):
    config["BATON"]["allocation"]["screening"] = False
    pool = start_pool(container_factory, config)
    file_customers(pool, config, "c0")
    assert call(pool, "get_owner", "c0")["owner_id"] == "alice"
    assert call(pool, "screening_queue")["total"] == 0


def summary(customer_id, version, stage="inquiry", tags=("inquiry", "DE"), last_contact_at=AT):
    """A ``customer_created``'s summary (the archive as ``customer_updated`` says it)."""
    return {
        "customer_id": customer_id,
        "version": version,
        "company": "Acme",
        "country": "Deutschland",
        "country_code": "DE",
        "intent_grade": "A",
        "stage": stage,
        "tags": list(tags),
        "last_contact_at": last_contact_at,
        "last_follow_up_at": None,
        "has_open_need": stage == "inquiry",
        "deal_closed": False,
    }


def test_a_new_customer_is_written_with_its_creations_summary_and_only_newer_updates_change_it(
    container_factory, config, db
):
    config["BATON"]["allocation"]["screening"] = False
    pool = start_pool(container_factory, config)
    dispatch = event_dispatcher(config)
    allocated_written = customer_created("c0", "DE", "A", summary=summary("c0", 3))
    asked_for_pool = customer_created("c1", "DE", "A", allocate=False, summary=summary("c1", 1))
    for customer_id, payload in (("c0", allocated_written), ("c1", asked_for_pool)):
        with entrypoint_waiter(pool, "on_customer_created"):
            dispatch("profile", "customer_created", payload)
        holding = db.holdings.find_one({"_id": customer_id})
        assert (holding["stage"], holding["tags"], holding["has_open_need"]) == ("inquiry", ["inquiry", "DE"], True)
        assert holding["last_contact_at"].replace(tzinfo=UTC) == AT and holding["company"] == "Acme"
    assert db.holdings.find_one({"_id": "c0"})["state"] == "owned"
    assert db.holdings.find_one({"_id": "c1"})["state"] == "public_pool"
    assert [db.holdings.find_one({"_id": c})["profile_version"] for c in ("c0", "c1")] == [3, 1]

    def update(version, stage):
        with entrypoint_waiter(pool, "on_customer_updated"):
            dispatch(
                "profile", "customer_updated", dump_event("customer_updated", summary("c0", version, stage, ("x",)))
            )
        return db.holdings.find_one({"_id": "c0"})

    assert update(2, "quoted")["stage"] == "inquiry"  # older than the creation's summary: ignored
    newer = update(4, "quoted")
    assert (newer["stage"], newer["tags"], newer["profile_version"]) == ("quoted", ["x"], 4)


def test_a_creation_without_a_summary_from_an_older_profile_is_placed_as_before(container_factory, config, db):
    config["BATON"]["allocation"]["screening"] = False
    pool = start_pool(container_factory, config)
    file_customers(pool, config, "c0", country="DE", grade="B")
    holding = db.holdings.find_one({"_id": "c0"})
    assert (holding["state"], holding["country_code"], holding["intent_grade"]) == ("owned", "DE", "B")
    assert (holding["stage"], holding["profile_version"]) == ("new_contact", 0)
