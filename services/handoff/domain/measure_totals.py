"""The handoffs and refusals of each month, kept for the measures (no I/O): one document per
(kind, UTC month) — ``handoffs|YYYY-MM`` by when a handoff was first submitted, ``refusals|YYYY-MM``
by when a submission was refused — holding just what ``domain.measures`` reads of each, as one
JSON text (the store hands over one string far faster than thousands of documents).

A handoff's entry is written again from the handoff itself after every change (idempotent); a
month's document counts its entries (``count``), and a month whose count differs from the index
count of its handoffs or refusals is made again from them.
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from services.handoff.domain import Document

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
    return {"_id": totals_id(kind, month), "kind": kind, "month": month, "count": 0, "entries": "{}"}


def with_handoff(totals: Document, handoff: Document) -> Document:
    """``totals`` with ``handoff``'s entry as it is now (written twice: the same)."""
    entries = json.loads(totals["entries"])
    entries[handoff["_id"]] = handoff_entry(handoff)
    return _with(totals, entries)


def made_of(kind: str, month: str, documents: Iterable[Document], before: Document | None) -> Document:
    """A month's totals made afresh from all its handoffs (or refusals)."""
    entry = handoff_entry if kind == HANDOFFS else refusal_entry
    return _with(before or empty(kind, month), {doc["_id"]: entry(doc) for doc in documents})


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
    handoffs = []
    for entry in json.loads(totals["entries"]).values():
        for name in _HANDOFF_TIMES:
            entry[name] = _time(entry[name])
        for step in entry["history"]:
            step["at"] = _time(step["at"])
        handoffs.append(entry)
    return handoffs


def refusals_in(totals: Document) -> list[Document]:
    refusals = []
    for entry in json.loads(totals["entries"]).values():
        entry["at"] = _time(entry["at"])
        refusals.append(entry)
    return refusals


def _with(totals: Document, entries: dict[str, Any]) -> Document:
    return {**totals, "count": len(entries), "entries": json.dumps(entries, separators=(",", ":"), ensure_ascii=False)}


def _stored(value: Any) -> Any:
    """A time as the store keeps it (to the millisecond, UTC), as text; anything else as it is."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000).isoformat()
    return value


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None
