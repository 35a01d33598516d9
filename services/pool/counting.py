"""How many customers each person owns, kept as a counter per person (collection ``held_counts``)
instead of counted from the holdings on every allocation and claim.

The embedded store has no transactions, so a counter and a holding cannot change in one write. The
counters are kept so that they never say less than the truth (a cap read from them can only be
too strict, never too loose), whatever instance crashes between two steps:

- a holding gaining an owner raises that owner's ``held`` and ``pending_in`` *before* the
  holding's guarded write; after it, ``pending_in`` goes down again (and ``held`` too when the
  write lost its race);
- a holding losing its owner raises ``pending_out`` before the write; after it, ``held`` and
  ``pending_out`` go down together (only ``pending_out`` when the write lost).

Every step is one ``$inc`` that also moves the counter's ``version`` on. A gain may be *reserved*
(``reserve_with``): its step then only matches while the counter says less than the person's cap,
so two instances giving the same person their last place at the same moment cannot both have it
(the counter's document is the one place both write; no lease is needed), and sent with the
holding's write, its audit entry and, for a new holding, the step after it, as one command. ``recount`` sets a counter
from the holdings themselves (an index count) plus whatever is pending, guarded by the version it
read: a step in flight then is either counted twice (too strict, until the next recount) or not at
all because its ``$inc`` moved the version and the recount is tried again. A counter nobody recounted
(made by a step's upsert, or missing) is recounted before it is believed, as is one at or over a cap
that changed since its last recount; pending steps untouched for ``STUCK_SECONDS`` are taken for
those of a process that died between two steps and dropped by the next recount.
"""

import time
from collections.abc import Callable, Iterable
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.runtime.document_store import count, guarded_replace, moved_on
from services.runtime.mongo import insert_once

Document = dict[str, Any]

OWNED = "owned"
STUCK_SECONDS = 300.0  # far longer than one holding write takes (a person's lease is 10 s)
RECOUNT_ATTEMPTS = 5


class AtCap(Exception):
    """The person's counter says they hold their cap (perhaps too strictly: ``held`` with the cap
    as ``at_most`` recounts it before it is believed); nothing was written."""


def owner_moves(before: Document | None, after: Document | None) -> tuple[str | None, str | None]:
    """(the person who gains the customer, the person who loses it) when a holding changes from
    ``before`` to ``after`` (None: not there); None for either when nobody does."""
    had = before["owner_id"] if before and before.get("state") == OWNED else None
    has = after["owner_id"] if after and after.get("state") == OWNED else None
    if had == has:
        return None, None
    return has, had


