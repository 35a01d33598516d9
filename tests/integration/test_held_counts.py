"""Each person's counter of the customers they own (services/pool/counting.py), on the document
server: moved by every holding write, never below the truth when a step is in flight or lost,
recounted when it says "at the cap", and made for data from before counters by an upgrade."""

import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from services.pool.changing import change_holding
from services.pool.counting import STUCK_SECONDS, AtCap, owner_moves
from services.pool.domain.holdings import Facts, give_back, hand_over, new_holding, take
from services.pool.domain.rotation import Member
from services.pool.store import Pool, RotationMoved
from services.pool.upgrading import count_holdings_of_people
from services.runtime.audit import AuditRecorder, AuditTrail

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def pool(db):
    store = Pool(db.of("pool"))
    store.ensure_indexes()
    return store


def holding(customer_id):
    return new_holding(customer_id, "default", Facts(last_contact_at=NOW), NOW)


def claimed(pool, customer_id, owner):
    before = pool.holding(customer_id)
    assert pool.replace_holding(take(before, owner, "claimed", owner, NOW), before)


def both(pool, person):
    """(the counter, the holdings' own count)."""
    return pool.held(person), pool.held_by(person)


def test_owner_moves_names_who_gains_and_who_loses():
    pooled, owned = holding("c1"), take(holding("c1"), "alice", "claimed", "alice", NOW)
    assert owner_moves(pooled, owned) == ("alice", None)
    assert owner_moves(owned, give_back(owned, "public_pool", "released", "alice", NOW)) == (None, "alice")
    assert owner_moves(owned, hand_over(owned, "bob", "transferred", "boss", NOW)) == ("bob", "alice")
    assert owner_moves(owned, {**owned, "stage": "quoted"}) == (None, None)
    assert owner_moves(owned, None) == (None, "alice")
    assert owner_moves(None, pooled) == (None, None)


def test_every_holding_write_moves_the_owners_counters(pool):
    for n in range(5):
        pool.add_holding(holding(f"c{n}"))
    for n in range(3):
        claimed(pool, f"c{n}", "alice")
    claimed(pool, "c3", "bob")
    assert both(pool, "alice") == (3, 3) and both(pool, "bob") == (1, 1)
    before = pool.holding("c0")
    assert pool.replace_holding(hand_over(before, "bob", "transferred", "boss", NOW), before)
    before = pool.holding("c1")
    assert pool.replace_holding(give_back(before, "public_pool", "released", "alice", NOW), before)
    pool.forget("c2")  # merged away
    assert both(pool, "alice") == (0, 0) and both(pool, "bob") == (2, 2)
    stale = take(holding("c3"), "carol", "claimed", "carol", NOW)  # a write that loses its race
    assert not pool.replace_holding({**stale, "version": 99}, {**stale, "version": 98})
    assert both(pool, "carol") == (0, 0) and both(pool, "bob") == (2, 2)
    counter = pool.counts.counters.find_one({"_id": "bob"})
    assert (counter["pending_in"], counter["pending_out"]) == (0, 0)


def test_a_recount_during_a_step_in_flight_never_says_less_than_the_truth(pool):
    pool.add_holding(holding("c1"))
    claimed(pool, "c1", "alice")
    pool.add_holding(holding("c2"))
    # alice gains c2: the counter is raised, then a recount runs before the holding is written
    pool.counts.before_write("alice", None)
    assert pool.recount_held("alice") == 2  # 1 owned + 1 on its way
    before = pool.holding("c2")
    pool.holdings.replace_one({"_id": "c2"}, take(before, "alice", "claimed", "alice", NOW))
    pool.counts.after_write("alice", None, True)
    assert both(pool, "alice") == (2, 2)
    # she loses c1: the recount between the write and the counter's step counts it once more
    pool.counts.before_write(None, "alice")
    before = pool.holding("c1")
    pool.holdings.replace_one({"_id": "c1"}, give_back(before, "public_pool", "released", "alice", NOW))
    assert pool.recount_held("alice") == 2  # 1 owned + 1 on its way out: too strict, never too loose
    pool.counts.after_write(None, "alice", True)
    assert both(pool, "alice") == (1, 1)


def test_a_counter_at_the_cap_is_recounted_once_and_steps_lost_in_a_crash_expire(pool):
    for n in range(3):
        pool.add_holding(holding(f"c{n}"))
        claimed(pool, f"c{n}", "alice")
    pool.counts.before_write("alice", None)  # a process dies after raising the counter
    assert pool.held("alice") == 4
    assert pool.held("alice", at_most=4) == 4  # recounted: the step may still land
    pool.counts.counters.update_one({"_id": "alice"}, {"$set": {"moved_at": time.time() - STUCK_SECONDS - 1}})
    assert pool.held("alice", at_most=4) == 4  # recounted already, nothing moved since: believed
    assert pool.recount_held("alice") == 3  # the lost step is dropped once it is stuck
    assert pool.held("alice", at_most=3) == 3


def test_the_upgrade_counts_what_people_held_before_counters(pool, db):
    for n in range(4):
        pool.holdings.insert_one(take(holding(f"c{n}"), "alice" if n < 3 else "bob", "claimed", "x", NOW))
    for person in ("alice", "bob", "carol"):
        pool.people.insert_one({"_id": person, "version": 0})
    assert count_holdings_of_people(pool, None, 2) == "bob"
    assert count_holdings_of_people(pool, "bob", 2) is None
    found = {doc["_id"]: doc["held"] for doc in pool.counts.counters.find()}
    assert found == {"alice": 3, "bob": 1, "carol": 0}


