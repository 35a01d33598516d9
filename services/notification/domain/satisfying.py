"""What closes a reminder: the event that does what it asked (done) or makes it moot (cancelled).

Each function takes the event and the open reminders it may concern and returns
``Closing``s; nothing is left to nag once its reason is gone.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from services.notification.domain import Document
from services.notification.domain.reminders import (
    ALLOCATION_STALLED,
    CANCELLED,
    DONE,
    FIRST_TOUCH,
    HANDOFF_ACCEPTANCE,
    HANDOFF_KINDS,
    HANDOFF_WAITING,
    INFO_PENDING,
    MEETING_MINUTES,
    RECYCLING_WARNING,
    SECOND_TOUCH,
    ReminderPolicy,
)


@dataclass(frozen=True)
class Closing:
    reminder_id: str
    status: str  # done or cancelled
    reason: str


def closed(reminder: Document, closing: Closing, at: datetime, by: str) -> Document:
    """``reminder`` closed as ``closing`` says (done or cancelled, with its reason), its lease let go."""
    return {
        **reminder,
        "status": closing.status,
        "closed_at": at,
        "closed_by": by,
        "close_reason": closing.reason,
        "lease_until": None,
        "lease_token": None,
    }


def closed_by_contact(policy: ReminderPolicy, contact: Document, open_reminders: Iterable[Document]) -> list[Closing]:
    """A recorded contact is the first touch, the second touch an unanswered one asked for, the
    follow-up a recycling warning asked for, and (by mail, after the meeting) the minutes."""
    when, who = contact["at"], contact["by"]
    said = f"contacted by {who} ({contact['method']}) on {when:%Y-%m-%d %H:%M}"
    out = []
    for reminder in open_reminders:
        kind = reminder["kind"]
        if kind in (FIRST_TOUCH, RECYCLING_WARNING):
            out.append(Closing(reminder["_id"], DONE, said))
        elif (
            kind == SECOND_TOUCH
            and reminder["details"].get("record_id") != contact["record_id"]
            and _at(reminder["details"].get("contact_at")) < when
        ):
            out.append(Closing(reminder["_id"], DONE, said))
        elif (
            kind == MEETING_MINUTES
            and contact["method"] in policy.minutes_methods
            and who == reminder["user_id"]
            and _at(reminder["details"].get("meeting_at")) < when
        ):
            out.append(Closing(reminder["_id"], DONE, f"minutes sent by {contact['method']} on {when:%Y-%m-%d %H:%M}"))
    return out


def closed_by_return(returned: Document, open_reminders: Iterable[Document]) -> list[Closing]:
    """The customer left its owner (released, recycled, rejected…): their reminders for it go."""
    return [
        Closing(r["_id"], CANCELLED, f"customer left {r['user_id']}: {returned['reason']}")
        for r in open_reminders
        if r["user_id"] == returned["previous_owner_id"] and r["kind"] not in HANDOFF_KINDS
    ]


def closed_by_new_owner(
    new_owner_id: str | None, reason: str, open_reminders: Iterable[Document], owner_kinds: Collection[str]
) -> list[Closing]:
    """Another person owns the customer now: the former owner's follow-up reminders go."""
    return [
        Closing(r["_id"], CANCELLED, reason)
        for r in open_reminders
        if r["kind"] in owner_kinds and r["user_id"] != new_owner_id
    ]


def closed_by_allocation(owner_id: str, open_reminders: Iterable[Document]) -> list[Closing]:
    """A manager's 'nobody eligible' notice is done once the customer has an owner."""
    return [
        Closing(r["_id"], DONE, f"allocated to {owner_id}") for r in open_reminders if r["kind"] == ALLOCATION_STALLED
    ]


def closed_by_merge(merged: Document, open_reminders: Iterable[Document]) -> list[Closing]:
    return [Closing(r["_id"], CANCELLED, f"customer merged into {merged['kept_id']}") for r in open_reminders]


def closed_by_info_completed(open_reminders: Iterable[Document]) -> list[Closing]:
    return [
        Closing(r["_id"], DONE, "the pending information was completed")
        for r in open_reminders
        if r["kind"] == INFO_PENDING
    ]


def closed_by_acceptance(accepted: Document, open_reminders: Iterable[Document]) -> list[Closing]:
    """The signer's own acceptance reminders are done; once the handoff is complete, everybody's."""
    out = []
    for reminder in open_reminders:
        if reminder["kind"] not in (HANDOFF_WAITING, HANDOFF_ACCEPTANCE):
            continue
        if reminder["user_id"] == accepted["by"]:
            out.append(Closing(reminder["_id"], DONE, f"accepted on {accepted['at']:%Y-%m-%d %H:%M}"))
        elif accepted["complete"]:
            out.append(
                Closing(reminder["_id"], CANCELLED, f"the handoff is complete (last signed by {accepted['by']})")
            )
    return out


def closed_by_handoff_return(returned: Document, open_reminders: Iterable[Document]) -> list[Closing]:
    """A returned handoff waits for nobody's acceptance and no pending information any more."""
    return _handoff_waits_for_nobody(open_reminders, f"returned by {returned['by']}")


def closed_by_withdrawal(withdrawn: Document, open_reminders: Iterable[Document]) -> list[Closing]:
    """A withdrawn handoff likewise."""
    return _handoff_waits_for_nobody(open_reminders, f"withdrawn by {withdrawn['by']}")


def _handoff_waits_for_nobody(open_reminders, why):
    return [Closing(r["_id"], CANCELLED, why) for r in open_reminders if r["kind"] in HANDOFF_KINDS]


def _at(text):
    return datetime.fromisoformat(text) if text else datetime.min.replace(tzinfo=UTC)