class HeldCounts:
    def __init__(self, counters: Any, holdings: Any) -> None:
        self.counters = counters
        self.holdings = holdings

    # the steps around one holding write
    def before_write(self, gained: str | None, lost: str | None) -> None:
        if gained:
            self._step(gained, {"held": 1, "pending_in": 1})
        if lost:
            self._step(lost, {"pending_out": 1})

    def after_write(self, gained: str | None, lost: str | None, written: bool) -> None:
        if gained:
            self._step(gained, {"pending_in": -1, **({} if written else {"held": -1})})
        if lost:
            self._step(lost, {"pending_out": -1, **({"held": -1} if written else {})})

    # the same steps as writes of a command that writes the holding too (``Together``)
    def reserve_with(self, together: Any, person_id: str, cap: int | None) -> None:
        """The step before a holding gains ``person_id`` as its owner, matching only while their
        counter says less than ``cap`` (None: any). An upsert, so one that matches nothing collides
        with the counter it did not match (a duplicate key at this write's place, which stops the
        writes after it): ``AtCap`` for the caller. A person without a counter gets one, recounted
        before it is believed, as a step's upsert makes it."""
        query: dict[str, Any] = {"_id": person_id}
        if cap is not None:
            query["held"] = {"$lt": cap}
        together.update(self.counters, query, _moved({"held": 1, "pending_in": 1}), upsert=True)

    def settle_with(self, together: Any, person_id: str) -> None:
        """The step after a new holding gained ``person_id`` (written before it in the same command:
        a holding that was not added stops the command before this step)."""
        together.update(self.counters, {"_id": person_id}, _moved({"pending_in": -1}))

    def settle(self, person_id: str) -> None:
        """``settle_with``'s step on its own: for a command that failed after the holding went in."""
        self._step(person_id, {"pending_in": -1})

    def unreserve(self, person_id: str) -> None:
        """Undo a reserved gain whose holding was not added (the command stopped before it)."""
        self._step(person_id, {"held": -1, "pending_in": -1})

    def _step(self, person_id: str, changes: dict[str, int]) -> None:
        update = _moved(changes)
        try:
            self.counters.update_one({"_id": person_id}, update, upsert=True)
        except DuplicateKeyError:  # another step made the counter at the same moment
            self.counters.update_one({"_id": person_id}, update)

    # reading
    def held(self, person_id: str, at_most: int | None = None) -> int:
        return self.held_by_each([person_id], at_most=lambda _p: at_most)[person_id]

    def held_by_each(
        self, person_ids: Iterable[str], at_most: Callable[[str], int | None] | None = None
    ) -> dict[str, int]:
        """{person: customers owned (never less than the truth)}, one read for all of them; a
        counter is recounted first when nobody has, or when it is at ``at_most(person)`` or over
        and has changed since it was last recounted."""
        person_ids = list(person_ids)
        found = {doc["_id"]: doc for doc in self.counters.find({"_id": {"$in": person_ids}})}
        held: dict[str, int] = {}
        for person_id in person_ids:
            doc = found.get(person_id)
            cap = at_most(person_id) if at_most is not None else None
            if doc is None or not doc.get("counted"):
                held[person_id] = self.recount(person_id, unless_counted=True)
            elif cap is not None and doc["held"] >= cap and doc.get("checked") != doc["version"]:
                held[person_id] = self.recount(person_id)
            else:
                held[person_id] = doc["held"]
        return held

    def recount(self, person_id: str, unless_counted: bool = False) -> int:
        """Set the person's counter from their holdings (and what is pending); the count.
        ``unless_counted``: only while nobody has (a counter another caller has just recounted, as
        many do at once on a fresh store, is believed as ``held_by_each`` believes it)."""
        held = 0
        for _attempt in range(RECOUNT_ATTEMPTS):
            doc = self.counters.find_one({"_id": person_id})
            if unless_counted and doc is not None and doc.get("counted"):
                return doc["held"]
            exact = count(self.holdings, {"owner_id": person_id, "state": OWNED})
            if doc is None:
                # No counter, so no step is pending (each step makes or moves it before its holding
                # write): the count is the truth, written as the counter in one command unless a
                # step made one meanwhile (then it is read and recounted again).
                first = {"_id": person_id, "held": exact, "pending_in": 0, "pending_out": 0, "version": 0}
                if insert_once(self.counters, {**first, "moved_at": 0.0, "counted": True, "checked": 0})[1]:
                    return exact
                held = exact
                continue
            stuck = time.time() - doc.get("moved_at", 0.0) > STUCK_SECONDS
            pending_in, pending_out = (0, 0) if stuck else (doc.get("pending_in", 0), doc.get("pending_out", 0))
            recounted = moved_on(
                {
                    "_id": person_id,
                    "held": exact + max(pending_in, 0) + max(pending_out, 0),
                    "pending_in": pending_in,
                    "pending_out": pending_out,
                    "counted": True,
                    "moved_at": doc.get("moved_at", 0.0),
                },
                doc,
            )
            recounted["checked"] = recounted["version"]  # recounted at the version this write stores
            held = recounted["held"]
            if guarded_replace(self.counters, recounted, doc):
                break
        return held  # (when it kept moving: this once, the last count answers, not written)


def _moved(changes: dict[str, int]) -> dict[str, Any]:
    """A step: ``changes`` to the counts, the version moved on, the time it moved."""
    return {"$inc": {**changes, "version": 1}, "$set": {"moved_at": time.time()}}
