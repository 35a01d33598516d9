"""Where pool keeps each customer's holding, the rotations, the salespeople and their claims.

Every write replaces a whole document under a version guard (single-document atomicity):
the embedded store has no transactions, and ``$set`` would not keep datetimes as datetimes.
"""

import json
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from contracts.paging import sort_spec
from services.pool.counting import AtCap, HeldCounts, owner_moves
from services.pool.domain.recycling import NO_DEAL, NO_FOLLOW_UP
from services.pool.domain.rotation import Member, Rotation
from services.runtime.audit import Store
from services.runtime.document_store import (
    Together,
    WritesFailed,
    any_of,
    count,
    equalities_spelled,
    guarded_replace,
    moved_on,
    prefix_range,
    time_key,
    up_to_key,
)
from services.runtime.guarded import DocumentBusy, take_turn
from services.runtime.mongo import insert_once

Document = dict[str, Any]

# The clocks the recycling sweep looks up: each with the condition a candidate must meet (an
# owner's clocks: no closed deal; the contact clock: no open need) and the rule it times.
# nx-27017 compares datetimes through SQLite's datetime() on every document, which no index
# serves (and takes any string starting like a date for one); so every holding written also keeps
# each clock as a string key sorting by state, condition, time, id:
#     follow_up_clock_key: "owned deal_closed=0 2026-05-10T08:00:00.000 cus_1"
#     follow_up_clock_key: "owned deal_closed=0 warned 2026-05-28T08:00:00.000 cus_2"
# A holding warned about the clock's rule (``warned_for``: {"rule", "due_at"}) is keyed by the
# deadline it was warned of instead: it has nothing to be looked at for until then. A sweep query is then one index range on both
# stores, oldest first, holding only candidates (never closed deals, open needs, notices still
# running); the id makes keys unique, so a page can start after the last key of the one before.
SWEEP_KEYS = {
    "follow_up_clock": ("deal_closed", NO_FOLLOW_UP),
    "allocated_at": ("deal_closed", NO_DEAL),
    "contact_clock": ("has_open_need", None),
}
WARNED = "warned "

# A rotation's turn as decided in memory: (its key, the rotation after the turn, the version read).
Turn = tuple[str, Rotation, int]


class RotationMoved(Exception):
    """Another instance turned the rotation since it was read: read it and decide again."""


