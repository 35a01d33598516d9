"""Agreed requirements (客户需求清单, seed 002) and their changes: "custom logo", "voltage 110V",
"neutral packaging", a delivery date — named fields every department reads, so a promise made
to the customer is not lost between sales, orders and production.

A change ("deliver 10 days earlier", said on WhatsApp) is recorded once, with who said it and
where, and everyone who holds part of the customer is told.
"""
from services.handoff.domain import outbox
from services.runtime.prices import is_price_name


def new_register(customer_id, now):
    return {"_id": customer_id, "fields": {}, "changes": [], "created_at": now, "version": 0, **outbox.empty()}


def agreed(register):
    """field -> value, as agreed now."""
    return {name: entry["value"] for name, entry in (register or {}).get("fields", {}).items()
            if entry["value"] is not None}


def changed(register, field, value, by, note, source, notify_users, now):
    """The register with ``field`` set to ``value`` (None clears it) and the change announced, or
    None when it already has that value (asking twice changes nothing)."""
    before = register["fields"].get(field, {}).get("value")
    if before == value:
        return None
    change_id = f"rqc_{register['_id']}_{field}_{len(register['changes']) + 1}"
    entry = {"value": value, "by": by, "at": now, "note": note, "source": source}
    change = {"id": change_id, "field": field, "before": before, "after": value, "by": by, "at": now, "note": note,
              "source": source, "notified": list(notify_users)}
    updated = {**register, "fields": {**register["fields"], field: entry}, "changes": register["changes"] + [change],
               "version": register["version"] + 1}
    return outbox.added(updated, "requirement_changed", {
        "change_id": change_id, "customer_id": register["_id"], "field": field, "before": before, "after": value,
        "by": by, "at": now, "notify_users": list(notify_users)}, now)


def people_to_notify(owner, collaborators, participants, changed_by):
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
        summary = (f"{change['field']}: {change['before'] or '—'} → {change['after'] or '—'}"
                   + (f" ({change['note']})" if change.get("note") else ""))
    return summary + (f", via {change['source']}" if change.get("source") else "")