def test_counters_never_fall_below_the_holdings_under_concurrent_moves_and_recounts(pool):
    """Threads move customers between people and the pool while others recount: an error either
    made (a lost step, a recount too low) would stay in the counter, so once all is still every
    counter is at least its holdings (over only by recounts that met a step half done) and a
    recount is exact."""
    people = ("alice", "bob", "carol")
    customers = [f"c{n}" for n in range(12)]
    for customer_id in customers:
        pool.add_holding(holding(customer_id))
    rng = random.Random(7)
    moves = [(rng.choice(customers), rng.choice((*people, None))) for _ in range(240)]

    def move(job):
        customer_id, to = job

        def change(h):
            if to is None:
                return None if h["state"] != "owned" else give_back(h, "public_pool", "released", "x", NOW)
            if h["state"] == "owned":
                return None if h["owner_id"] == to else hand_over(h, to, "transferred", "boss", NOW)
            return take(h, to, "claimed", to, NOW)

        change_holding(pool, customer_id, change)

    def recount(person):
        pool.recount_held(person)

    jobs = [(move, m) for m in moves] + [(recount, rng.choice(people)) for _ in range(120)]
    rng.shuffle(jobs)
    with ThreadPoolExecutor(8) as threads:
        list(threads.map(lambda job: job[0](job[1]), jobs))
    for person in people:
        counter = pool.counts.counters.find_one({"_id": person})
        assert (counter["pending_in"], counter["pending_out"]) == (0, 0)
        assert pool.held(person) >= pool.held_by(person)
        assert pool.recount_held(person) == pool.held_by(person)


def audited(pool, db):
    """The store as a worker has it: its writes land in the audit trail."""
    return pool.audited_by(AuditRecorder(AuditTrail(db.of("pool"), "pool"), None, "test"))


def turn_of(pool, key, customer_id):
    rotation, version = pool.rotation(key)
    owner, turned = rotation.with_members((Member("alice", 1), Member("bob", 1))).assign(customer_id)
    return owner, (key, turned, version)


def test_a_new_customer_is_written_with_its_turn_its_owners_counter_and_its_audit_entry_at_once(pool, db):
    pool = audited(pool, db)
    owner, turn = turn_of(pool, "default:alice,bob", "c1")
    stored, added = pool.add_allocated(take(holding("c1"), owner, "allocated", "pool", NOW), turn, cap=2)
    assert added and stored["owner_id"] == owner == "alice"
    assert pool.rotation("default:alice,bob")[0].decided("c1") == "alice"
    assert both(pool, "alice") == (1, 1)
    counter = pool.counts.counters.find_one({"_id": "alice"})
    assert counter["pending_in"] == 0
    assert pool.audit.trail.entries.count_documents({"resource_id": "c1"}) == 1
    # a second instance that read the rotation before that turn: nothing written, told to read again
    with pytest.raises(RotationMoved):
        pool.add_allocated(take(holding("c2"), "alice", "allocated", "pool", NOW), turn, cap=2)
    assert pool.holding("c2") is None and both(pool, "alice") == (1, 1)
    # redelivered: the holding stored first comes back, the counter is as it was
    again, added = pool.add_allocated(take(holding("c1"), "alice", "allocated", "pool", NOW), None, cap=2)
    assert (added, again["version"]) == (False, stored["version"])
    assert both(pool, "alice") == (1, 1)
    assert pool.counts.counters.find_one({"_id": "alice"})["pending_in"] == 0
    assert pool.audit.trail.entries.count_documents({"resource_id": "c1"}) == 1


def test_a_person_at_the_cap_is_given_nothing_by_a_new_holding_or_a_changed_one(pool, db):
    pool = audited(pool, db)
    pool.add_allocated(take(holding("c1"), "alice", "allocated", "pool", NOW), None, cap=1)
    with pytest.raises(AtCap):
        pool.add_allocated(take(holding("c2"), "alice", "allocated", "pool", NOW), None, cap=1)
    assert pool.holding("c2") is None
    pooled = pool.add_holding(holding("c3"))
    with pytest.raises(AtCap):
        pool.replace_holding(take(pooled, "alice", "claimed", "alice", NOW), pooled, cap=1)
    assert pool.holding("c3")["state"] == "public_pool" and both(pool, "alice") == (1, 1)
    assert pool.replace_holding(take(pooled, "bob", "claimed", "bob", NOW), pooled, cap=1)
    assert both(pool, "bob") == (1, 1)


def test_a_change_that_lost_its_race_leaves_no_audit_entry(pool, db):
    pool = audited(pool, db)
    pooled = pool.add_holding(holding("c1"))
    assert pool.replace_holding(take(pooled, "bob", "claimed", "bob", NOW), pooled)
    assert not pool.replace_holding(take(pooled, "carol", "claimed", "carol", NOW), pooled)  # read before bob's
    changes = [e["changes"] for e in pool.audit.trail.entries.find({"resource_id": "c1"})]
    assert len(changes) == 2 and changes[1]["owner_id"]["after"] == "bob"
    assert both(pool, "carol") == (0, 0) and both(pool, "bob") == (1, 1)


def test_caps_hold_when_instances_allocate_to_the_same_people_at_once(pool):
    """Threads (as instances would) give new customers to two people capped at 5, without any lease:
    the counters' guarded steps let exactly five each through."""

    def allocate(n):
        customer_id, owner = f"c{n}", ("alice", "bob")[n % 2]
        try:
            return pool.add_allocated(take(holding(customer_id), owner, "allocated", "pool", NOW), None, cap=5)[1]
        except AtCap:
            return False

    with ThreadPoolExecutor(8) as threads:
        added = list(threads.map(allocate, range(40)))
    assert sum(added) == 10
    assert both(pool, "alice") == (5, 5) and both(pool, "bob") == (5, 5)