class Pool(Store):
    def __init__(self, db: Any) -> None:
        self.holdings = db.holdings
        # one document per (holding, tag) and one head per holding: what a tag search counts and
        # pages from one index (``tag_terms``)
        self.tags = db.holding_tags
        self._db = db  # for its ``schema_versions`` (every service's), read until the terms are known complete
        # whether "holdings" was seen at TAGS_INDEXED_VERSION (never goes back), shared by the
        # copies each worker gets
        self._tags_indexed: dict[str, bool] = {}
        self.rotations = db.rotations
        self.people = db.salespeople
        self.claimers = db.claimers  # one document per person: their recent claim times
        self.takers = db.person_leases  # one per person: who is taking customers for them now
        self.reassignments = db.reassignments
        # Teams whose configured salespeople this running service has seeded (directory.seed); a
        # set shared by the copies each worker gets.
        self.seeded_teams: set[str] = set()
        self.turns = db.scheduled_turns  # when each scheduled job is next due, shared by instances
        # how many customers each person owns, moved by every holding write (counting.py)
        self.counts = HeldCounts(db.held_counts, self.holdings)

    def ensure_indexes(self) -> None:
        for field in (
            "state",
            "owner_id",
            "country_code",
            "intent_grade",
            "stage",
            "reason",
            "contact_clock",
            "since",
            "team",
            "state_key",
            *(_key_field(clock) for clock in SWEEP_KEYS),
        ):
            self.holdings.create_index([(field, ASCENDING)])
        # Both equalities in one index: with one index per field SQLite may pick state's (a scan
        # of every owned customer) to count one person's.
        self.holdings.create_index([("owner_id", ASCENDING), ("state", ASCENDING)])
        # A pool search (a team's public or dormant pool): its page newest first walks the first
        # index (``since_key``: the time and the id, so ties need no sort of their own), its total by country and grade counts entries of the second, by reason (a prefix)
        # of the third; with one index per field SQLite picks team's and reads and sorts the team's
        # every holding (bench/read_latency.py).
        self.holdings.create_index([("state", ASCENDING), ("team", ASCENDING), ("since_key", DESCENDING)])
        if SINCE_INDEX_BEFORE in {index["name"] for index in self.holdings.list_indexes()}:
            self.holdings.drop_index(SINCE_INDEX_BEFORE)  # sorted by ``since`` then ``_id``: superseded
        self.holdings.create_index(
            [("state", ASCENDING), ("team", ASCENDING), ("country_code", ASCENDING), ("intent_grade", ASCENDING)]
        )
        self.holdings.create_index([("state", ASCENDING), ("team", ASCENDING), ("reason", ASCENDING)])
        # A tag search: its total counts one key's entries, its page walks them in the pool's order.
        self.tags.create_index([("key", ASCENDING), ("since_key", DESCENDING)])
        self.tags.create_index([("holding_id", ASCENDING)])
        self.reassignments.create_index([("leaver", ASCENDING)])
        self._add_missing_sweep_keys()

    def _add_missing_sweep_keys(self) -> None:
        """Holdings written before the sweep keys existed get them (every holding has a contact clock)."""
        for holding in self.holdings.find({_key_field("contact_clock"): None}):
            self.rekey(holding)

    # holdings
    def holding(self, customer_id: str) -> Document | None:
        return self.holdings.find_one({"_id": customer_id})

    def holdings_of(self, customer_ids: Iterable[str]) -> list[Document]:
        """The holdings of these customers (those the pool knows), in the order asked."""
        customer_ids = list(customer_ids)
        found = {h["_id"]: h for h in self.holdings.find({"_id": {"$in": customer_ids}})}
        return [found[c] for c in dict.fromkeys(customer_ids) if c in found]

    def add_holding(self, holding: Document) -> Document:
        """The stored holding: this one (at its first version), or the one added first."""
        return self.add_allocated(holding)[0]

    def add_allocated(
        self, holding: Document, turn: Turn | None = None, cap: int | None = None
    ) -> tuple[Document, bool]:
        """(the stored holding, added now?): ``holding`` at its first version, written in one
        command with the rotation's ``turn`` that chose its owner (guarded by the version it was
        read at), the owner's counter step (reserved below ``cap``, ``counting``), its audit entry
        and the counter's step after it — or, when the customer's holding was added first, that
        one, nothing written. ``RotationMoved`` when another instance turned the rotation since,
        ``AtCap`` when the owner's counter is at ``cap``: nothing written either way."""
        gained, _ = owner_moves(None, holding)
        stored = with_sweep_keys(holding)
        writes = Together()
        if turn is not None:
            # An upsert guarded by the version read: one that lost collides with the rotation it did
            # not match (a duplicate key), which stops the writes after it.
            key, rotation, version = turn
            rotation_fields = {"_id": key, "version": version + 1, **_rotation_fields(rotation)}
            writes.replace(self.rotations, {"_id": key, "version": version}, rotation_fields, upsert=True)
        if gained:
            self.counts.reserve_with(writes, gained, cap)
        added_at = len(writes)
        writes.insert(self.holdings, stored)
        audited = self.audit.changed_with(writes, "holding", None, _unkeyed(stored)) is not None
        if gained:
            self.counts.settle_with(writes, gained)
        terms_at = len(writes)  # its tag terms last: a new holding's, written whatever was there
        self._tag_terms_with(writes, stored, None, guard=None)
        try:
            writes.send()
        except WritesFailed as exc:
            # The store failed a write part-way (a fault, not a collision): what went in before it
            # stays, so the counter is settled for it before anything else.
            failed = exc.failed_at
            if failed is None or failed <= added_at:
                if gained and failed == added_at:
                    self.counts.unreserve(gained)
                raise
            if failed < terms_at:
                if audited and failed == added_at + 1:
                    self.audit.changed("holding", None, _unkeyed(stored))
                if gained:
                    self.counts.settle(gained)
            self._write_tag_terms(stored, None)
            return stored, True
        except DuplicateKeyError as exc:
            failed = _failed_at(exc)
            if failed == added_at:
                if gained:
                    self.counts.unreserve(gained)
                found = self.holding(holding["_id"])
                if found is None:
                    raise
                return found, False
            if turn is not None and failed == 0:
                raise RotationMoved(turn[0]) from exc
            if gained and failed == added_at - 1:
                raise AtCap(gained) from exc
            raise
        return stored, True

    def replace_holding(self, holding: Document, before: Document, cap: int | None = None) -> bool:
        """Write the holding, its version moved on, if ``before`` is still the stored one (the
        owners' counters moved around the write, ``counting.py``), with its audit entry: one
        command when nobody loses it. ``cap``: the one who gains it must hold fewer (``AtCap``
        when their counter says they do not; nothing written)."""
        gained, lost = owner_moves(before, holding)
        self.counts.before_write(None, lost)
        writes = Together()
        if gained:
            self.counts.reserve_with(writes, gained, cap)
        written_at = len(writes)  # the holding's place in the command
        writes.guarded_replace(self.holdings, with_sweep_keys(holding), before)
        entry = self.audit.changed_with(writes, "holding", _unkeyed(before), _unkeyed(moved_on(holding, before)))
        # its tag terms last, behind their head's guard: a write that lost collides there (below)
        terms_at = len(writes)
        stored = moved_on(with_sweep_keys(holding), before)
        self._tag_terms_with(writes, stored, before, guard="$lt")
        try:
            (replaced,) = writes.send()
        except WritesFailed as exc:
            # The store failed a write part-way (a fault, not a collision): what went in before it
            # stays, so the owners' counters are settled for it before anything else.
            failed = exc.failed_at
            if failed is None or failed <= written_at:
                self.counts.after_write(gained if failed == written_at else None, lost, False)
                raise
            # a write after the holding's failed: its guarded write answered
            replaced = exc.matched.get(written_at, False)
            self.counts.after_write(gained, lost, replaced)
            if failed < terms_at:  # the audit entry failed
                if replaced:
                    self.audit.changed("holding", _unkeyed(before), _unkeyed(moved_on(holding, before)))
            elif not replaced and entry is not None:
                self.audit.withdraw(entry)
            if replaced:
                self._write_tag_terms(stored, before)
            return replaced
        except DuplicateKeyError as exc:
            if _failed_at(exc) == terms_at:
                # the terms' head is at this version or later: another writer moved the holding on
                # first (this guarded write matched nothing), and its terms stand
                self.counts.after_write(gained, lost, False)
                if entry is not None:
                    self.audit.withdraw(entry)
                return False
            if gained and _failed_at(exc) == 0:
                self.counts.after_write(None, lost, False)
                if cap is None:
                    # no cap to meet: the step's upsert met the counter another step was making at
                    # that moment (counters are never removed), so the same write now finds it
                    return self.replace_holding(holding, before)
                raise AtCap(gained) from exc
            raise
        self.counts.after_write(gained, lost, replaced)
        if not replaced and entry is not None:
            self.audit.withdraw(entry)  # the command does not stop at a guarded write that matched nothing
        return replaced

    def rekey(self, holding: Document) -> bool:
        """Write the holding's derived keys and tag terms only (same version: nothing anyone
        changed); False when it changed since it was read (that change wrote both)."""
        return self._rekey(holding, ())

    def _rekey(self, holding: Document, stale_tags: Iterable[str]) -> bool:
        """``rekey``, the terms of ``stale_tags`` made dead in the same command."""
        stored = with_sweep_keys(holding)
        writes = Together().replace(
            self.holdings, {"_id": holding["_id"], "version": holding["version"]}, stored, guarded=True
        )
        self._tag_terms_with(writes, stored, {"_id": holding["_id"], "tags": list(stale_tags)}, guard="$lte")
        try:
            (replaced,) = writes.send()
        except DuplicateKeyError as exc:
            if _failed_at(exc) == 1:
                return False  # the terms' head is past this version: the holding moved on
            raise
        return replaced

    def _tag_terms_with(self, writes: Together, stored: Document, before: Document | None, guard: str | None) -> None:
        """Add to ``writes`` the tag terms of ``stored`` (a holding as written, at its version): first
        their head, an upsert that matches only a head older than this version (``guard`` "$lt") or
        no newer (``guard`` "$lte", a rewrite at the same version), so a writer whose holding write
        lost collides with the head the winner wrote (a duplicate key at the head's place, which stops
        the terms after it); then one term per tag, and the terms of ``before``'s tags it no longer
        has made dead (no key). ``guard`` None: written whatever the head says (a holding just added)."""
        head, *terms = tag_terms(stored)
        query: Document = {"_id": head["_id"]}
        if guard is not None:
            query["version"] = {guard: stored["version"]}
        writes.replace(self.tags, query, head, upsert=True)
        for term in terms:
            writes.replace(self.tags, {"_id": term["_id"]}, term, upsert=True)
        for tag in _tags(before or {}) - _tags(stored):
            dead = {"_id": _term_id(stored["_id"], tag), "holding_id": stored["_id"], "key": None}
            writes.replace(self.tags, {"_id": dead["_id"]}, dead)

    def _write_tag_terms(self, stored: Document, before: Document | None) -> None:
        """``_tag_terms_with`` in a command of its own (after a command that failed before them):
        left to the writer that moved the holding on since, if one did."""
        writes = Together()
        self._tag_terms_with(writes, stored, before, guard="$lte")
        try:
            writes.send()
        except DuplicateKeyError as exc:
            if _failed_at(exc) != 0:
                raise

    def index_tags(self, customer_id: str) -> None:
        """Make the tag terms of ``customer_id`` agree with its holding as stored now (a term found
        disagreeing on read): its terms written again, or, with no holding, removed."""
        holding = self.holding(customer_id)
        if holding is None:
            self.tags.delete_many({"holding_id": customer_id, "_id": {"$ne": _head_id(customer_id)}})
            return
        held = {
            doc["_id"] for doc in self.tags.find({"holding_id": customer_id}, {"_id": 1, "key": 1}) if doc.get("key")
        }
        stale = held - {term["_id"] for term in tag_terms(with_sweep_keys(holding))}
        self._rekey(holding, sorted(term_id.removeprefix(_head_id(customer_id)) for term_id in stale))

    def without_tag_terms(self, after: str | None, limit: int) -> tuple[list[Document], list[Document]]:
        """(up to ``limit`` holdings after ``after`` in id order, those of them written before
        holdings kept tag terms: without a head)."""
        holdings = self._holdings_after(after, limit)
        heads = {_head_id(h["_id"]) for h in holdings}
        found = {doc["holding_id"] for doc in self.tags.find({"_id": {"$in": sorted(heads)}}, {"holding_id": 1})}
        return holdings, [h for h in holdings if h["_id"] not in found]

    def entered_between(self, state: str, since: datetime, until: datetime) -> list[Document]:
        """Holdings that entered ``state`` in [since, until) and are in it still: a range of the
        ``state_key`` index (the embedded store ranges over no datetime index)."""
        return list(
            self.holdings.find(
                {"state_key": {"$gte": state_key(state, since), "$lt": state_key(state, until)}}, {"reason": 1}
            )
        )

    def without_state_key(self, state: str, after: str | None, limit: int) -> tuple[list[Document], list[Document]]:
        """(up to ``limit`` holdings in ``state`` after ``after`` in id order, those of them written
        before holdings had a ``state_key``)."""
        query = {"state": state, **({"_id": {"$gt": after}} if after else {})}
        holdings = list(self.holdings.find(query).sort("_id", ASCENDING).limit(limit))
        return holdings, [h for h in holdings if "state_key" not in h]

    def without_country_code(self, after: str | None, limit: int) -> tuple[list[Document], list[Document]]:
        """(up to ``limit`` holdings after ``after`` in id order, those of them written before
        holdings kept a ``country_code``)."""
        holdings = self._holdings_after(after, limit)
        return holdings, [h for h in holdings if "country_code" not in h]

    def _holdings_after(self, after: str | None, limit: int) -> list[Document]:
        """Up to ``limit`` holdings after ``after`` in id order: an upgrade's page."""
        return list(self.holdings.find({"_id": {"$gt": after}} if after else {}).sort("_id", ASCENDING).limit(limit))

    def without_since_key(self, after: str | None, limit: int) -> tuple[list[Document], list[Document]]:
        """(up to ``limit`` holdings after ``after`` in id order, those of them written before
        ``since_key`` was kept)."""
        holdings = self._holdings_after(after, limit)
        return holdings, [h for h in holdings if "since_key" not in h]

    def with_warning_text(self, after: str | None, limit: int) -> tuple[list[Document], list[Document]]:
        """(up to ``limit`` holdings after ``after`` in id order, those of them whose ``warned_for``
        is still the "rule@time" text holdings kept before it was {"rule", "due_at"})."""
        holdings = self._holdings_after(after, limit)
        return holdings, [h for h in holdings if isinstance(h.get("warned_for"), str)]

    def forget(self, customer_id: str) -> None:
        """Delete the holding (its customer merged away), guarded by its version like any change."""
        for _attempt in range(20):
            before = self.holding(customer_id)
            if before is None:
                return
            _, lost = owner_moves(before, None)
            self.counts.before_write(None, lost)
            deleted = self.holdings.delete_one({"_id": customer_id, "version": before["version"]}).deleted_count == 1
            self.counts.after_write(None, lost, deleted)
            if deleted:
                # the head kept past any version, so a writer that lost to this write writes no
                # terms (it collides with the head), then the terms gone
                head = _head_id(customer_id)
                self.tags.replace_one(
                    {"_id": head}, {"_id": head, "holding_id": customer_id, "version": FORGOTTEN}, upsert=True
                )
                self.tags.delete_many({"holding_id": customer_id, "_id": {"$ne": head}})
                self.audit.changed("holding", _unkeyed(before), None)
                return
        raise DocumentBusy(f"{customer_id} changed 20 times in a row while being forgotten")

    def held_by(self, owner_id: str, at_most: int | None = None) -> int:
        """How many customers ``owner_id`` owns, up to ``at_most``, counted from the holdings: a
        count on the (owner_id, state) index, as long as they hold (``held`` reads the counter)."""
        held = count(self.holdings, {"owner_id": owner_id, "state": "owned"})
        return min(held, at_most) if at_most else held

    def held(self, owner_id: str, at_most: int | None = None) -> int:
        """How many customers ``owner_id`` owns from their counter (never less than the truth):
        what allocations and claims ask, in one read whatever they hold; recounted when it is at
        ``at_most`` or over and changed since (``counting.py``)."""
        return self.counts.held(owner_id, at_most)

    def held_by_each(
        self, owner_ids: Iterable[str], at_most: Callable[[str], int | None] | None = None
    ) -> dict[str, int]:
        """``held`` of several people in one read: {person: customers owned}."""
        return self.counts.held_by_each(owner_ids, at_most)

    def recount_held(self, owner_id: str) -> int:
        """Set ``owner_id``'s counter from their holdings (the upgrade that makes the counters)."""
        return self.counts.recount(owner_id)

    def owned_ids(self, owner_id: str, limit: int) -> list[str]:
        return [h["_id"] for h in self.holdings.find({"state": "owned", "owner_id": owner_id}, {"_id": 1}).limit(limit)]

    def search(
        self,
        state: str,
        limit: int,
        offset: int,
        owner_id: str | None = None,
        country_code: str | None = None,
        grade: str | None = None,
        stage: str | None = None,
        tags: Iterable[str] = (),
        reason: str | None = None,
        last_contact_before: datetime | None = None,
        last_contact_after: datetime | None = None,
        team: str | None = None,
        sort: str = "-since",
    ) -> tuple[list[Document], int]:
        """``tags``: any of these (a tag as asked, and the code of the country it spells).

        One tag in a team's pool, newest or oldest first, is counted and paged from the tag terms
        (``tag_terms``); a reason prefix alone walks the pool in its order while that costs less
        than sorting every match (``_walk_by_reason``); anything else is one query of the holdings."""
        query: Document = {"state": state}
        for name, value in (
            ("owner_id", owner_id),
            ("country_code", country_code),
            ("intent_grade", grade),
            ("stage", stage),
            ("team", team),
        ):
            if value is not None:
                query[name] = value
        asked_tags = list(dict.fromkeys(tags))
        if asked_tags:
            query["tags"] = any_of(asked_tags)
        if reason:
            query["reason"] = prefix_range(reason)
        if last_contact_before or last_contact_after:
            query["contact_clock"] = {
                k: v for k, v in (("$lt", last_contact_before), ("$gte", last_contact_after)) if v
            }
        field, direction = sort_spec(sort)
        if (
            field == "since"
            and team is not None
            and len(asked_tags) == 1
            and set(query) == {"state", "team", "tags"}
            and self.tags_indexed()
        ):
            found = self._search_tag_terms(state, team, asked_tags[0], direction, limit, offset)
            if found is not None:
                return found
        total = count(self.holdings, query)
        if field == "since" and team is not None and reason and set(query) == {"state", "team", "reason"}:
            walked = self._walk_by_reason(state, team, reason, direction, offset + limit, total)
            if walked is not None:
                return walked[offset:], total
        # spelled so the page walks (state, team, since_key) or another compound index, not every holding
        order = [("since_key", direction)] if field == "since" else [(field, direction), ("_id", ASCENDING)]
        cursor = self.holdings.find(equalities_spelled(query)).sort(order).skip(offset).limit(limit)
        return list(cursor), total

    def _walk_by_reason(
        self, state: str, team: str, reason: str, direction: int, wanted: int, total: int
    ) -> list[Document] | None:
        """The first ``wanted`` holdings of a team's pool in the pool's order whose reason starts
        with ``reason``, found by walking the (state, team, since_key) index in growing steps and
        looking at each one's reason; None once it has walked as many as match in all (``total``):
        then reading and sorting every match costs less. SQLite serves a reason range from the
        (state, team, reason) index whatever the order asked, reading and sorting every match (half
        of a pool for "released"), and nx-27017 takes no index hint."""
        if total <= wanted:
            return None
        within = prefix_range(reason)  # compared as SQLite compares text (code points, as UTF-8 sorts)
        found: list[str] = []
        walked, step = 0, wanted * 2
        query = {"state": {"$eq": state}, "team": {"$eq": team}}
        while len(found) < wanted:
            if walked >= total:
                return None
            # on by skipping, not by a range after the last key: nx-27017 compares a string starting
            # like a date (``since_key``) through datetime(), which no index serves
            rows = list(self.holdings.find(query, {"reason": 1}).sort("since_key", direction).skip(walked).limit(step))
            found += [
                row["_id"]
                for row in rows
                if isinstance(row.get("reason"), str) and within["$gte"] <= row["reason"] < within["$lt"]
            ]
            if len(rows) < step:
                break
            walked, step = walked + len(rows), step * 2
        found = list(dict.fromkeys(found))[:wanted]  # a holding moved up the order meanwhile is met twice
        page = {h["_id"]: h for h in self.holdings.find({"_id": {"$in": found}})} if found else {}
        return [page[i] for i in found if i in page]

    def _search_tag_terms(
        self, state: str, team: str, tag: str, direction: int, limit: int, offset: int
    ) -> tuple[list[Document], int] | None:
        """A search by one tag from its terms: the total an index count of the key's entries, the
        page a walk of them in the pool's order, its holdings read by id. None when a term
        disagrees with the holding it names (it is written again: the caller asks the holdings)."""
        key = tag_key(state, team, tag)
        total = count(self.tags, {"key": key})
        terms = list(
            self.tags.find({"key": {"$eq": key}}, {"holding_id": 1, "since_key": 1})
            .sort("since_key", direction)
            .skip(offset)
            .limit(limit)
        )
        ids = [term["holding_id"] for term in terms]
        found = {h["_id"]: h for h in self.holdings.find({"_id": {"$in": ids}})} if ids else {}
        page, disagreeing = [], []
        for term in terms:
            holding = found.get(term["holding_id"])
            if (
                holding is None
                or (holding["state"], holding.get("team"), holding.get("since_key")) != (state, team, term["since_key"])
                or tag not in _tags(holding)
            ):
                disagreeing.append(term["holding_id"])
            else:
                page.append(holding)
        for customer_id in disagreeing:
            self.index_tags(customer_id)
        return None if disagreeing else (page, total)

    def tags_indexed(self) -> bool:
        """Whether every holding has its tag terms: no upgrade of holdings to them is pending
        (``upgrading.py``, "holdings 5"; a store no service has versioned yet is taken as new)."""
        if not self._tags_indexed.get("holdings"):
            doc = self._db.schema_versions.find_one({"_id": "holdings"}, {"version": 1})
            self._tags_indexed["holdings"] = doc is None or doc.get("version", 0) >= TAGS_INDEXED_VERSION
        return self._tags_indexed["holdings"]

    def due(
        self,
        clock: str,
        cutoff: datetime,
        state: str,
        limit: int,
        after: Document | None = None,
        warned: bool = False,
        **condition: bool,
    ) -> list[Document]:
        """Up to ``limit`` holdings in ``state`` meeting the clock's condition (``SWEEP_KEYS``, e.g.
        ``deal_closed=False``) whose ``clock`` is at or before ``cutoff`` — or, ``warned``, which were
        warned about its rule of a deadline at or before ``cutoff`` — oldest first, after the holding
        ``after`` (the last of the page before): one index range, no scan."""
        flag, _rule = SWEEP_KEYS[clock]
        if set(condition) != {flag}:
            raise ValueError(f"due({clock!r}) needs the condition {flag}=True or False")
        field = _key_field(clock)
        prefix = _key_prefix(state, flag, condition[flag]) + (WARNED if warned else "")
        start = {"$gt": after[field]} if after else {"$gte": prefix}
        return list(
            self.holdings.find({field: {**start, "$lte": up_to_key(f"{prefix}{time_key(cutoff)} ")}})
            .sort(field, ASCENDING)
            .limit(limit)
        )

    def converted(self, owner_id: str, since: datetime) -> tuple[int, int]:
        """(customers allocated to ``owner_id`` since ``since``, how many of those closed a deal)."""
        # The owner's holdings through their index, the window checked here: on nx-27017 a range
        # on allocated_at would compare every holding's.
        held = self.holdings.find({"owner_id": owner_id}, {"allocated_at": 1, "deal_closed": 1})
        allocated = [h for h in held if h.get("allocated_at") and h["allocated_at"] >= since]
        return len(allocated), sum(1 for h in allocated if h.get("deal_closed"))

    # rotations: one per team and set of eligible people, decided in memory, written back guarded
    def rotation(self, key: str) -> tuple[Rotation, int]:
        """(rotation, version), read only: one never turned is empty at version 0 (its first turn,
        written by ``add_allocated``, makes it)."""
        doc = self.rotations.find_one({"_id": key})
        return (_rotation_of(doc), doc["version"]) if doc is not None else (Rotation(()), 0)

    def load_rotation(self, key: str) -> tuple[Rotation, int]:
        """(rotation, version); a rotation seen for the first time starts empty at version 0."""
        doc = self.rotations.find_one({"_id": key})
        if doc is None:
            doc, _ = insert_once(self.rotations, {"_id": key, "version": 0, **_rotation_fields(Rotation(()))})
        return _rotation_of(doc), doc["version"]

    def all_rotations(self) -> list[Rotation]:
        """Every stored rotation, as ``domain.rotation.Rotation`` (for benches and checks)."""
        return [_rotation_of(doc) for doc in self.rotations.find()]

    def save_rotation(self, key: str, rotation: Rotation, expected_version: int) -> bool:
        """False when another instance saved first (the caller reloads and decides again)."""
        return guarded_replace(
            self.rotations, {"_id": key, **_rotation_fields(rotation)}, {"_id": key, "version": expected_version}
        )

    # salespeople
    def person(self, person_id: str) -> Document | None:
        return self.people.find_one({"_id": person_id})

    def people_after(self, after: str | None, limit: int) -> list[str]:
        """The ids of up to ``limit`` people after ``after``, in id order (an upgrade's batch)."""
        query = {"_id": {"$gt": after}} if after else {}
        return [doc["_id"] for doc in self.people.find(query, {"_id": 1}).sort("_id", ASCENDING).limit(limit)]

    def everyone(self, team: str | None = None) -> list[Document]:
        return list(self.people.find({"team": team} if team else {}).sort("order", ASCENDING))

    def add_person(self, person: Document) -> Document:
        """The stored person: this one (at its first version), or the one added first."""
        return insert_once(self.people, {**person, "version": person.get("version", 0)})[0]

    def replace_person(self, person: Document, before: Document) -> bool:
        """Write the person, their version moved on, if ``before`` is still the stored one."""
        replaced = guarded_replace(self.people, person, before)
        if replaced:
            self.audit.changed("salesperson", before, moved_on(person, before))
        return replaced

    # claims per person
    def claimer(self, person_id: str) -> Document:
        doc = self.claimers.find_one({"_id": person_id})
        if doc is None:
            doc, _ = insert_once(self.claimers, {"_id": person_id, "claims": [], "version": 0})
        return doc

    def claims_of(self, person_id: str) -> list[Document]:
        """The claims ``claimer`` counts for this person, read only (none yet: [])."""
        doc = self.claimers.find_one({"_id": person_id})
        return doc["claims"] if doc is not None else []

    def replace_claimer(self, doc: Document, before: Document) -> bool:
        """Write the person's claims, their version moved on, if ``before`` is still the stored one."""
        return guarded_replace(self.claimers, doc, before)

    # one taker at a time per person (guarding.taking_for)
    def hold_person(self, person_id: str, holder: str, lease_seconds: float) -> bool:
        """True when ``holder`` now holds ``person_id``'s lease: a guarded conditional update that
        matches only a lease run out, and makes the person's first (one command either way: a lease
        still held makes the upsert's insert collide with it). Times are epoch seconds: a range on
        datetimes is no guard on the embedded store (it compares them through SQLite's datetime(),
        ignoring fractions)."""
        now = time.time()
        try:
            self.takers.update_one(
                {"_id": person_id, "until": {"$lt": now}},
                {"$set": {"until": now + lease_seconds, "holder": holder}},
                upsert=True,
            )
        except DuplicateKeyError:  # held by someone else, until it runs out
            return False
        return True

    def let_go_person(self, person_id: str, holder: str) -> None:
        self.takers.update_one({"_id": person_id, "holder": holder}, {"$set": {"until": 0.0, "holder": None}})

    # scheduled jobs: exactly one instance takes each turn
    def take_turn(self, job: str, now: datetime, every: timedelta) -> bool:
        """True for the one caller that finds ``job`` due and moves it on by ``every``."""
        return take_turn(self.turns, job, now, every)

    # reassignments when someone leaves
    def record_reassignment(self, record: Document) -> Document:
        stored, added = insert_once(self.reassignments, record)
        if added:
            self.audit.changed("reassignment", None, stored)
        return stored

    def extend_reassignment(self, record: Document, before: Document) -> None:
        self.reassignments.replace_one({"_id": record["_id"]}, record)
        self.audit.changed("reassignment", before, record)

    def reassignment(self, reassignment_id: str) -> Document | None:
        return self.reassignments.find_one({"_id": reassignment_id})


