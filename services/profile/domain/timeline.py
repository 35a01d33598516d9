"""Timeline entries (客户时间轴): one per step, worded for a newcomer reading the history."""
from services.profile.domain.visibility import PRICE_FIELDS   # the timeline is read by roles that may not see prices


def entry(customer_id, kind, ref, at, summary, actor, refs):
    return {"_id": f"{customer_id}:{kind}:{ref}", "customer_id": customer_id, "kind": kind,
            "at": at, "summary": summary, "actor": actor, "refs": refs}


def inquiry_received(customer_id, inquiry_id, inquiry, received_at, matched_on=None):
    via = inquiry["channel"] + (f" (campaign {inquiry['campaign']})" if inquiry.get("campaign") else "")
    summary = f"Inquiry via {via}"
    if inquiry.get("message"):
        summary += f": “{_clip(inquiry['message'])}”"
    if matched_on:
        summary += f" — merged into this archive (same {matched_on})"
    return entry(customer_id, "inquiry_received", inquiry_id, inquiry.get("occurred_at") or received_at,
                 summary, "intake", {"inquiry_id": inquiry_id})


def customer_created(archive, inquiry_id):
    grade = archive.get("intent_grade")
    summary = f"Archive opened from inquiry {inquiry_id}"
    if grade:
        summary += f"; intent grade {grade['grade']} ({'; '.join(grade['reasons'])})"
    return entry(archive["_id"], "customer_created", inquiry_id, archive["created_at"], summary, "profile",
                 {"inquiry_id": inquiry_id})


def flagged_for_review(customer_id, candidates, at):
    return entry(customer_id, "flagged_for_review", "candidates", at,
                 f"May be the same customer as {', '.join(candidates)}: waiting for a person to decide",
                 "profile", {"candidates": ",".join(candidates)})


def communication_recorded(customer_id, record, record_within=None):
    summary = f"{record['method'].replace('_', ' ')} by {record['by']}: {_clip(record['summary'])}"
    if record.get("customer_words"):
        summary += f" — customer: “{_clip(record['customer_words'])}”"
    if record.get("recorded_late"):
        summary += (f" (recorded {_minutes(record['recorded_after_minutes'])} after it happened; the notes "
                    f"convention asks within {_minutes(record_within.total_seconds() // 60)})")
    return entry(customer_id, "communication_recorded", record["id"], record["at"], summary, record["by"],
                 {"communication_id": record["id"]})


def customers_merged(kept_id, absorbed, by, at):
    owner = f", owned by {absorbed['owner_id']}" if absorbed.get("owner_id") else ""
    return entry(kept_id, "customers_merged", absorbed["_id"], at,
                 f"Merged {absorbed['_id']} ({absorbed.get('company') or 'no company'}{owner}) into this archive by {by}",
                 by, {"absorbed_id": absorbed["_id"]})


def owner_assigned(customer_id, owner_id, team, reason, at):
    return entry(customer_id, "owner_assigned", f"{owner_id}:{at.isoformat()}", at,
                 f"Assigned to {owner_id} ({reason}, team {team})", "pool", {"owner_id": owner_id})


def returned_to_pool(customer_id, state, previous_owner, reason, by, at):
    where = {"public_pool": "the public pool", "dormant": "the dormant pool", "rejected": "the rejected list"}[state]
    taken = f" from {previous_owner}" if previous_owner else ""
    return entry(customer_id, "returned_to_pool", f"{state}:{at.isoformat()}", at,
                 f"Moved{taken} to {where} by {by}: {reason}", by, {"state": state})


def collaborators_changed(customer_id, collaborators, by, at):
    named = ", ".join(collaborators) or "none"
    return entry(customer_id, "collaborators_changed", f"{at.isoformat()}", at,
                 f"Collaborators now: {named} (by {by})", by, {"collaborators": ",".join(collaborators)})


def handoff_accepted(customer_id, handoff_id, kind, by, at):
    return entry(customer_id, "handoff_accepted", handoff_id, at,
                 f"Handoff {kind.replace('_', ' ')} accepted by {by}", by, {"handoff_id": handoff_id})


