"""The same checks of behaviour against pool's real store on the document server and its in-memory
fake (``tests.fakes.pool.FakePoolStore``), so the fast application tests stand on what the real
store does: first versions on insert, guarded writes that move the version, the sweep's ranges to
the millisecond and paged in clock order, counts that follow the holdings, guarded rotations."""

from datetime import UTC, datetime, timedelta

import pytest

from services.pool.domain.holdings import Facts, give_back, new_holding, take, warned
from services.pool.domain.recycling import NO_DEAL, NO_FOLLOW_UP, OWNED, PUBLIC_POOL, Warn
from services.pool.domain.rotation import Member, Rotation
from services.pool.store import Pool
from tests.fakes.pool import FakePoolStore

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(params=["real", "fake"])
def pool(request):
    if request.param == "fake":
        return FakePoolStore()
    store = Pool(request.getfixturevalue("db").of("pool"))
    store.ensure_indexes()
    return store


def owned(customer_id, owner="alice", claimed_days_ago=30, warned_of=None):
    facts = Facts(last_follow_up_at=NOW - claimed_days_ago * DAY, last_contact_at=NOW - claimed_days_ago * DAY)
    holding = take(new_holding(customer_id, "default", facts, NOW - 900 * DAY), owner, "claimed", owner, NOW)
    holding = {**holding, "allocated_at": NOW - claimed_days_ago * DAY, "follow_up_clock": NOW - claimed_days_ago * DAY}
    return warned(holding, warned_of.key) if warned_of else holding


def test_a_holding_is_added_once_at_its_first_version(pool):
    first = pool.add_holding(new_holding("cus_1", "default", Facts(company="A"), NOW))
    again = pool.add_holding(new_holding("cus_1", "default", Facts(company="B"), NOW))
    assert (first["version"], again["company"], pool.holding("cus_1")["company"]) == (0, "A", "A")


def test_a_guarded_write_moves_the_version_and_a_stale_one_is_refused(pool):
    before = pool.add_holding(new_holding("cus_1", "default", Facts(), NOW))
    taken = take(before, "bob", "claimed", "bob", NOW)
    assert "version" in taken and taken["version"] == before["version"]  # the domain never moves it
    assert pool.replace_holding(taken, before) is True
    assert pool.holding("cus_1")["version"] == 1
    assert pool.replace_holding(give_back(taken, PUBLIC_POOL, "released: x", "bob", NOW), before) is False
    assert (pool.holding("cus_1")["owner_id"], pool.held("bob"), pool.held_by("bob")) == ("bob", 1, 1)


def test_the_sweeps_ranges_are_to_the_millisecond_oldest_first_and_page_after_the_last(pool):
    for customer_id, days in (("c", 20), ("a", 30), ("b", 30)):
        pool.add_holding(owned(customer_id, claimed_days_ago=days))
    warning = Warn(NO_FOLLOW_UP, "no follow-up", NOW + 2 * DAY)
    pool.add_holding(owned("w", claimed_days_ago=40, warned_of=warning))
    pool.add_holding(owned("n", claimed_days_ago=40, warned_of=Warn(NO_DEAL, "no deal", NOW + DAY)))
    cutoff = NOW - 20 * DAY

    def due(cutoff, limit=10, after=None, warned=False):
        found = pool.due("follow_up_clock", cutoff, OWNED, limit, after=after, warned=warned, deal_closed=False)
        return [h["_id"] for h in found], found

    assert due(cutoff)[0] == ["n", "a", "b", "c"]  # warned of another rule's deadline: by its clock
    assert due(cutoff - timedelta(milliseconds=1))[0] == ["n", "a", "b"]
    first, page = due(cutoff, limit=2)
    assert first == ["n", "a"]
    assert due(cutoff, after=page[-1])[0] == ["b", "c"]
    assert due(NOW + DAY, warned=True)[0] == []
    assert due(NOW + 2 * DAY, warned=True)[0] == ["w"]  # by the deadline it was warned of
    assert pool.due("allocated_at", NOW, OWNED, 10, deal_closed=False) != []
    with pytest.raises(ValueError):
        pool.due("follow_up_clock", NOW, OWNED, 10, has_open_need=False)


def test_a_persons_claims_are_written_guarded_and_move_their_version(pool):
    doc = pool.claimer("bob")
    assert (doc["claims"], doc["version"]) == ([], 0)
    assert pool.replace_claimer({**doc, "claims": [{"customer_id": "c1", "at": NOW}]}, doc) is True
    assert pool.replace_claimer({**doc, "claims": []}, doc) is False  # read at version 0
    assert (pool.claims_of("bob"), pool.claimer("bob")["version"]) == ([{"customer_id": "c1", "at": NOW}], 1)


def test_a_rotation_is_saved_only_over_the_version_read(pool):
    rotation, version = pool.load_rotation("default:alice,bob")
    assert (rotation.members, version) == ((), 0)
    turned = Rotation((Member("alice", 2), Member("bob", 1))).assign("cus_1")[1]
    assert pool.save_rotation("default:alice,bob", turned, version) is True
    assert pool.save_rotation("default:alice,bob", turned, version) is False
    assert pool.load_rotation("default:alice,bob") == (turned, 1)


def test_people_are_added_once_listed_in_order_and_changed_guarded(pool):
    for order, person in enumerate(("carol", "alice", "bob")):
        pool.add_person({"_id": person, "order": order, "team": "default", "active": True})
    assert [p["_id"] for p in pool.everyone("default")] == ["carol", "alice", "bob"]
    assert pool.people_after(None, 2) == ["alice", "bob"] and pool.people_after("bob", 2) == ["carol"]
    before = pool.person("alice")
    assert pool.replace_person({**before, "active": False}, before) is True
    assert pool.replace_person({**before, "on_leave": True}, before) is False
    assert (pool.person("alice")["active"], pool.person("alice")["version"]) == (False, 1)