def _failed_at(exc: DuplicateKeyError) -> int | None:
    """Which write of a command sent together collided (its place in the command)."""
    details = exc.details or {}
    return details.get("idx") if isinstance(details.get("idx"), int) else None


def _unkeyed(holding: Document) -> Document:
    """The holding without its derived sweep keys (bookkeeping, not a change anyone made)."""
    return {k: v for k, v in holding.items() if not k.endswith("_key")}


SINCE_INDEX_BEFORE = "state_1_team_1_since_-1"
# the version of holdings ("holdings 5", upgrading.py) from which every holding has its tag terms
TAGS_INDEXED_VERSION = 5
# the head's version once its holding is forgotten: past any a writer that lost to it could write
FORGOTTEN = 2**62


def tag_terms(holding: Document) -> list[Document]:
    """The documents a tag search finds a holding (as stored: ``with_sweep_keys``, at its version) by:
    a head carrying its version (the guard of every rewrite), then one term per tag, keyed by its
    state, team and tag and carrying its place in the pool's order. nx-27017 serves no index on an
    array field (``tags``): a search by one tag is then one range of an ordinary index."""
    holding_id = holding["_id"]
    head = {"_id": _head_id(holding_id), "holding_id": holding_id, "version": holding.get("version", 0)}
    return [head] + [
        {
            "_id": _term_id(holding_id, tag),
            "holding_id": holding_id,
            "key": tag_key(holding["state"], holding.get("team"), tag),
            "since_key": holding["since_key"],
        }
        for tag in sorted(_tags(holding))
    ]


