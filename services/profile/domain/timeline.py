"""Timeline entries (客户时间轴): one per step, worded for a newcomer reading the history.

Each entry's ``summary`` is English; its ``details`` say the same as data — people by user id,
times in ISO 8601, grades, stages — so a client words it in the reader's language and time zone.
Prices and amounts are in neither: the timeline is read by roles that may not see them."""

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from services.profile.domain.documents import Archive, Entry, Inquiry, Record
from services.profile.domain.visibility import PRICE_FIELDS  # the timeline is read by roles that may not see prices

VALUE_GRADE = "value_grade"
_OLD_VALUE_REASON = re.compile(r"^(Graded by [^:]+: [^(]*\bvalue [^(]*?) \(.*\)\Z", re.DOTALL)


def entry(
    customer_id: str,
    kind: str,
    ref: str,
    at: datetime,
    summary: str,
    actor: str,
    refs: dict[str, str],
    details: dict[str, Any] | None = None,
) -> Entry:
    return {
        "_id": f"{customer_id}:{kind}:{ref}",
        "customer_id": customer_id,
        "kind": kind,
        "at": at,
        "summary": summary,
        "actor": actor,
        "refs": refs,
        "details": details or {},
    }


def inquiry_received(
    customer_id: str, inquiry_id: str, inquiry: Inquiry, received_at: datetime, matched_on: str | None = None
) -> Entry:
    via = inquiry["channel"] + (f" (campaign {inquiry['campaign']})" if inquiry.get("campaign") else "")
    summary = f"Inquiry via {via}"
    if inquiry.get("message"):
        summary += f": “{_clip(inquiry['message'])}”"
    if matched_on:
        summary += f" — merged into this archive (same {matched_on})"
    return entry(
        customer_id,
        "inquiry_received",
        inquiry_id,
        inquiry.get("occurred_at") or received_at,
        summary,
        "intake",
        {"inquiry_id": inquiry_id},
        {
            "channel": inquiry["channel"],
            "campaign": inquiry.get("campaign"),
            "matched_on": matched_on,
            "message": _clip(inquiry["message"]) if inquiry.get("message") else None,
        },
    )


def customer_created(archive: Archive, inquiry_id: str) -> Entry:
    grade = archive.get("intent_grade")
    summary = f"Archive opened from inquiry {inquiry_id}"
    if grade:
        summary += f"; intent grade {grade['grade']} ({'; '.join(grade['reasons'])})"
    return entry(
        archive["_id"],
        "customer_created",
        inquiry_id,
        archive["created_at"],
        summary,
        "profile",
        {"inquiry_id": inquiry_id},
        {
            "inquiry_id": inquiry_id,
            "intent_grade": grade["grade"] if grade else None,
            "grade_reasons": list(grade["reasons"]) if grade else [],
        },
    )


def flagged_for_review(customer_id: str, candidates: Sequence[str], at: datetime) -> Entry:
    return entry(
        customer_id,
        "flagged_for_review",
        "candidates",
        at,
        f"May be the same customer as {', '.join(candidates)}: waiting for a person to decide",
        "profile",
        {"candidates": ",".join(candidates)},
        {"candidates": list(candidates)},
    )


def kept_apart(customer_id: str, other_id: str, by: str, note: str | None, at: datetime) -> Entry:
    """A person said the two archives are different companies (keyed by the other: once per pair)."""
    because = f": {_clip(note)}" if note else ""
    return entry(
        customer_id,
        "kept_apart",
        other_id,
        at,
        f"Kept apart from {other_id} by {by} (a different company){because}",
        by,
        {"other_id": other_id},
        {"other": other_id, "by": by, "note": note},
    )


