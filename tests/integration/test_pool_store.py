"""pool's store and recycling sweep on the document server: the sweep's candidates come from one
index range per clock, and what is never due (closed deals, open needs) or still in its notice
period cannot hold back what is due."""

from datetime import UTC, datetime, timedelta

import pytest
from pymongo import MongoClient

from services.pool.domain.holdings import Facts, give_back, new_holding, take, warned
from services.pool.domain.recycling import DORMANT, NO_FOLLOW_UP, OWNED, PUBLIC_POOL, RecyclingRules, Warn
from services.pool.store import Pool
from services.pool.sweeping import sweep
from tests.databases import FindFilters, ServiceDatabases

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RULES = RecyclingRules()


@pytest.fixture
def pool(db):
    store = Pool(db.of("pool"))
    store.ensure_indexes()
    return store


@pytest.fixture
def watched(mongo_uri):
    """(pool's store, the filters of the finds it sends) on a client of its own."""
    finds = FindFilters()
    client = MongoClient(mongo_uri, tz_aware=True, event_listeners=[finds])
    store = Pool(ServiceDatabases(client, mongo_uri).of("pool"))
    store.ensure_indexes()
    yield store, finds
    client.close()


def owned(
    customer_id, follow_up_days_ago, claimed_days_ago=30, deal_closed=False, warned_due_in_days=None, owner="alice"
):
    facts = Facts(
        last_follow_up_at=NOW - follow_up_days_ago * DAY,
        deal_closed=deal_closed,
        last_contact_at=NOW - follow_up_days_ago * DAY,
    )
    holding = take(
        new_holding(customer_id, "default", facts, NOW - 900 * DAY),
        owner,
        "claimed",
        owner,
        NOW - claimed_days_ago * DAY,
    )
    if warned_due_in_days is not None:
        holding = warned(holding, Warn(NO_FOLLOW_UP, "no follow-up", NOW + warned_due_in_days * DAY).key)
    return holding


def pooled(customer_id, contact_days_ago, open_need):
    facts = Facts(last_contact_at=NOW - contact_days_ago * DAY, has_open_need=open_need)
    return new_holding(customer_id, "default", facts, NOW - 900 * DAY)


def add(pool, *holdings):
    for holding in holdings:
        pool.add_holding(holding)


def ids(holdings):
    return [h["_id"] for h in holdings]


def test_due_is_the_range_of_one_clock_oldest_first_at_or_before_the_cutoff_and_pages_on(pool):
    add(
        pool,
        owned("c10", 10),
        owned("c20", 20),
        owned("c15", 15),
        owned("c18", 18),
        owned("deal", 40, deal_closed=True),
        pooled("p", 300, open_need=False),
        owned("warned_soon", 19, warned_due_in_days=1),
        owned("warned_past", 19, warned_due_in_days=-1),
    )
    cutoff = NOW - 15 * DAY
    assert ids(pool.due("follow_up_clock", cutoff, OWNED, 10, deal_closed=False)) == ["c20", "c18", "c15"]
    # warned: by the deadline they were warned of, whatever their clock
    assert ids(pool.due("follow_up_clock", NOW, OWNED, 10, warned=True, deal_closed=False)) == ["warned_past"]
    assert ids(pool.due("allocated_at", NOW, OWNED, 10, warned=True, deal_closed=False)) == []
    first = pool.due("follow_up_clock", cutoff, OWNED, 2, deal_closed=False)
    assert ids(first) == ["c20", "c18"]
    assert ids(pool.due("follow_up_clock", cutoff, OWNED, 2, after=first[-1], deal_closed=False)) == ["c15"]
    assert ids(pool.due("follow_up_clock", cutoff, OWNED, 10, deal_closed=True)) == ["deal"]
    assert ids(pool.due("follow_up_clock", cutoff, PUBLIC_POOL, 10, deal_closed=False)) == []
    with pytest.raises(ValueError):
        pool.due("contact_clock", cutoff, PUBLIC_POOL, 10, deal_closed=False)


def test_the_keys_follow_every_write_of_a_holding(pool):
    add(pool, owned("c1", 20))
    before = pool.holding("c1")
    returned = give_back({**before, "has_open_need": False}, PUBLIC_POOL, "released: no answer", "alice", NOW)
    assert pool.replace_holding(returned, before)
    assert pool.due("follow_up_clock", NOW, OWNED, 10, deal_closed=False) == []
    assert ids(pool.due("contact_clock", NOW - 15 * DAY, PUBLIC_POOL, 10, has_open_need=False)) == ["c1"]