def tag_key(state: str, team: str | None, tag: str) -> str:
    """The key of a term: its holding's state and team and the tag, one string (JSON: no team or tag
    can make two alike)."""
    return json.dumps([state, team, tag], ensure_ascii=False)


def _tags(holding: Document) -> set[str]:
    return {tag for tag in holding.get("tags") or () if isinstance(tag, str) and tag}


def _head_id(holding_id: str) -> str:
    return f"{holding_id}|"


def _term_id(holding_id: str, tag: str) -> str:
    return f"{holding_id}|{tag}"


def with_sweep_keys(holding: Document) -> Document:
    """The holding as the store writes it: with a key for each clock the sweep looks up, and its
    state with the moment it entered it (the reports' range of rejections); a new one at its first
    version (a change's version is moved on by ``guarded_replace``)."""
    return {
        **holding,
        **{_key_field(clock): _sweep_key(holding, clock) for clock in SWEEP_KEYS},
        "state_key": state_key(holding["state"], holding["since"]),
        # the time it entered its state, then its id: the pool's order, with no two alike
        "since_key": f"{time_key(holding['since'])} {holding['_id']}",
        "version": holding.get("version", 0),
    }


def _sweep_key(holding: Document, clock: str) -> str | None:
    flag, rule = SWEEP_KEYS[clock]
    if holding.get(clock) is None:
        return None
    prefix = _key_prefix(holding["state"], flag, holding.get(flag))
    warning = holding.get("warned_for")
    if rule and isinstance(warning, dict) and warning.get("rule") == rule and warning.get("due_at") is not None:
        return f"{prefix}{WARNED}{time_key(warning['due_at'])} {holding['_id']}"
    return f"{prefix}{time_key(holding[clock])} {holding['_id']}"


