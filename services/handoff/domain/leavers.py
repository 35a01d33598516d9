"""A leaver's sign-in (问题4): it ends once their last customer has moved — nobody keeps working a
customer that is no longer theirs, nor the history — or at the date their manager gave, whichever
comes first. One record per leaver says which it waits for and what was announced."""

from datetime import datetime

from services.handoff.domain import Document, outbox

LAST_CUSTOMER_MOVED = "last_customer_moved"
DATE_GIVEN = "date_given"


def new_leaver(leaver: str, by: str, now: datetime) -> Document:
    return {
        "_id": leaver,
        "by": by,
        "since": now,
        "sign_in_ends_at": None,
        "waits_for_customers": True,
        **outbox.empty(),
    }


def sign_in_ended(record: Document, at: datetime, reason: str, by: str, now: datetime) -> Document | None:
    """The record with the sign-in ending at ``at`` announced, or None when it ends no later
    already (asked twice, or a later date given after the last customer moved)."""
    ends = record["sign_in_ends_at"]
    waits = record["waits_for_customers"] and reason != LAST_CUSTOMER_MOVED
    if ends is not None and ends <= at:
        return None if waits == record["waits_for_customers"] else {**record, "waits_for_customers": waits}
    changed = {**record, "sign_in_ends_at": at, "waits_for_customers": waits}
    return outbox.added(
        changed, "leaver_sign_in_ends", {"user_id": record["_id"], "at": at, "reason": reason, "by": by}, now
    )
