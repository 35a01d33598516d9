"""Agreed requirements (客户需求清单, seed 002) and their changes: "custom logo", "voltage 110V",
"neutral packaging", a delivery date — named fields every department reads, so a promise made
to the customer is not lost between sales, orders and production.

A change ("deliver 10 days earlier", said on WhatsApp) is recorded once, with who said it and
where, and everyone who holds part of the customer is told.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.handoff.domain import Document, outbox
from services.runtime.prices import is_price_name


def new_register(customer_id: str, now: datetime) -> Document:
    return {"_id": customer_id, "fields": {}, "changes": [], "created_at": now, **outbox.empty()}


def agreed(register: Document | None) -> dict[str, Any]:
    """field -> value, as agreed now."""
    return {
        name: entry["value"] for name, entry in (register or {}).get("fields", {}).items() if entry["value"] is not None
    }


@dataclass(frozen=True)
class RequirementPolicy:
    """Which requirements live on orders too (BATON.handoff.requirements)."""

    order_fields: tuple = ("delivery_date", "payment_method")  # a change moves the order's value too
    date_fields: tuple = ("delivery_date",)  # YYYY-MM-DD, and may be moved by days


class BadRequirement(ValueError):
    """A value a requirement cannot take; ``field`` names the request field that is wrong."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def current_value(register: Document | None, field: str, order: Document | None) -> Any:
    """The value as agreed now, or as the order it concerns has it when nothing was agreed yet."""
    entry = (register or {}).get("fields", {}).get(field)
    if entry is not None:
        return entry["value"]
    return (order or {}).get(field)


def order_concerned(
    policy: RequirementPolicy, field: str, orders: Sequence[Document], order_id: str | None = None
) -> Document | None:
    """The order a change of ``field`` concerns: the one named, else the latest (by when it was
    placed) for a field orders carry; None for a field they do not carry or a customer without orders."""
    if order_id is not None:
        if field not in policy.order_fields:
            raise BadRequirement(
                f"{field} is not a field of orders (they carry: {', '.join(policy.order_fields)}).", "order_id"
            )
        named = next((o for o in orders if o["id"] == order_id), None)
        if named is None:
            raise BadRequirement(f"The customer has no order {order_id}.", "order_id")
        return named
    if field not in policy.order_fields or not orders:
        return None
    return max(orders, key=lambda o: o["at"])


def new_value(policy: RequirementPolicy, field: str, value: Any, shift_days: int | None, current: Any) -> Any:
    """The value asked for: ``value`` as given (a date checked as YYYY-MM-DD), or the current date
    moved by ``shift_days`` ("deliver 10 days earlier": -10)."""
    if shift_days is None:
        if value is not None and field in policy.date_fields:
            _date(value, "value", f"{field} is a date: YYYY-MM-DD, e.g. 2027-03-01.")
        return value
    if field not in policy.date_fields:
        raise BadRequirement(
            f"{field} is not a date: only {', '.join(policy.date_fields)} can be moved by days.", "shift_days"
        )
    if current is None:
        raise BadRequirement(f"{field} has no date yet to move: give the value.", "shift_days")
    moved = _date(current, "shift_days", f"The current {field} {current!r} is not a date: give the value.")
    return (moved + timedelta(days=shift_days)).isoformat()


def _date(text, request_field, message):
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise BadRequirement(message, request_field) from None


def changed(
    register: Document,
    field: str,
    value: Any,
    by: str,
    note: str | None,
    source: str | None,
    notify_users: Iterable[str],
    now: datetime,
    *,
    before: Any = None,
    order_id: str | None = None,
    owner_id: str | None = None,
    source_id: str | None = None,
) -> Document | None:
    """The register with ``field`` set to ``value`` (None clears it) and the change announced, or
    None when it already has that value (asking twice changes nothing) or when the change read
    from ``source_id`` (a contact record) was recorded before. ``before``: the value to name as the
    one replaced when nothing was agreed yet (the order's)."""
    entry_before = register["fields"].get(field)
    before = entry_before["value"] if entry_before is not None else before
    if before == value:
        return None
    if source_id is not None and recorded_from(register, source_id, field):
        return None
    change_id = f"rqc_{register['_id']}_{field}_{len(register['changes']) + 1}"
    entry = {"value": value, "by": by, "at": now, "note": note, "source": source}
    change = {
        "id": change_id,
        "field": field,
        "before": before,
        "after": value,
        "by": by,
        "at": now,
        "note": note,
        "source": source,
        "order_id": order_id,
        "source_id": source_id,
        "notified": list(notify_users),
    }
    updated = {
        **register,
        "fields": {**register["fields"], field: entry},
        "changes": register["changes"] + [change],
    }
    return outbox.added(
        updated,
        "requirement_changed",
        {
            "change_id": change_id,
            "customer_id": register["_id"],
            "field": field,
            "before": before,
            "after": value,
            "by": by,
            "at": now,
            "notify_users": list(notify_users),
            "note": note,
            "source": source,
            "order_id": order_id,
            "owner_id": owner_id,
        },
        now,
    )


def recorded_from(register: Document | None, source_id: str, field: str) -> bool:
    """Whether a change of ``field`` read from ``source_id`` (a contact record) is on the register."""
    return any(c.get("source_id") == source_id and c["field"] == field for c in (register or {}).get("changes", []))


def next_change_id(register: Document, field: str) -> str:
    """The id the next change of ``field`` gets (the order's amendment is keyed by it)."""
    return f"rqc_{register['_id']}_{field}_{len(register['changes']) + 1}"


def people_to_notify(
    owner: str | None, collaborators: Iterable[str], participants: Iterable[str], changed_by: str
) -> list[str]:
    """Everyone who holds part of the customer — its owner, collaborators, the people on its
    handoffs and those who started a step — except whoever made the change."""
    people = [owner, *collaborators, *participants]
    return sorted({p for p in people if p and p != changed_by})


def requirement_change_summary(change: dict) -> str:
    """A change as the customer's timeline words it, e.g. "voltage: 220V → 110V (deliver to the US), via
    whatsapp". A requirement named as a price (target_price…) only says it changed: the timeline is
    read by roles that may not see prices, and the note on a price is about it."""
    if is_price_name(change["field"]):
        summary = f"{change['field']}: changed"
    else:
        summary = f"{change['field']}: {change['before'] or '—'} → {change['after'] or '—'}" + (
            f" ({change['note']})" if change.get("note") else ""
        )
    return summary + (f", via {change['source']}" if change.get("source") else "")