def test_holdings_never_due_or_still_in_notice_do_not_hold_back_those_due(pool):
    # Written first and with the oldest clocks, so they are first in any order a store might use.
    add(pool, *(owned(f"deal{n}", 400 + n, claimed_days_ago=500, deal_closed=True) for n in range(5)))
    add(pool, *(owned(f"notice{n}", 25 + n / 10, warned_due_in_days=2) for n in range(4)))
    add(pool, *(pooled(f"needs{n}", 400 + n, open_need=True) for n in range(5)))
    # Due for no deal too, but warned of no follow-up first: found by their claim clock, and kept.
    add(pool, *(owned(f"both{n}", 14.5, claimed_days_ago=89, warned_due_in_days=1) for n in range(4)))
    add(
        pool,
        owned("due1", 20),
        owned("due2", 21),
        owned("no_deal", 1, claimed_days_ago=88),
        pooled("silent", 300, open_need=False),
    )
    warnings, returns, dormant = sweep(pool, RULES, 3, NOW)
    assert sorted(ids(after for _before, after, _verdict in warnings)) == ["due1", "due2", "no_deal"]
    assert returns == []
    assert [after["_id"] for _before, after, _verdict in dormant] == ["silent"]
    assert pool.holding("silent")["state"] == DORMANT
    assert sweep(pool, RULES, 3, NOW) == ([], [], [])
    # once their notices run out, the eleven warned return, at most three a sweep from each range
    returned = [len(sweep(pool, RULES, 3, NOW + 3 * DAY)[1]) for _ in range(4)]
    assert sum(returned) == 11 and returned[0] < 11 and returned[-1] == 0
    assert pool.due("follow_up_clock", NOW + 3 * DAY, OWNED, 20, warned=True, deal_closed=False) == []


def test_a_warning_answered_by_a_follow_up_is_forgotten_when_its_deadline_comes(pool):
    add(pool, owned("answered", 2, warned_due_in_days=-1))  # followed up after the warning
    assert sweep(pool, RULES, 10, NOW) == ([], [], [])
    assert (pool.holding("answered")["state"], pool.holding("answered")["warned_for"]) == (OWNED, None)
    warnings, _returns, _dormant = sweep(pool, RULES, 10, NOW + 10 * DAY)  # its new deadline, warned in time
    assert [after["_id"] for _before, after, verdict in warnings] == ["answered"]


def test_a_holding_stored_before_the_sweep_keys_existed_gets_them_at_start(db, pool):
    old = give_back(pooled("old", 300, open_need=False), PUBLIC_POOL, "released: x", "bob", NOW - 300 * DAY)
    db.holdings.insert_one({**old, "version": 1})  # as earlier versions wrote it
    assert pool.due("contact_clock", NOW - 180 * DAY, PUBLIC_POOL, 10, has_open_need=False) == []
    pool.ensure_indexes()
    assert ids(pool.due("contact_clock", NOW - 180 * DAY, PUBLIC_POOL, 10, has_open_need=False)) == ["old"]


def test_held_by_counts_what_a_person_owns_now(pool):
    add(pool, owned("a1", 1), owned("a2", 2), owned("b1", 1, owner="bob"), pooled("p", 1, open_need=True))
    released = give_back(pool.holding("a2"), PUBLIC_POOL, "released: x", "alice", NOW)
    pool.replace_holding(released, pool.holding("a2"))
    assert (pool.held_by("alice"), pool.held_by("bob"), pool.held_by("carol")) == (1, 1, 0)


def test_conversion_counts_the_customers_given_in_the_window_and_their_closed_deals(pool):
    add(
        pool,
        owned("old", 1, claimed_days_ago=120),
        owned("new", 1, claimed_days_ago=10),
        owned("won", 1, claimed_days_ago=20, deal_closed=True),
        owned("bobs", 1, claimed_days_ago=5, owner="bob"),
    )
    assert pool.converted("alice", NOW - 90 * DAY) == (2, 1)
    assert pool.converted("carol", NOW - 90 * DAY) == (0, 0)


def test_the_pool_is_searched_by_tag(pool):
    tagged = new_holding("t1", "default", Facts(tags=("DE", "lost")), NOW)
    add(
        pool, tagged, new_holding("t2", "default", Facts(tags=("US",)), NOW), new_holding("t3", "default", Facts(), NOW)
    )
    items, total = pool.search(PUBLIC_POOL, 10, 0, tags=("lost",))
    assert (ids(items), total) == (["t1"], 1)
    assert pool.search(OWNED, 10, 0, tags=("lost",)) == ([], 0)
    assert [h["_id"] for h in pool.search(PUBLIC_POOL, 10, 0, tags=("Germany", "DE"))[0]] == ["t1"]  # any of them