def communication_recorded(customer_id: str, record: Record, record_within: timedelta | None = None) -> Entry:
    summary = f"{record['method'].replace('_', ' ')} by {record['by']}: {_clip(record['summary'])}"
    if record.get("customer_words"):
        summary += f" — customer: “{_clip(record['customer_words'])}”"
    if record.get("recorded_late") and record_within is not None:
        summary += (
            f" (recorded {_minutes(record['recorded_after_minutes'])} after it happened; the notes "
            f"convention asks within {_minutes(record_within.total_seconds() // 60)})"
        )
    late = bool(record.get("recorded_late"))
    return entry(
        customer_id,
        "communication_recorded",
        record["id"],
        record["at"],
        summary,
        record["by"],
        {"communication_id": record["id"]},
        {
            "method": record["method"],
            "by": record["by"],
            "note": _clip(record["summary"]),
            "customer_words": _clip(record["customer_words"]) if record.get("customer_words") else None,
            "late_minutes": int(record["recorded_after_minutes"]) if late else None,
            "within_minutes": int(record_within.total_seconds() // 60) if late and record_within else None,
        },
    )


def customers_merged(kept_id: str, absorbed: Archive, by: str, at: datetime) -> Entry:
    owner = f", owned by {absorbed['owner_id']}" if absorbed.get("owner_id") else ""
    return entry(
        kept_id,
        "customers_merged",
        absorbed["_id"],
        at,
        f"Merged {absorbed['_id']} ({absorbed.get('company') or 'no company'}{owner}) into this archive by {by}",
        by,
        {"absorbed_id": absorbed["_id"]},
        {
            "absorbed_id": absorbed["_id"],
            "company": absorbed.get("company"),
            "owner": absorbed.get("owner_id"),
            "by": by,
        },
    )


def owner_assigned(
    customer_id: str, owner_id: str, team: str | None, reason: str, at: datetime, allocation_id: str | None = None
) -> Entry:
    # keyed by the allocation (pool names it), so announcing it again adds nothing
    return entry(
        customer_id,
        "owner_assigned",
        allocation_id or f"{owner_id}:{at.isoformat()}",
        at,
        f"Assigned to {owner_id} ({reason}, team {team})",
        "pool",
        {"owner_id": owner_id},
        {"owner": owner_id, "team": team, "reason": reason},
    )


def returned_to_pool(
    customer_id: str, state: str, previous_owner: str | None, reason: str, by: str, at: datetime
) -> Entry:
    where = {"public_pool": "the public pool", "dormant": "the dormant pool", "rejected": "the rejected list"}[state]
    taken = f" from {previous_owner}" if previous_owner else ""
    return entry(
        customer_id,
        "returned_to_pool",
        f"{state}:{at.isoformat()}",
        at,
        f"Moved{taken} to {where} by {by}: {reason}",
        by,
        {"state": state},
        {"state": state, "previous_owner": previous_owner, "by": by, "reason": reason},
    )


def collaborators_changed(customer_id: str, collaborators: Sequence[str], by: str, at: datetime) -> Entry:
    named = ", ".join(collaborators) or "none"
    return entry(
        customer_id,
        "collaborators_changed",
        f"{at.isoformat()}",
        at,
        f"Collaborators now: {named} (by {by})",
        by,
        {"collaborators": ",".join(collaborators)},
        {"collaborators": list(collaborators), "by": by},
    )


def handoff_accepted(
    customer_id: str,
    handoff_id: str,
    kind: str,
    by: str,
    at: datetime,
    from_user: str | None = None,
    new_owner: str | None = None,
) -> Entry:
    """``from_user``: who handed it over; ``new_owner``: who owns the customer now, when it changed."""
    return entry(
        customer_id,
        "handoff_accepted",
        handoff_id,
        at,
        f"Handoff {kind.replace('_', ' ')} accepted by {by}",
        by,
        {"handoff_id": handoff_id},
        {"kind": kind, "by": by, "from": from_user, "new_owner": new_owner},
    )


def handoff_submitted(event: dict) -> dict:
    """A handoff sent (or sent again after a return): one entry per submission."""
    what = event["kind"].replace("_", " ")
    again = " again" if event["attempt"] > 1 else ""
    summary = f"Handoff {what} submitted{again} by {event['from_user']} to {', '.join(event['to_users'])}"
    if event["info_pending"]:
        summary += f"; info pending: {', '.join(event['missing']) or 'see the checklist'}"
    return entry(
        event["customer_id"],
        "handoff_submitted",
        f"{event['handoff_id']}:{event['attempt']}",
        event["submitted_at"],
        summary,
        event["from_user"],
        {"handoff_id": event["handoff_id"], "attempt": str(event["attempt"])},
        # action, by, note: as the handoff view's own entries say them (one wording in the console)
        {
            "handoff_id": event["handoff_id"],
            "kind": event["kind"],
            "from": event["from_user"],
            "to": list(event["to_users"]),
            "info_pending": event["info_pending"],
            "missing": list(event["missing"]),
            "attempt": event["attempt"],
            "action": "resubmitted" if event["attempt"] > 1 else "submitted",
            "by": event["from_user"],
            "note": f"missing: {', '.join(event['missing'])}" if event["info_pending"] else None,
        },
    )


def handoff_returned(event: dict) -> dict:
    return entry(
        event["customer_id"],
        "handoff_returned",
        f"{event['handoff_id']}:{event['attempt']}",
        event["at"],
        f"Handoff {event['kind'].replace('_', ' ')} returned by {event['by']} to {event['from_user']}: "
        f"{_clip('; '.join(event['reasons']))}",
        event["by"],
        {"handoff_id": event["handoff_id"], "attempt": str(event["attempt"])},
        {
            "handoff_id": event["handoff_id"],
            "kind": event["kind"],
            "by": event["by"],
            "from": event["from_user"],
            "reasons": list(event["reasons"]),
            "action": "returned",
            "note": _clip("; ".join(event["reasons"])),
        },
    )


def handoff_withdrawn(event: dict) -> dict:
    return entry(
        event["customer_id"],
        "handoff_withdrawn",
        event["handoff_id"],
        event["at"],
        f"Handoff {event['kind'].replace('_', ' ')} withdrawn by {event['by']}: {_clip(event['reason'])}",
        event["by"],
        {"handoff_id": event["handoff_id"]},
        {
            "handoff_id": event["handoff_id"],
            "kind": event["kind"],
            "by": event["by"],
            "reason": event["reason"],
            "action": "withdrawn",
            "note": _clip(event["reason"]),
        },
    )


def requirement_changed(event: dict, priced: bool) -> dict:
    """``priced``: the requirement is named as a price (target_price…): told without its values or
    note, as the notices tell it — the timeline is read by roles that may not see prices."""
    field = event["field"].replace("_", " ")
    before, after = (None, None) if priced else (event["before"], event["after"])
    note = None if priced else event.get("note")
    summary = (
        f"Requirement {field} changed by {event['by']}"
        if priced
        else f"Requirement {field}: {_shown(before)} → {_shown(after)} by {event['by']}"
        + (f" ({_clip(note)})" if note else "")
    )
    if event.get("order_id") and not priced:
        summary += f"; order {event['order_id']} changed with it"
    return entry(
        event["customer_id"],
        "requirement_changed",
        event["change_id"],
        event["at"],
        summary,
        event["by"],
        {"change_id": event["change_id"], **({"order_id": event["order_id"]} if event.get("order_id") else {})},
        {
            "field": event["field"],
            "before": _iso(before),
            "after": _iso(after),
            "by": event["by"],
            "note": note,
            "source": event.get("source"),
            "order_id": event.get("order_id"),
            "priced": priced,
        },
    )


def step_started(event: dict) -> dict:
    return entry(
        event["customer_id"],
        "step_started",
        event["step"],
        event["at"],
        f"Step {event['step'].replace('_', ' ')} started by {event['by']} ({event['department']})",
        event["by"],
        {"step": event["step"]},
        {"step": event["step"], "department": event["department"], "by": event["by"]},
    )


def reminder_updated(event: dict) -> dict:
    """A reminder marked done or snoozed (bookkeeping: shown when asked for)."""
    what = event["kind"].replace("_", " ")
    if event["change"] == "done":
        summary = f"Reminder {what} for {event['user_id']} done by {event['by']}"
    else:
        summary = (
            f"Reminder {what} for {event['user_id']} snoozed by {event['by']} until {event['until']:%Y-%m-%d %H:%M} UTC"
        )
    if event.get("note"):
        summary += f": {_clip(event['note'])}"
    kind = f"reminder_{event['change']}"
    return entry(
        event["customer_id"],
        kind,
        f"{event['reminder_id']}:{event['at'].isoformat()}",
        event["at"],
        summary,
        event["by"],
        {"reminder_id": event["reminder_id"], "user_id": event["user_id"]},
        {
            "reminder_kind": event["kind"],
            "user": event["user_id"],
            "by": event["by"],
            **(
                {"until": _iso(event["until"]), "reason": event.get("note")}
                if event["change"] == "snoozed"
                else {"note": event.get("note")}
            ),
        },
    )


def recycling_warned(customer_id: str, owner_id: str, reason: str, due_at: datetime, at: datetime) -> Entry:
    return entry(
        customer_id,
        "recycling_warned",
        f"{due_at.isoformat()}",
        at,
        f"{owner_id} warned: returns to the public pool at {due_at:%Y-%m-%d %H:%M} UTC ({reason})",
        "pool",
        {"owner_id": owner_id},
        {"owner": owner_id, "returns_at": _iso(due_at), "reason": reason},
    )


def reminder_scheduled(
    customer_id: str, reminder_id: str, kind: str, user_id: str, due_at: datetime, at: datetime
) -> Entry:
    return entry(
        customer_id,
        "reminder_scheduled",
        reminder_id,
        at,
        f"Reminder for {user_id}: {kind.replace('_', ' ')} due {due_at:%Y-%m-%d %H:%M} UTC",
        "notification",
        {"reminder_id": reminder_id, "user_id": user_id},
        {"reminder_kind": kind, "user": user_id, "due_at": _iso(due_at)},
    )


def details_updated(customer_id: str, changed: dict[str, tuple[Any, Any]], by: str, at: datetime) -> Entry:
    shown = {name: _change_shown(name, before, after) for name, (before, after) in changed.items()}
    parts = [f"{name.replace('_', ' ')}: {change}" for name, change in shown.items()]
    return entry(
        customer_id,
        "details_updated",
        f"{by}:{at.isoformat()}",
        at,
        f"Details updated by {by}: " + "; ".join(parts),
        by,
        {"fields": ",".join(changed)},
        {"by": by, "changes": [{"field": name, "change": change} for name, change in shown.items()]},
    )


STEP_WORDING = {
    "quotes": (
        "quote_recorded",
        lambda r: (
            f"Quote by {r['by']}: {r['product']}"
            + (f" × {r['quantity']}" if r.get("quantity") else "")
            + (f", valid until {r['valid_until']:%Y-%m-%d}" if r.get("valid_until") else "")
        ),
    ),
    "samples": (
        "sample_recorded",
        lambda r: (
            f"Sample sent by {r['by']}: {r['model']}"
            + (f", {r['test_days']} days to test" if r.get("test_days") is not None else "")
        ),
    ),
    "orders": (
        "order_recorded",
        lambda r: (
            f"Order recorded by {r['by']}"
            + (f": {', '.join(r['products'])}" if r.get("products") else "")
            + (f", delivery {r['delivery_date']}" if r.get("delivery_date") else "")
            + (f", payment {r['payment_method']}" if r.get("payment_method") else "")
        ),
    ),
}
WHEN = {"quotes": "at", "samples": "sent_at", "orders": "at"}
# What of a step the timeline's details carry: never its prices or amounts.
STEP_DETAILS = {
    "quotes": ("product", "quantity", "valid_until"),
    "samples": ("model", "test_days"),
    "orders": ("products", "delivery_date", "payment_method"),
}


def step_recorded(customer_id: str, kind: str, record: Record) -> Entry:
    # Prices stay off the timeline: it is read by roles that may not see them.
    entry_kind, wording = STEP_WORDING[kind]
    return entry(
        customer_id,
        entry_kind,
        record["id"],
        record[WHEN[kind]],
        wording(record),
        record["by"],
        {"record_id": record["id"]},
        {"by": record["by"], **{name: _iso(record.get(name)) for name in STEP_DETAILS[kind]}},
    )


def order_amended(customer_id: str, order_id: str, amendment: dict[str, Any], at: datetime) -> Entry:
    """An order changed by an agreed requirement change (its delivery date moved…). Never a price:
    only the order fields a requirement may change are amended."""
    field = amendment["field"]
    summary = (
        f"Order {field.replace('_', ' ')}: {amendment['before'] or '—'} → {amendment['value'] or '—'} by "
        f"{amendment['by']}" + (f" ({amendment['note']})" if amendment.get("note") else "")
    )
    return entry(
        customer_id,
        "order_amended",
        amendment["change_id"],
        at,
        summary,
        amendment["by"],
        {"record_id": order_id, "change_id": amendment["change_id"]},
        {
            "order_id": order_id,
            "field": field,
            "before": amendment["before"],
            "after": amendment["value"],
            "by": amendment["by"],
            "note": amendment.get("note"),
        },
    )


def stage_changed(
    customer_id: str, before: str, after: str, by: str, reason: str | None, at: datetime, from_pool: bool = False
) -> Entry:
    """``from_pool``: the stage follows the pool's decision (a rejection), which the pool reports."""
    summary = f"Stage {before.replace('_', ' ')} → {after.replace('_', ' ')} by {by}" + (
        f": {reason}" if reason else ""
    )
    return entry(
        customer_id,
        "stage_changed",
        f"{after}:{at.isoformat()}",
        at,
        summary,
        by,
        {"stage": after},
        {"before": before, "after": after, "by": by, "reason": reason or None}
        | ({"from_pool": True} if from_pool else {}),
    )


def graded(customer_id: str, changes: str, by: str, reason: str, at: datetime, fields: Sequence[str] = ()) -> Entry:
    """``fields``: the grades set. A value grade's reason is about money (the yearly order value, a
    person's note on it): it stays on the archive, for those who may see prices."""
    shown = "" if VALUE_GRADE in fields else f" ({reason})"
    return entry(
        customer_id,
        "graded",
        at.isoformat(),
        at,
        f"Graded by {by}: {changes}{shown}",
        by,
        {},
        {"by": by, "grades": _grade_changes(changes), "reason": None if VALUE_GRADE in fields else reason},
    )


def shown(stored: dict) -> dict:
    """A stored entry as it is read. Value gradings stored before their reasons were kept off the
    timeline still carry them ("… value — → A (orders of the last 365 days: 340,800 CNY; …)")."""
    if stored["kind"] == "graded" and (unpriced := _OLD_VALUE_REASON.match(stored["summary"])):
        return {**stored, "summary": unpriced.group(1)}
    return stored


def traits_noted(customer_id: str, traits: list[dict[str, Any]], source_id: str, at: datetime) -> Entry:
    found = "; ".join(f"{t['label']} (“{_clip(t['evidence'], 60)}”)" for t in traits)
    return entry(
        customer_id,
        "traits_noted",
        source_id,
        at,
        f"Traits noted: {found}",
        traits[0]["rule"],
        {"source_id": source_id},
    )


def group_linked(customer_id: str, group_id: str, name: str | None, other_id: str, by: str, at: datetime) -> Entry:
    return entry(
        customer_id,
        "group_linked",
        f"{group_id}:{other_id}",
        at,
        f"Linked with {other_id} in group {name or group_id} by {by}",
        by,
        {"group_id": group_id, "other_id": other_id},
        {"group_id": group_id, "group_name": name, "other": other_id, "by": by},
    )


def group_left(customer_id: str, group_id: str, by: str, at: datetime) -> Entry:
    return entry(
        customer_id,
        "group_left",
        f"{group_id}:{at.isoformat()}",
        at,
        f"Left group {group_id} ({by})",
        by,
        {"group_id": group_id},
        {"group_id": group_id, "by": by},
    )


CONTACT_FIELDS = ("name", "title", "email", "phone", "whatsapp", "linkedin")


def _change_shown(name, before, after):
    if name in PRICE_FIELDS:
        return "changed"
    if name == "contacts":
        return _contacts_changed(before or [], after or [])
    if name in ("needs", "products"):
        # long lists of the customer's words: what was added and removed says what changed
        before, after = before or [], after or []
        listed = [f"+ {_clip(v, 60)}" for v in after if v not in before]
        listed += [f"− {_clip(v, 60)}" for v in before if v not in after]
        return "; ".join(listed) or "reordered"
    return f"{_shown(before)} → {_shown(after)}"


def _contacts_changed(before, after):
    """e.g. "Jane Doe: email jane@acme.de → j.doe@acme.de; added Li Wei; removed bob@acme.de"."""
    removed, added = [c for c in before if c not in after], [c for c in after if c not in before]
    parts = []
    for old, new in zip(removed, added, strict=False):  # a contact corrected stays in its place in the list
        fields = [
            f"{name} {_shown(old.get(name))} → {_shown(new.get(name))}"
            for name in CONTACT_FIELDS
            if old.get(name) != new.get(name)
        ]
        parts.append(f"{_contact(new)}: {', '.join(fields)}")
    parts += [f"added {_contact(c)}" for c in added[len(removed) :]]
    parts += [f"removed {_contact(c)}" for c in removed[len(added) :]]
    return "; ".join(parts) or "reordered"


def _contact(contact):
    return _clip(contact.get("name") or contact.get("email") or contact.get("phone") or "a contact", 60)


def _shown(value):
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return ", ".join(
            _shown(v) if not isinstance(v, dict) else (v.get("name") or v.get("model") or str(v)) for v in value
        )
    return _clip(str(value), 60)


_GRADE_CHANGE = re.compile(r"\b(intent|value) ([^\s,]+) → ([^\s,]+)")


def _grade_changes(changes):
    """ "intent B → A, value — → B" (``grades.grade_changes``) as [{grade, before, after}], "—" as None."""
    return [
        {
            "grade": f"{name}_grade",
            "before": None if before == "—" else before,
            "after": None if after == "—" else after,
        }
        for name, before, after in _GRADE_CHANGE.findall(changes)
    ]


def _iso(value):
    """A datetime or date as ISO 8601 text (details travel as JSON); anything else as it is."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _clip(text, limit=140):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _minutes(minutes):
    """e.g. 45 min, 3 h 10 min, 2 d 4 h."""
    minutes = int(minutes)
    days, hours, rest = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{rest} min"
