"""Timeline entries (客户时间轴): one per step, worded for a newcomer reading the history."""


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


def communication_recorded(customer_id, record):
    summary = f"{record['method'].replace('_', ' ')} by {record['by']}: {_clip(record['summary'])}"
    if record.get("customer_words"):
        summary += f" — customer: “{_clip(record['customer_words'])}”"
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


def reminder_scheduled(customer_id, reminder_id, kind, user_id, due_at, at):
    return entry(customer_id, "reminder_scheduled", reminder_id, at,
                 f"Reminder for {user_id}: {kind.replace('_', ' ')} due {due_at:%Y-%m-%d %H:%M} UTC",
                 "notification", {"reminder_id": reminder_id, "user_id": user_id})


def _clip(text, limit=140):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
