"""The handoffs and refusals of each month, kept for the measures (no I/O): one document per
(kind, UTC month) — ``handoffs|YYYY-MM`` by when a handoff was first submitted, ``refusals|YYYY-MM``
by when a submission was refused — holding just what ``domain.measures`` reads of each, as one
JSON text (the store hands over one string far faster than thousands of documents).

A handoff's entry is written again from the handoff itself after every change (idempotent); a
month's document counts its entries (``count``), and a month whose count differs from the index
count of its handoffs or refusals is made again from them.

Beside the entries, in the same write, ``sums``: what the measures add up of them, per kind
(``domain.measures.handoff_sums`` / ``refusal_sums``, one JSON text), so that the measures of a
month wholly in their period read its sums alone; a month they cover in part is read by its
entries. A month stored before sums were kept has none: it is read by its entries until it is
made again (the upgrade, or its next change).
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from services.handoff.domain import Document
from services.handoff.domain.measures import handoff_sums, refusal_sums

HANDOFFS, REFUSALS = "handoffs", "refusals"

# What the measures read of a handoff (domain.measures, handoffs.is_overdue and department_in).
_HANDOFF_FIELDS = (
    "_id",
    "kind",
    "from_user",
    "to_users",
    "from_department",
    "to_departments",
    "submitted_at",
    "ready_at",
    "accepted_at",
    "state",
    "info_completed_late",
    "pending_until",
)
_HANDOFF_TIMES = ("submitted_at", "ready_at", "accepted_at", "pending_until")
_HISTORY_FIELDS = ("at", "action", "by", "attempt", "missing")
_REFUSAL_FIELDS = ("_id", "kind", "from_user", "department", "missing", "at")


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def totals_id(kind: str, month: str) -> str:
    return f"{kind}|{month}"


def empty(kind: str, month: str) -> Document:
    return _with({"_id": totals_id(kind, month), "kind": kind, "month": month}, {})


def with_handoff(totals: Document, handoff: Document) -> Document:
    """``totals`` with ``handoff``'s entry as it is now (written twice: the same; ``totals``
    itself when the entry is already so)."""
    entries = json.loads(totals["entries"])
    entry = json.loads(json.dumps(handoff_entry(handoff)))  # as it reads back, to compare
    if entries.get(handoff["_id"]) == entry and has_sums(totals):
        return totals  # unchanged: nothing made again
    entries[handoff["_id"]] = entry
    return _with(totals, entries)


def made_of(kind: str, month: str, documents: Iterable[Document], before: Document | None) -> Document:
    """A month's totals made afresh from all its handoffs (or refusals)."""
    entry = handoff_entry if kind == HANDOFFS else refusal_entry
    return _with(before or empty(kind, month), {doc["_id"]: entry(doc) for doc in documents})


def with_sums(totals: Document) -> Document:
    """A month's totals stored before sums were kept, with them (its entries as they are)."""
    return _with(totals, json.loads(totals["entries"]))


def handoff_entry(handoff: Document) -> dict[str, Any]:
    entry = {name: _stored(handoff.get(name)) for name in _HANDOFF_FIELDS}
    history, returns = handoff.get("history") or [], handoff.get("returns") or []
    entry["history"] = [{name: _stored(step.get(name)) for name in _HISTORY_FIELDS} for step in history]
    entry["returns"] = [{"by": returned["by"]} for returned in returns]
    return entry


def refusal_entry(refusal: Document) -> dict[str, Any]:
    return {name: _stored(refusal.get(name)) for name in _REFUSAL_FIELDS}


def handoffs_in(totals: Document) -> list[Document]:
    """The month's handoffs as the measures read them (times as datetimes again)."""
    return [_handoff_of(entry) for entry in json.loads(totals["entries"]).values()]


def refusals_in(totals: Document) -> list[Document]:
    return [_refusal_of(entry) for entry in json.loads(totals["entries"]).values()]


def has_sums(totals: Document) -> bool:
    """Whether a month's totals (read with their "sums") keep them (not those stored before they were)."""
    return "sums" in totals


def sums_in(totals: Document) -> dict[str, Document]:
    """{kind: sums} of a month's totals (``domain.measures.handoff_sums`` or ``refusal_sums``)."""
    return json.loads(totals["sums"])


def _with(totals: Document, entries: dict[str, Any]) -> Document:
    if totals["kind"] == HANDOFFS:
        sums = handoff_sums([_handoff_of(entry) for entry in entries.values()])
    else:
        sums = refusal_sums([_refusal_of(entry) for entry in entries.values()])
    return {
        **totals,
        "count": len(entries),
        "entries": json.dumps(entries, separators=(",", ":"), ensure_ascii=False),
        "sums": json.dumps(sums, separators=(",", ":"), ensure_ascii=False),
    }


def _handoff_of(entry: dict[str, Any]) -> Document:
    """A handoff's entry as the measures read it: its times datetimes again (the entry left as it is)."""
    handoff = {**entry, **{name: _time(entry[name]) for name in _HANDOFF_TIMES}}
    handoff["history"] = [{**step, "at": _time(step["at"])} for step in entry["history"]]
    return handoff


def _refusal_of(entry: dict[str, Any]) -> Document:
    return {**entry, "at": _time(entry["at"])}


def _stored(value: Any) -> Any:
    """A time as the store keeps it (to the millisecond, UTC), as text; anything else as it is."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000).isoformat()
    return value


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None
