"""Possible duplicates, pair by pair: listed for managers, kept apart when they are different companies.

A pair is listed from the moment matching flags it (``note_flags``) until a person decides it: a
merge, or keeping it apart (remembered, so matching never flags it again). Every step is keyed by
the pair, so asking again changes nothing.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from contracts.errors import InvalidInput
from services.profile.changing import ArchiveBusy, change_archive, existing_archive
from services.profile.domain import timeline
from services.profile.domain.duplicates import (
    PAIR_FIELDS,
    apart_record,
    listed_pair,
    not_kept_apart,
    open_pair,
    other_side,
    pair_id,
    with_flag_moved,
    without_flag,
)
from services.runtime.document_store import time_key


def note_flags(customers: Any, customer_id: str, candidates: list | tuple, at: datetime) -> int:
    """List the pairs an archive's flag names (its ``possible_duplicates``); how many were new."""
    return customers.note_pairs(
        [open_pair(customer_id, other, at, time_key(at)) for other in dict.fromkeys(candidates) if other != customer_id]
    )


def still_to_flag(customers: Any, customer_id: str, candidates: list | tuple) -> tuple:
    """The candidates matching found for ``customer_id`` but those a person kept apart from it."""
    asked = [pair_id(customer_id, c) for c in candidates if c != customer_id]
    return not_kept_apart(customer_id, candidates, customers.kept_apart(asked))


def possible_duplicates(customers: Any, limit: int, offset: int) -> tuple[list[dict], int]:
    """(a page of the open pairs as listed, newest first; how many are open). A pair whose archive is
    gone (merged before pairs were kept up) is closed as it is found."""
    pairs, total = customers.pairs_page(limit, offset)
    ids = {side for p in pairs for side in (p["first"], p["second"])}
    archives = {a["_id"]: a for a in customers.archives_by_id(ids, PAIR_FIELDS)}
    listed, gone = [], []
    for pair in pairs:
        shown = listed_pair(pair, archives)
        if shown is None:
            gone.append(pair["_id"])
        else:
            listed.append(shown)
    customers.close_pairs(gone)
    return listed, total - len(gone)


def keep_apart(
    customers: Any, customer_id: str, other_id: str, by: str, note: str | None, now: datetime
) -> dict[str, Any]:
    """Remember that two archives are different companies: the flag goes from both, the pair from the
    list, and each timeline says who decided it. The record written first answers a repeated call."""
    if other_id == customer_id:
        raise InvalidInput(
            "An archive cannot be kept apart from itself.", {"fields": {"other": ["Same as this archive."]}}
        )
    existing_archive(customers, customer_id)
    existing_archive(customers, other_id)
    at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as the store keeps it: the same answer twice
    record = customers.remember_apart(apart_record(customer_id, other_id, by, note, at))
    change_archive(customers, customer_id, lambda archive: without_flag(archive, {other_id}, now))
    change_archive(customers, other_id, lambda archive: without_flag(archive, {customer_id}, now))
    customers.close_pairs([record["_id"]])
    customers.record(
        timeline.kept_apart(customer_id, other_id, record["by"], record["note"], record["at"]),
        timeline.kept_apart(other_id, customer_id, record["by"], record["note"], record["at"]),
    )
    return apart_view(record, customer_id)


def kept_apart_event(customers: Any, kept: dict[str, Any]) -> dict[str, Any]:
    """The ``duplicates_kept_apart`` payload of a decision as ``keep_apart`` answered it: which of the
    two still have other open possible duplicates (listed pairs or flags naming archives still
    there), so the pool places only a customer no decision is pending for."""
    sides = (kept["customer_id"], kept["other_id"])
    archives = {a["_id"]: a for a in customers.archives_by_id(sides, ("possible_duplicates",))}
    named = {
        side: {other_side(p, side) for p in customers.pairs_of(side)}
        | set(archives.get(side, {}).get("possible_duplicates") or ())
        for side in sides
    }
    others = {other for side in sides for other in named[side] if other not in sides}
    present = {a["_id"] for a in customers.archives_by_id(others, ("_id",))} if others else set()
    return {
        "decision_id": pair_id(*sides),
        "customer_id": kept["customer_id"],
        "other_id": kept["other_id"],
        "with_open_duplicates": [side for side in sides if named[side] & present],
        "by": kept["by"],
        "at": kept["at"],
    }


def apart_view(record: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """A kept-apart record as answered to the one who asked about ``customer_id``."""
    return {
        "customer_id": customer_id,
        "other_id": other_side(record, customer_id),
        "by": record["by"],
        "note": record.get("note"),
        "at": record["at"],
    }


def after_merge(customers: Any, kept_id: str, absorbed_id: str, now: datetime) -> None:
    """Pairs and kept-apart decisions of an archive merged away become the kept one's: its pair with
    the kept archive is decided (closed); a pair with a third archive is the kept one's now, unless the
    kept one was kept apart from it. Every archive flagged with the absorbed one (found through the
    pairs, indexed by either side: no index serves the flags themselves) names the kept one instead,
    or nothing where it was kept apart from the kept one."""
    for record in customers.apart_from(absorbed_id):
        other = other_side(record, absorbed_id)
        if other != kept_id:
            customers.remember_apart(apart_record(kept_id, other, record["by"], record.get("note"), record["at"]))
    apart = {other_side(r, kept_id) for r in customers.apart_from(kept_id)}
    pairs = customers.pairs_of(absorbed_id)  # read once: those closed below are those followed here
    moved = []
    for pair in pairs:
        other = other_side(pair, absorbed_id)
        if other == kept_id:
            continue  # decided by the merge; the kept archive's own flag went with combining them
        if other in apart:
            _change_flag(customers, other, lambda archive: without_flag(archive, {absorbed_id}, now))
            continue
        flagged_by = kept_id if pair.get("flagged_by") == absorbed_id else other
        named = other if flagged_by == kept_id else kept_id
        moved.append(open_pair(flagged_by, named, pair["flagged_at"], pair["flagged_key"]))
        _change_flag(customers, other, lambda archive: with_flag_moved(archive, absorbed_id, kept_id, now))
    customers.close_pairs([p["_id"] for p in pairs])
    customers.close_pairs([pair_id(kept_id, other) for other in apart])
    customers.note_pairs(moved)
    if apart:
        change_archive(customers, kept_id, lambda archive: without_flag(archive, apart, now))


def _change_flag(customers: Any, customer_id: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
    try:
        change_archive(customers, customer_id, change)
    except ArchiveBusy:
        pass  # merged away itself meanwhile: its own merge moves its pairs


def backfill_pairs(customers: Any, after: str | None, limit: int) -> dict[str, Any]:
    """List the pairs of up to ``limit`` archives after ``after`` (in id order) flagged before pairs
    were listed; pairs kept apart since are not. Returns what ``BackfillResultSchema`` shows."""
    archives = customers.archives_after(after, limit)
    written = 0
    for archive in archives:
        flagged = still_to_flag(customers, archive["_id"], archive.get("possible_duplicates") or [])
        written += note_flags(customers, archive["_id"], flagged, archive.get("updated_at") or archive["created_at"])
    done = len(archives) < limit
    return {"examined": len(archives), "written": written, "next_after": None if done else archives[-1]["_id"]}
