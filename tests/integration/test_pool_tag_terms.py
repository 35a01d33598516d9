"""A pool search by one tag is counted and paged from the holdings' tag terms (``holding_tags``),
one index range, on the document server: what it finds, in which order and how many, is what the
holdings say after any sequence of changes, a writer that lost its guarded write leaves no term of
its own behind, and holdings from before the terms get them from the upgrade (holdings 5)."""

from datetime import UTC, datetime, timedelta

import pytest
from pymongo import MongoClient, monitoring

from services.pool.domain.holdings import Facts, give_back, new_holding, take
from services.pool.domain.recycling import OWNED, PUBLIC_POOL
from services.pool.store import TAGS_INDEXED_VERSION, Pool, with_sweep_keys
from services.pool.upgrading import UPGRADES, add_tag_terms
from services.runtime import document_store
from services.runtime.audit import AuditRecorder, AuditTrail
from tests.databases import ServiceDatabases

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TAGS = ("LED", "OEM", "DE", "price sensitive")


class Commands(monitoring.CommandListener):
    """(command name, collection) of each command sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def started(self, event):
        self.sent.append((event.command_name, event.command.get(event.command_name)))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


@pytest.fixture
def commands():
    return Commands()


@pytest.fixture
def pool(mongo_uri, commands):
    client = MongoClient(mongo_uri, tz_aware=True, event_listeners=[commands])
    store = Pool(ServiceDatabases(client, mongo_uri).of("pool"))
    store.ensure_indexes()
    yield store
    client.close()


def stored(pool):
    return list(pool.holdings.find())


def expected(pool, state, team, tag, limit, offset, newest_first=True):
    """The page and total a search must answer, worked out from every holding stored."""
    matching = [h for h in stored(pool) if h["state"] == state and h.get("team") == team and tag in h.get("tags", [])]
    matching.sort(key=lambda h: h["since_key"], reverse=newest_first)
    return [h["_id"] for h in matching[offset : offset + limit]], len(matching)


def searched(pool, state, team, tag, limit, offset, sort="-since"):
    items, total = pool.search(state, limit, offset, tags=(tag,), team=team, sort=sort)
    return [h["_id"] for h in items], total


def assert_every_search_agrees(pool, commands):
    for state in (PUBLIC_POOL, OWNED):
        for team in ("default", "other"):
            for tag in TAGS:
                for offset in (0, 2, 5):
                    commands.sent.clear()
                    found = searched(pool, state, team, tag, 3, offset)
                    assert found == expected(pool, state, team, tag, 3, offset), (state, team, tag, offset)
                    assert ("find", "holding_tags") in commands.sent and ("count", "holding_tags") in commands.sent
                    assert ("count", "holdings") not in commands.sent  # nothing counted from the holdings
                assert searched(pool, state, team, tag, 10, 0, sort="since") == expected(
                    pool, state, team, tag, 10, 0, newest_first=False
                )


def live_terms(pool, customer_id):
    return [doc["_id"] for doc in pool.tags.find({"holding_id": customer_id}) if doc.get("key")]


def holding(customer_id, tags, days_ago, team="default"):
    return new_holding(customer_id, team, Facts(tags=tags), NOW - days_ago * DAY)


def change(pool, customer_id, how):
    before = pool.holding(customer_id)
    assert pool.replace_holding(how(before), before)


def test_tag_searches_answer_what_the_holdings_say_through_every_kind_of_change(pool, commands):
    for n in range(12):
        pool.add_holding(holding(f"c{n:02d}", TAGS[: 1 + n % 4], n, team="default" if n % 3 else "other"))
    assert_every_search_agrees(pool, commands)
    assert searched(pool, PUBLIC_POOL, "default", "LED", 3, 0)[1] == 8

    change(pool, "c01", lambda h: {**h, "tags": ["price sensitive", "new tag"]})  # tags change
    change(pool, "c02", lambda h: {**h, "tags": []})
    assert_every_search_agrees(pool, commands)
    assert searched(pool, PUBLIC_POOL, "default", "new tag", 10, 0) == (["c01"], 1)

    change(pool, "c04", lambda h: take(h, "alice", "claimed", "alice", NOW))  # pool -> owned
    assert_every_search_agrees(pool, commands)
    assert "c04" in searched(pool, OWNED, "default", "LED", 10, 0)[0]
    change(pool, "c04", lambda h: give_back(h, PUBLIC_POOL, "released: no budget", "alice", NOW + DAY))  # -> pool
    # newest now: it entered the pool last
    assert searched(pool, PUBLIC_POOL, "default", "LED", 1, 0) == (["c04"], 6)
    assert_every_search_agrees(pool, commands)

    change(pool, "c05", lambda h: {**h, "team": "other"})  # team change
    assert_every_search_agrees(pool, commands)

    pool.forget("c07")
    pool.forget("c08")
    assert_every_search_agrees(pool, commands)
    assert live_terms(pool, "c07") == []


def test_a_writer_that_lost_its_guarded_write_leaves_no_term_of_its_own(pool, commands):
    pool = pool.audited_by(AuditRecorder(AuditTrail(pool.holdings.database, "pool"), None, "test"))
    pool.add_holding(holding("c1", ("LED",), 1))
    read_by_both = pool.holding("c1")
    assert pool.replace_holding({**read_by_both, "tags": ["OEM"]}, read_by_both)
    # the loser writes the same version the winner wrote: its terms collide with the winner's head
    assert not pool.replace_holding({**read_by_both, "tags": ["LED", "DE"]}, read_by_both)
    assert pool.holding("c1")["tags"] == ["OEM"]
    assert_every_search_agrees(pool, commands)
    assert searched(pool, PUBLIC_POOL, "default", "DE", 10, 0) == ([], 0)
    assert searched(pool, PUBLIC_POOL, "default", "LED", 10, 0) == ([], 0)

    # a loser further behind, and one behind a forgotten holding
    change(pool, "c1", lambda h: {**h, "tags": ["OEM", "price sensitive"]})
    assert not pool.replace_holding({**read_by_both, "tags": ["DE"]}, read_by_both)
    assert_every_search_agrees(pool, commands)
    last = pool.holding("c1")
    pool.forget("c1")
    assert not pool.replace_holding({**last, "tags": ["DE"]}, last)
    assert pool.holding("c1") is None
    assert searched(pool, PUBLIC_POOL, "default", "DE", 10, 0) == ([], 0)
    assert live_terms(pool, "c1") == []
    # the audit trail keeps the changes made and no entry of one that was not (no tags ["DE"])
    entries = list(pool.holdings.database.audit.find({"service": "pool"}))
    assert len(entries) == 4 and all("'DE'" not in str(entry) for entry in entries)


def test_a_term_that_disagrees_with_its_holding_is_not_believed_and_is_written_again(pool, commands):
    pool.add_holding(holding("c1", ("LED",), 1))
    pool.add_holding(holding("c2", ("OEM",), 2))
    # as a writer that died half way could leave it: a term of a tag the holding does not have
    pool.tags.insert_one(
        {"_id": "c2|LED", "holding_id": "c2", "key": '["public_pool", "default", "LED"]', "since_key": "9999"}
    )
    assert searched(pool, PUBLIC_POOL, "default", "LED", 10, 0) == (["c1"], 1)
    assert pool.tags.find_one({"_id": "c2|LED"})["key"] is None  # made dead, guarded like any rewrite
    commands.sent.clear()
    assert searched(pool, PUBLIC_POOL, "default", "LED", 10, 0) == (["c1"], 1)
    assert ("count", "holdings") not in commands.sent


def test_several_tags_and_other_filters_keep_reading_the_holdings(pool, commands):
    pool.add_holding(holding("c1", ("LED", "DE"), 1))
    pool.add_holding(holding("c2", ("DE",), 2))
    commands.sent.clear()
    items, total = pool.search(PUBLIC_POOL, 10, 0, tags=("LED", "DE"), team="default")
    assert ([h["_id"] for h in items], total) == (["c1", "c2"], 2)  # any of them, each once
    assert ("find", "holding_tags") not in commands.sent
    assert pool.search(PUBLIC_POOL, 10, 0, tags=("DE",))[1] == 2  # no team: every team's


def test_holdings_from_before_the_terms_get_them_from_the_upgrade(pool, commands):
    for n in range(5):
        pool.holdings.insert_one(with_sweep_keys(holding(f"old{n}", TAGS[: 1 + n % 4], n)))  # as before
    pool.holdings.database.schema_versions.insert_one({"_id": "holdings", "version": 4})
    assert not pool.tags_indexed()
    commands.sent.clear()
    # while the upgrade is pending the holdings are searched themselves: nothing missed
    assert searched(pool, PUBLIC_POOL, "default", "LED", 10, 0) == expected(pool, PUBLIC_POOL, "default", "LED", 10, 0)
    assert ("find", "holding_tags") not in commands.sent
    assert add_tag_terms(pool, None, 2) == "old1"  # a page of two in id order, the next cursor
    assert add_tag_terms(pool, "old1", 2) == "old3"
    assert add_tag_terms(pool, "old3", 2) is None
    assert add_tag_terms(pool, None, 10) is None  # done twice: nothing more to write
    pool.holdings.database.schema_versions.update_one({"_id": "holdings"}, {"$set": {"version": 5}})
    assert pool.tags_indexed()
    assert_every_search_agrees(pool, commands)
    assert searched(pool, PUBLIC_POOL, "default", "LED", 10, 0)[1] == 5


@pytest.fixture
def fault_at_first_term(monkeypatch):
    """The next command with tag terms fails at its first write into them (a fault, not a
    collision): the writes before it go in, the rest do not, as the store answers."""
    real = document_store._bulk_write
    armed = [True]

    def failing(database, ops, namespaces):
        place = next(
            (n for n, op in enumerate(ops) if namespaces[op.get("update", op.get("insert"))].endswith(".holding_tags")),
            None,
        )
        if not armed[0] or place is None:
            return real(database, ops, namespaces)
        armed[0] = False
        answers = real(database, ops[:place], namespaces) if place else []
        return [*answers, {"ok": 0, "idx": place, "code": 1, "errmsg": "injected fault"}]

    monkeypatch.setattr(document_store, "_bulk_write", failing)
    return armed


def test_terms_a_failed_command_left_unwritten_are_written_after_it(pool, commands, fault_at_first_term):
    pool.add_holding(holding("c1", ("LED",), 1))  # its terms failed: written again on their own
    assert not fault_at_first_term[0]
    assert searched(pool, PUBLIC_POOL, "default", "LED", 10, 0) == (["c1"], 1)
    fault_at_first_term[0] = True
    change(pool, "c1", lambda h: {**h, "tags": ["OEM"]})
    assert not fault_at_first_term[0]
    assert pool.holding("c1")["tags"] == ["OEM"]
    assert_every_search_agrees(pool, commands)
    assert searched(pool, PUBLIC_POOL, "default", "OEM", 10, 0) == (["c1"], 1)


def test_searches_wait_for_the_upgrade_that_writes_the_terms():
    assert [u.version for u in UPGRADES if u.collection == "holdings" and "tag terms" in u.what] == [
        TAGS_INDEXED_VERSION
    ]