def test_a_pool_page_is_asked_for_with_equalities_an_index_serves(watched):
    """The page's query goes out with ``$eq`` equalities: the embedded store serves them from the
    (state, team, since) index, where plain equality on ``state`` (no index of its own) was a scan of
    every holding. The page itself is the same: newest first, filtered."""
    store, finds = watched
    add(
        store,
        new_holding("p1", "default", Facts(tags=("DE",)), NOW - 2 * DAY),
        new_holding("p2", "default", Facts(tags=("DE", "led")), NOW - DAY),
        new_holding("p3", "other", Facts(tags=("DE",)), NOW),
    )
    finds.filters.clear()
    items, total = store.search(PUBLIC_POOL, 10, 0, team="default", tags=("DE", "Germany"))
    assert (ids(items), total) == (["p2", "p1"], 2)
    [sent] = finds.filters
    assert sent["state"] == {"$eq": PUBLIC_POOL} and sent["team"] == {"$eq": "default"}
    assert sent["tags"] == {"$in": ["DE", "Germany"]}


def test_a_page_newest_first_breaks_ties_by_id_and_holdings_from_before_get_their_key(pool, db):
    """Customers recycled by one sweep entered the pool at the same moment: the page orders them by
    id (``since_key``), and pages on without repeating one. Holdings written before the key was kept
    get it from the upgrade (holdings 4), nothing else of them changed."""
    from services.pool.upgrading import add_since_keys

    add(pool, *(new_holding(f"tie{n}", "default", Facts(), NOW) for n in (3, 1, 2)))
    add(pool, new_holding("newer", "default", Facts(), NOW + DAY), new_holding("older", "default", Facts(), NOW - DAY))
    first, total = pool.search(PUBLIC_POOL, 3, 0, team="default")
    rest, _ = pool.search(PUBLIC_POOL, 3, 3, team="default")
    assert (ids(first), ids(rest), total) == (["newer", "tie3", "tie2"], ["tie1", "older"], 5)
    assert ids(pool.search(PUBLIC_POOL, 10, 0, team="default", sort="since")[0]) == [
        "older",
        "tie1",
        "tie2",
        "tie3",
        "newer",
    ]
    holdings = db.of("pool").holdings
    holdings.update_many({}, {"$unset": {"since_key": ""}})
    before = {h["_id"]: h for h in holdings.find()}
    assert add_since_keys(pool, None, 2) == "older"  # a page of two in id order, the next cursor
    assert add_since_keys(pool, "older", 10) is None
    after = {h["_id"]: h for h in holdings.find()}
    assert all(after[i] == {**before[i], "since_key": after[i]["since_key"]} for i in before)
    assert ids(pool.search(PUBLIC_POOL, 10, 0, team="default")[0]) == ["newer", "tie3", "tie2", "tie1", "older"]


def test_a_page_by_reason_prefix_is_the_same_whether_walked_in_order_or_read_and_sorted(pool):
    """A common prefix ("released", half the pool) is found walking the pool in its order, a rare one
    by reading its few matches and sorting them: either way the page, its offset and its total are
    what the holdings say, newest or oldest first."""
    reasons = ["released: no budget", "released: wrong market", "recycled: no follow-up", "dormant: silent"]
    for n in range(120):
        pooled = new_holding(f"r{n:03d}", "default", Facts(), NOW - (n % 37) * DAY)
        pool.add_holding(give_back(pooled, PUBLIC_POOL, reasons[n % 3] if n % 17 else reasons[3], "bob", NOW - n * DAY))
    pool.add_holding(give_back(new_holding("other", "other", Facts(), NOW), PUBLIC_POOL, reasons[0], "bob", NOW))
    holdings = list(pool.holdings.find({"team": "default"}))
    for prefix in ("released", "released: no", "recycled", "dormant", "d", "nothing"):
        for newest_first in (True, False):
            matching = sorted(
                (h for h in holdings if h["reason"].startswith(prefix)),
                key=lambda h: h["since_key"],
                reverse=newest_first,
            )
            for offset in (0, 7, 40, 200):
                items, total = pool.search(
                    PUBLIC_POOL, 5, offset, reason=prefix, team="default", sort="-since" if newest_first else "since"
                )
                assert (ids(items), total) == (ids(matching[offset : offset + 5]), len(matching)), (prefix, offset)


def test_a_page_by_a_common_reason_prefix_walks_the_pool_in_its_order(watched):
    """The page of a prefix most of the pool has is read from the (state, team, since_key) order, a
    few holdings at a time, not by reading every match."""
    store, finds = watched
    for n in range(60):
        pooled = new_holding(f"r{n:02d}", "default", Facts(), NOW - 100 * DAY)
        store.add_holding(give_back(pooled, PUBLIC_POOL, "released: x" if n % 4 else "recycled", "bob", NOW - n * DAY))
    finds.filters.clear()
    items, total = store.search(PUBLIC_POOL, 3, 0, reason="released", team="default")
    assert (ids(items), total) == (["r01", "r02", "r03"], 45)
    walked, page = finds.filters
    assert "reason" not in walked and page == {"_id": {"$in": ["r01", "r02", "r03"]}}