def _key_field(clock: str) -> str:
    return f"{clock}_key"


def _key_prefix(state: str, flag: str, value: object) -> str:
    return f"{state} {flag}={int(bool(value))} "


def state_key(state: str, moment: datetime) -> str:
    """``state`` and a moment as one string that sorts by state, then time."""
    return f"{state}|{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ}"


def _rotation_fields(rotation: Rotation) -> Document:
    # Per-person values as lists of pairs, not objects keyed by person: ids may hold "." (li.wei),
    # which a field name may not.
    return {
        "members": [{"id": m.id, "weight": m.weight} for m in rotation.members],
        "credit": _pairs(rotation.credit),
        "last_turn": _pairs(rotation.last_turn),
        "turn": rotation.turn,
        "decisions": [{"customer_id": c, "owner_id": o} for c, o in rotation.decisions],
        "served": _pairs(rotation.served),
    }


def _rotation_of(doc: Document) -> Rotation:
    return Rotation(
        members=tuple(Member(m["id"], m["weight"]) for m in doc["members"]),
        credit=_by_person(doc["credit"]),
        last_turn=_by_person(doc["last_turn"]),
        turn=doc["turn"],
        decisions=tuple((d["customer_id"], d["owner_id"]) for d in doc["decisions"]),
        served=_by_person(doc.get("served")),
    )


def _pairs(by_person: dict[str, Any]) -> list[Document]:
    return [{"id": person, "value": value} for person, value in by_person.items()]


def _by_person(stored: Any) -> dict[str, Any]:
    """{person: value} from the stored pairs (or from the objects rotations were stored as before)."""
    if isinstance(stored, dict):
        return dict(stored)
    return {pair["id"]: pair["value"] for pair in stored or ()}
