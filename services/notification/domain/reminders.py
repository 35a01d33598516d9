"""The follow-up SOP as reminders: what is due, for whom, by when.

Every rule returns a reminder (a plain dict) whose id is derived from the rule and what caused
it, so a redelivered event schedules nothing new, while a new cause (a re-allocation, another
unanswered call) schedules a new one. What satisfies a reminder is decided in
``services.notification.domain.satisfying``; the follow-up cycle in ``follow_up``.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.notification.domain import Document
from services.runtime.prices import is_price_name

PENDING, FIRING, FIRED, DONE, CANCELLED = "pending", "firing", "fired", "done", "cancelled"
OPEN = (PENDING, FIRING, FIRED)  # still asking for something
CLOSED = (DONE, CANCELLED)

FIRST_TOUCH = "first_touch"
SECOND_TOUCH = "second_touch"
FOLLOW_UP = "follow_up"
MEETING_MINUTES = "meeting_minutes"
RECYCLING_WARNING = "recycling_warning"
ALLOCATION_STALLED = "allocation_stalled"
HANDOFF_WAITING = "handoff_waiting"
HANDOFF_ACCEPTANCE = "handoff_acceptance"
INFO_PENDING = "info_pending"
HANDOFF_RETURNED = "handoff_returned"
HANDOFF_WITHDRAWN = "handoff_withdrawn"
REQUIREMENT_CHANGED = "requirement_changed"
RETURNED_TO_POOL = "returned_to_pool"
OWNER_HANDOFF = "owner_handoff"
REGRADE = "regrade"
# Reminders that plan work on a customer: their notices show when it was due. The others tell of
# something that happened and go out at once.
PLANNED_KINDS = (FIRST_TOUCH, SECOND_TOUCH, FOLLOW_UP, MEETING_MINUTES, HANDOFF_ACCEPTANCE, INFO_PENDING, REGRADE)
# Of those, the ones announced (reminder_scheduled) for the customer's timeline: the quarterly
# regrade is routine, not news of the customer.
ANNOUNCED_KINDS = tuple(kind for kind in PLANNED_KINDS if kind != REGRADE)
# What a customer's owner does for that customer: cancelled when the customer leaves them.
OWNER_KINDS = (FIRST_TOUCH, SECOND_TOUCH, FOLLOW_UP, RECYCLING_WARNING, REGRADE)
HANDOFF_KINDS = (HANDOFF_WAITING, HANDOFF_ACCEPTANCE, INFO_PENDING)


@dataclass(frozen=True)
class ReminderPolicy:
    """Every number of the follow-up SOP (DOMAIN.md defaults live in deploy/config.yaml)."""

    first_touch_within: timedelta  # new customer: 3 days
    second_touch_after: timedelta = timedelta(days=7)  # after an unanswered contact
    update_every: timedelta = timedelta(days=3)  # active customers
    active_stages: tuple = ("inquiry", "quoted", "sample", "negotiation")
    intent_cadence: dict = field(default_factory=dict)  # grade -> timedelta (A 2-3 a week, B 2 weeks, C monthly)
    value_cadence: dict = field(default_factory=dict)  # value grade -> timedelta
    win_back_every: timedelta | None = None  # lost customers: quarterly win-back mail
    silent_stages: tuple = ("invalid", "rejected", "dormant")  # no follow-up asked
    minutes_within: timedelta = timedelta(hours=24)
    meeting_methods: tuple = ("meeting",)
    minutes_methods: tuple = ("email",)  # a later contact this way sends the minutes
    handoff_accept_within: timedelta = timedelta(hours=24)
    regrade_every: timedelta | None = None  # grades reviewed quarterly
    managers: dict = field(default_factory=dict)  # team -> manager ids ("default" for any team)

    def managers_of(self, team: str | None) -> tuple[str, ...]:
        return tuple(self.managers.get(team) or self.managers.get("default") or ())


def reminder_id(kind: str, *cause: object) -> str:
    """``rem_<kind>_<hash of the cause>``: the same cause always names the same reminder."""
    text = "\x1f".join(_text(part) for part in cause)
    return f"rem_{kind}_{hashlib.sha1(text.encode()).hexdigest()[:20]}"


def reminder(
    kind: str,
    user_id: str,
    customer_id: str | None,
    due_at: datetime,
    created_at: datetime,
    message: str,
    cause: Sequence[object],
    occurrence: object = None,
    subject_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> Document:
    """A new pending reminder. ``cause``: the parts naming what caused it (its id is derived from
    them); ``occurrence``: what raised it this time, when one reminder collapses repeats of its cause."""
    return {
        "_id": reminder_id(kind, *cause),
        "kind": kind,
        "user_id": user_id,
        "customer_id": customer_id,
        "subject_id": subject_id,  # the handoff or change it is about, when not only the customer
        "due_at": due_at,
        "fire_at": due_at,  # later than due_at while deferred for quiet hours or snoozed
        "status": PENDING,
        "message": message,
        "details": details or {},
        "created_at": created_at,
        "occurrences": [_text(occurrence) if occurrence is not None else "\x1f".join(map(_text, cause))],
    }


# --- customers ------------------------------------------------------------------------------


def first_touch(
    policy: ReminderPolicy, customer_id: str, owner_id: str, assigned_at: datetime, allocation_id: str | None = None
) -> Document:
    """The owner must contact a newly assigned customer within the policy's window (one per assignment).
    ``allocation_id`` names the assignment (pool's); an event without one is named by its time."""
    due_at = assigned_at + policy.first_touch_within
    return reminder(
        FIRST_TOUCH,
        owner_id,
        customer_id,
        due_at,
        assigned_at,
        f"First touch with new customer {customer_id} by {_utc(due_at)}.",
        (customer_id, allocation_id) if allocation_id else (customer_id, assigned_at),
    )


def second_touch(policy: ReminderPolicy, contact: Document) -> Document:
    """An unanswered contact asks for another attempt within ``second_touch_after``.
    ``contact``: the communication_recorded event."""
    user = contact["owner_id"] or contact["by"]
    due_at = contact["at"] + policy.second_touch_after
    return reminder(
        SECOND_TOUCH,
        user,
        contact["customer_id"],
        due_at,
        contact["recorded_at"],
        f"No answer from customer {contact['customer_id']} on {_utc(contact['at'])} "
        f"({contact['method']}): try again by {_utc(due_at)}.",
        (contact["customer_id"], contact["record_id"]),
        details={"record_id": contact["record_id"], "contact_at": _text(contact["at"]), "method": contact["method"]},
    )


def meeting_minutes(policy: ReminderPolicy, contact: Document) -> Document | None:
    """After a follow-up meeting, whoever met sends the minutes within ``minutes_within``; None
    for other methods."""
    if contact["method"] not in policy.meeting_methods:
        return None
    due_at = contact["at"] + policy.minutes_within
    return reminder(
        MEETING_MINUTES,
        contact["by"],
        contact["customer_id"],
        due_at,
        contact["recorded_at"],
        f"Send the minutes of the {contact['method'].replace('_', ' ')} with customer "
        f"{contact['customer_id']} on {_utc(contact['at'])} by {_utc(due_at)}.",
        (contact["customer_id"], contact["record_id"]),
        details={"record_id": contact["record_id"], "meeting_at": _text(contact["at"]), "method": contact["method"]},
    )


def recycling_warning(warning: Document) -> Document:
    """pool warned the owner: told at once, with when the customer goes back to the pool."""
    return reminder(
        RECYCLING_WARNING,
        warning["owner_id"],
        warning["customer_id"],
        warning["warned_at"],
        warning["warned_at"],
        f"Customer {warning['customer_id']} returns to the public pool on {_utc(warning['due_at'])} "
        f"unless followed up ({warning['reason']}).",
        (warning["customer_id"], warning["due_at"]),
        details={"returns_at": _text(warning["due_at"]), "reason": warning["reason"]},
    )


def returned_to_pool(returned: dict) -> dict | None:
    """The owner a customer was taken from is told at once that it is back in the public pool, and
    why (recycled for neglect, released by a manager); None when they released it themselves or it
    had no owner. ``returned``: the customer_returned event."""
    owner = returned["previous_owner_id"]
    if returned["state"] != "public_pool" or not owner or returned["by"] == owner:
        return None
    return reminder(
        RETURNED_TO_POOL,
        owner,
        returned["customer_id"],
        returned["at"],
        returned["at"],
        f"Customer {returned['customer_id']} was returned to the public pool on {_utc(returned['at'])} "
        f"({returned['reason']}).",
        (returned["customer_id"], owner, returned["at"]),
        details={"returned_at": _text(returned["at"]), "reason": returned["reason"], "by": returned["by"]},
    )


def managers_to_tell(
    policy: ReminderPolicy, stall: Document, directory: Iterable[tuple[str, str | None]]
) -> tuple[str, ...]:
    """Who hears that nobody can take a customer. ``directory``: the allocating department's active
    managers in the user directory, as (user id, team). The team's own managers; else the
    department's managers of no particular team; while the directory names neither, the
    configured ``managers`` of the team."""
    own = tuple(manager for manager, team in directory if team == stall["team"])
    untied = tuple(manager for manager, team in directory if team is None)
    return own or untied or policy.managers_of(stall["team"])


def allocation_stalled(stall: Document, managers: Iterable[str]) -> list[Document]:
    """Nobody is eligible for a customer: each of ``managers`` is told, once while it stays open
    (a repeated stall of the same customer collapses into it)."""
    reasons = "; ".join(f"{person}: {', '.join(why)}" for person, why in sorted(stall["reasons"].items()))
    return [
        reminder(
            ALLOCATION_STALLED,
            manager,
            stall["customer_id"],
            stall["at"],
            stall["at"],
            f"Nobody in team {stall['team']} can take customer {stall['customer_id']}; it waits in "
            f"the pool. {reasons or 'No salespeople in the team.'}",
            (manager, stall["customer_id"]),
            occurrence=stall["at"],
            details={
                "team": stall["team"],
                "reasons": reasons,
                "by_person": [
                    {"person": person, "reasons": list(why)} for person, why in sorted(stall["reasons"].items())
                ],
            },
        )
        for manager in managers
    ]


# --- handoffs -------------------------------------------------------------------------------


def handoff_submitted(policy: ReminderPolicy, handoff: Document) -> list[Document]:
    """Each receiver learns at once that a handoff waits for them, and is reminded if it still
    waits after ``handoff_accept_within``; an info-pending handoff's deadline is on both sides."""
    kind, customer, handoff_id = handoff["kind"], handoff["customer_id"], handoff["handoff_id"]
    what = f"{kind.replace('_', ' ')} handoff of customer {customer} from {handoff['from_user']}"
    missing = ", ".join(handoff["missing"])
    # What a client needs to word it in the reader's language: the kind, the people, the times.
    details = {
        "handoff_id": handoff_id,
        "from_user": handoff["from_user"],
        "missing": missing,
        "kind": kind,
        "info_pending": bool(handoff["info_pending"]),
        "pending_until": _text(handoff["pending_until"]) or None,
        "submitted_at": _text(handoff["submitted_at"]),
    }
    at, accept_by = handoff["submitted_at"], handoff["submitted_at"] + policy.handoff_accept_within
    out = []
    for user in _unique(handoff["to_users"]):
        out.append(
            reminder(
                HANDOFF_WAITING,
                user,
                customer,
                at,
                at,
                f"A {what} waits for you to accept or return it."
                + (
                    f" Info pending until {_utc(handoff['pending_until'])}: {missing}."
                    if handoff["info_pending"] and handoff["pending_until"]
                    else ""
                ),
                (user, handoff_id),
                subject_id=handoff_id,
                details=details,
            )
        )
        out.append(
            reminder(
                HANDOFF_ACCEPTANCE,
                user,
                customer,
                accept_by,
                at,
                f"The {what} still waits for your acceptance (submitted {_utc(at)}).",
                (user, handoff_id),
                subject_id=handoff_id,
                details=details,
            )
        )
    if handoff.get("owner_id"):
        # Someone else hands the owner's customer on (a manager may): the owner hears it at once.
        out.append(
            reminder(
                OWNER_HANDOFF,
                handoff["owner_id"],
                customer,
                at,
                at,
                f"{handoff['from_user']} hands your customer {customer} to "
                f"{', '.join(handoff['to_users'])} ({kind.replace('_', ' ')} handoff); it becomes theirs "
                "once accepted.",
                (handoff["owner_id"], handoff_id),
                subject_id=handoff_id,
                details={
                    "handoff_id": handoff_id,
                    "kind": kind,
                    "from_user": handoff["from_user"],
                    "to_users": ", ".join(handoff["to_users"]),
                    "submitted_at": details["submitted_at"],
                },
            )
        )
    if handoff["info_pending"] and handoff["pending_until"]:
        deadline = handoff["pending_until"]
        for user in _unique([handoff["from_user"], *handoff["to_users"]]):
            out.append(
                reminder(
                    INFO_PENDING,
                    user,
                    customer,
                    deadline,
                    at,
                    f"Info pending on the {what} is overdue since {_utc(deadline)}: {missing or 'see the checklist'}.",
                    (user, handoff_id, deadline),
                    subject_id=handoff_id,
                    details=details,
                )
            )
    return out


def handoff_returned(returned: Document) -> Document:
    """The sender is told at once that a receiver returned the handoff, and why."""
    reasons = "; ".join(returned["reasons"])
    return reminder(
        HANDOFF_RETURNED,
        returned["from_user"],
        returned["customer_id"],
        returned["at"],
        returned["at"],
        f"{returned['by']} returned the {returned['kind'].replace('_', ' ')} handoff of customer "
        f"{returned['customer_id']}: {reasons}.",
        (returned["handoff_id"], returned["at"]),
        subject_id=returned["handoff_id"],
        details={
            "handoff_id": returned["handoff_id"],
            "by": returned["by"],
            "reasons": reasons,
            "kind": returned["kind"],
        },
    )


def handoff_withdrawn(withdrawn: Document) -> list[Document]:
    """Each receiver is told at once that the sender took the handoff back, and why."""
    what = withdrawn["kind"].replace("_", " ")
    return [
        reminder(
            HANDOFF_WITHDRAWN,
            user,
            withdrawn["customer_id"],
            withdrawn["at"],
            withdrawn["at"],
            f"{withdrawn['by']} withdrew the {what} handoff of customer {withdrawn['customer_id']}: "
            f"{withdrawn['reason']}.",
            (user, withdrawn["handoff_id"], withdrawn["at"]),
            subject_id=withdrawn["handoff_id"],
            details={
                "handoff_id": withdrawn["handoff_id"],
                "by": withdrawn["by"],
                "reason": withdrawn["reason"],
                "kind": withdrawn["kind"],
            },
        )
        for user in _unique(withdrawn["to_users"])
    ]


def requirement_changed(change: Document, managers: Iterable[str] = ()) -> list[Document]:
    """Everyone concerned is told once about a changed requirement (a user listed twice, once), the
    owner's ``managers`` too (``owners_managers``), with the note saying why and the order it
    changed. A requirement named as a price (target_price…) is told without its values or note:
    notices go to every department holding part of the customer, and those who may see prices read
    it on the customer."""
    priced = is_price_name(change["field"])
    before, after = (None, None) if priced else (_shown(change["before"]), _shown(change["after"]))
    note = None if priced else change.get("note")
    what = f"{change['by']} changed {change['field'].replace('_', ' ')} of customer {change['customer_id']}"
    message = f"{what}." if priced else f"{what}: {before} → {after}" + (f" ({note})." if note else ".")
    if change.get("order_id") and not priced:
        message += f" Order {change['order_id']} changed with it."
    return [
        reminder(
            REQUIREMENT_CHANGED,
            user,
            change["customer_id"],
            change["at"],
            change["at"],
            message,
            (user, change["change_id"]),
            subject_id=change["change_id"],
            details={
                "field": change["field"],
                "before": before,
                "after": after,
                "by": change["by"],
                "note": note,
                "source": change.get("source"),
                "order_id": change.get("order_id"),
            },
        )
        for user in _unique([*change["notify_users"], *managers])
        if user != change["by"]
    ]


def owners_managers(owner: Document | None, people: Iterable[Document]) -> tuple[str, ...]:
    """The managers of a customer's owner: the active managers of the owner's team in their
    department, else their department's managers of no particular team. ``owner`` and ``people``:
    the user directory's documents ({_id, role, department, team, active}); none without an owner."""
    if owner is None or not owner.get("department"):
        return ()
    in_department = [
        p
        for p in people
        if p["department"] == owner["department"]
        and p["role"] == "manager"
        and p["active"]
        and p["_id"] != owner["_id"]
    ]
    own = tuple(p["_id"] for p in in_department if p.get("team") and p.get("team") == owner.get("team"))
    return own or tuple(p["_id"] for p in in_department if not p.get("team"))


# --- helpers --------------------------------------------------------------------------------


def _unique(users):
    return list(dict.fromkeys(u for u in users if u))


def _utc(moment):
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _shown(value):
    return "(none)" if value is None or value == "" else str(value)


def _text(part):
    if isinstance(part, datetime):
        return part.astimezone(UTC).isoformat()
    return "" if part is None else str(part)