def recycling_warned(customer_id, owner_id, reason, due_at, at):
    return entry(customer_id, "recycling_warned", f"{due_at.isoformat()}", at,
                 f"{owner_id} warned: returns to the public pool at {due_at:%Y-%m-%d %H:%M} UTC ({reason})",
                 "pool", {"owner_id": owner_id})


def reminder_scheduled(customer_id, reminder_id, kind, user_id, due_at, at):
    return entry(customer_id, "reminder_scheduled", reminder_id, at,
                 f"Reminder for {user_id}: {kind.replace('_', ' ')} due {due_at:%Y-%m-%d %H:%M} UTC",
                 "notification", {"reminder_id": reminder_id, "user_id": user_id})


def details_updated(customer_id, changed, by, at):
    parts = [f"{name.replace('_', ' ')}: " + ("changed" if name in PRICE_FIELDS else f"{_shown(before)} → {_shown(after)}")
             for name, (before, after) in changed.items()]
    return entry(customer_id, "details_updated", f"{by}:{at.isoformat()}", at,
                 f"Details updated by {by}: " + "; ".join(parts), by, {"fields": ",".join(changed)})


STEP_WORDING = {
    "quotes": ("quote_recorded", lambda r: f"Quote by {r['by']}: {r['product']}"
               + (f" × {r['quantity']}" if r.get("quantity") else "")
               + (f", valid until {r['valid_until']:%Y-%m-%d}" if r.get("valid_until") else "")),
    "samples": ("sample_recorded", lambda r: f"Sample sent by {r['by']}: {r['model']}"
                + (f", {r['test_days']} days to test" if r.get("test_days") is not None else "")),
    "orders": ("order_recorded", lambda r: f"Order recorded by {r['by']}"
               + (f": {', '.join(r['products'])}" if r.get("products") else "")
               + (f", delivery {r['delivery_date']}" if r.get("delivery_date") else "")
               + (f", payment {r['payment_method']}" if r.get("payment_method") else "")),
}
WHEN = {"quotes": "at", "samples": "sent_at", "orders": "at"}


def step_recorded(customer_id, kind, record):
    # Prices stay off the timeline: it is read by roles that may not see them.
    entry_kind, wording = STEP_WORDING[kind]
    return entry(customer_id, entry_kind, record["id"], record[WHEN[kind]], wording(record), record["by"],
                 {"record_id": record["id"]})


def stage_changed(customer_id, before, after, by, reason, at):
    summary = f"Stage {before.replace('_', ' ')} → {after.replace('_', ' ')} by {by}" + (f": {reason}" if reason else "")
    return entry(customer_id, "stage_changed", f"{after}:{at.isoformat()}", at, summary, by, {"stage": after})


def graded(customer_id, changes, by, reason, at):
    return entry(customer_id, "graded", at.isoformat(), at, f"Graded by {by}: {changes} ({reason})", by, {})


def traits_noted(customer_id, traits, source_id, at):
    found = "; ".join(f"{t['label']} (“{_clip(t['evidence'], 60)}”)" for t in traits)
    return entry(customer_id, "traits_noted", source_id, at, f"Traits noted: {found}", traits[0]["rule"],
                 {"source_id": source_id})


def group_linked(customer_id, group_id, name, other_id, by, at):
    return entry(customer_id, "group_linked", f"{group_id}:{other_id}", at,
                 f"Linked with {other_id} in group {name or group_id} by {by}", by, {"group_id": group_id, "other_id": other_id})


def group_left(customer_id, group_id, by, at):
    return entry(customer_id, "group_left", f"{group_id}:{at.isoformat()}", at, f"Left group {group_id} ({by})", by,
                 {"group_id": group_id})


def _shown(value):
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return ", ".join(_shown(v) if not isinstance(v, dict) else (v.get("name") or v.get("model") or str(v)) for v in value)
    return _clip(str(value), 60)


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
