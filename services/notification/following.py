"""Keeping each owned customer's follow-up and regrade reminders in step with what happens to it:
a contact completes the cycle's follow-up and starts the next, a grading completes the regrade
and starts the next quarter's, a grade or stage change moves them, a new owner takes them over, a
silent stage or leaving its owner cancels them. What is followed of each customer also names it:
reminders and inbox entries are shown with its company name."""

import dataclasses
from collections.abc import Callable
from datetime import datetime
from functools import partial

from services.notification.domain import Document, follow_up, satisfying
from services.notification.domain import reminders as reminder_rules
from services.notification.domain.follow_up import FollowedCustomer, follow_up_reminder, regrade_reminder
from services.notification.domain.reminders import (
    CANCELLED,
    DONE,
    FOLLOW_UP,
    OWNER_KINDS,
    PENDING,
    REGRADE,
    ReminderPolicy,
)
from services.notification.domain.satisfying import Closing
from services.notification.leasing import change_guarded
from services.notification.reminding import COLLAPSED, REPEATED, SCHEDULED, change_reminder, close_all, schedule_all
from services.notification.store import Reminders

FIELDS = [f.name for f in dataclasses.fields(FollowedCustomer)]


def follow(
    reminders: Reminders,
    policy: ReminderPolicy,
    customer_id: str,
    change: Callable[[FollowedCustomer], FollowedCustomer],
    now: datetime,
    open_reminders: list[Document] | None = None,
    followed: Document | None = None,
) -> list[Document]:
    """Apply ``change`` (FollowedCustomer -> FollowedCustomer) and bring the follow-up and regrade
    reminders in line; returns those to announce (new or said again on redelivery).
    ``open_reminders``: the customer's open reminders as the caller just read and closed them (not
    read again); ``followed``: the followed customer as the caller just read it (not read again)."""
    current = followed if followed is not None else reminders.followed_customer(customer_id)
    if current is None:
        # First heard of: written as changed, in one command (unless another handler wrote it
        # first). Only this function makes follow-ups and regrades, once the customer is followed:
        # none is open yet to close.
        first = {"_id": customer_id, "version": 0, **dataclasses.asdict(change(FollowedCustomer(customer_id)))}
        current, added = reminders.add_followed_customer(first)
        if added:
            return _reconcile(reminders, policy, _customer(first), now, [])
    before, after = change_guarded(
        reminders.followed_customer,
        reminders.replace_followed_customer,
        customer_id,
        lambda doc: {**doc, **dataclasses.asdict(change(_customer(doc)))},
        current,
    )
    if before is not None and after is not None and open_reminders is None:
        return _reconcile_moved(reminders, policy, _customer(before), _customer(after), now)
    customer = _customer(after or before or reminders.followed_customer(customer_id))  # also said again
    return _reconcile(reminders, policy, customer, now, open_reminders)


def follow_creation(reminders: Reminders, policy: ReminderPolicy, created: Document, now: datetime) -> list[Document]:
    """A new archive (``customer_created``): what its summary says, kept as an update's would be
    (``with_archive``), in one insert that reads nothing — nobody owns a new customer yet, so no
    reminder is asked. A customer followed before its creation was heard (its allocation or a
    stall noticed first, a redelivery) is followed as on an update: a newer update kept first stands,
    and an owner's reminders are brought in line (returned, to announce). From a profile before
    creations carried a summary: its company name (``with_creation``), written without reading."""
    customer_id, summary = created["customer_id"], created.get("summary")
    if summary is None:
        reminders.name_followed_customer(customer_id, created.get("company"))
        return []
    change = partial(follow_up.with_archive, update=summary)
    first = {"_id": customer_id, "version": 0, **dataclasses.asdict(change(FollowedCustomer(customer_id)))}
    stored, added = reminders.add_followed_customer(first)
    if added:
        return []
    return follow(reminders, policy, customer_id, change, now, followed=stored)


def follow_allocation(
    reminders: Reminders, policy: ReminderPolicy, allocation: Document, now: datetime
) -> list[Document]:
    """A new owner (``customer_allocated``): the manager's 'nobody eligible' notice is done and what
    the customer asked of a former owner goes; the new owner gets their first touch, follow-up and
    regrade. Returns the reminders to announce, the first touch's first.

    The owner is written in one command that answers the followed customer as it was, so the
    customer after it is known without reading it again; the open reminders are read only when
    one can be open for someone else (the customer had an owner — or the event does not say, from
    a pool older than ``previous_owner_id`` —, or a stall was noticed: ``note_allocation_stalled``);
    the first touch is scheduled in the command that schedules the follow-up and regrade."""
    customer_id, owner_id = allocation["customer_id"], allocation["owner_id"]
    before = reminders.assign_followed_owner(customer_id, owner_id)
    fresh = allocation.get("previous_owner_id", "unknown") is None and not (before or {}).get("stall_noticed")
    open_ = [] if fresh else reminders.open_for_customer(customer_id)
    closings = satisfying.closed_by_allocation(owner_id, open_) + satisfying.closed_by_new_owner(
        owner_id, f"moved to {owner_id} ({allocation['reason']})", open_, OWNER_KINDS
    )
    close_all(reminders, closings, allocation["allocated_at"])
    closed = {closing.reminder_id for closing in closings}
    still_open = [r for r in open_ if r["_id"] not in closed]
    first_touch = [
        reminder_rules.first_touch(
            policy, customer_id, owner_id, allocation["allocated_at"], allocation["allocation_id"]
        )
    ]
    if before is None:
        first = {
            "_id": customer_id,
            "version": 0,
            **dataclasses.asdict(follow_up.with_owner(FollowedCustomer(customer_id), owner_id)),
        }
        if reminders.add_followed_customer(first)[1]:
            return _reconcile(reminders, policy, _customer(first), now, still_open, first_touch)
        before = reminders.assign_followed_owner(customer_id, owner_id)  # another handler followed it first
    customer = follow_up.with_owner(_customer(before) if before else FollowedCustomer(customer_id), owner_id)
    return _reconcile(reminders, policy, customer, now, still_open, first_touch)


def named(reminders: Reminders, docs: list[dict]) -> list[dict]:
    """``docs`` (reminders, inbox entries) each with ``customer_name``: its customer's company name
    as notification follows it now, read for them all in one query — never stored on them, so a
    rename shows at once. None while the name is not known."""
    names = reminders.customer_names(doc.get("customer_id") for doc in docs)
    return [{**doc, "customer_name": names.get(doc.get("customer_id") or "")} for doc in docs]


def _reconcile(reminders, policy, customer, now, open_reminders=None, also=()):
    """Close the follow-up and regrade reminders no longer asked, schedule those asked (and
    ``also``) in one command; the reminders to announce: ``also``'s not collapsed, then the asked."""
    wanted = _asked(policy, customer, now)
    if open_reminders is None:
        open_reminders = reminders.open_for_customer(customer.customer_id)
    stale = [r for r in open_reminders if r["kind"] in wanted and r["_id"] != (wanted[r["kind"]] or {}).get("_id")]
    close_all(reminders, [_closing(r, customer) for r in stale], now)
    asked = [w for w in wanted.values() if w is not None]
    scheduled = schedule_all(reminders, [*also, *asked])
    told = [stored for stored, outcome in scheduled[: len(also)] if outcome != COLLAPSED]
    kept = [_keep(reminders, w, *done) for w, done in zip(asked, scheduled[len(also) :], strict=True)]
    return told + [stored for stored in kept if stored]


def _reconcile_moved(reminders, policy, was, customer, now):
    """``_reconcile`` for a change that moved the followed customer from ``was`` on: what ``was``
    asked was scheduled when it was written, so only the difference is written, nothing read
    first — the follow-up or regrade no longer asked closed (each read as it is closed: one may be
    done already), one newly asked scheduled (in one command), one asked by both moved to its new
    due time. The reminders to announce: those newly asked. (A change written whose reminders were
    not, the handler stopping in between, is finished by its redelivery: nothing moves then, and
    ``_reconcile`` reads the open ones.)"""
    asked_before, asked = _asked(policy, was, now), _asked(policy, customer, now)
    same = {kind for kind, w in asked.items() if w and w["_id"] == (asked_before[kind] or {}).get("_id")}
    gone = [w for kind, w in asked_before.items() if w is not None and kind not in same]
    close_all(reminders, [_closing(w, customer) for w in gone], now)
    for kind in same:
        if asked[kind]["due_at"] != asked_before[kind]["due_at"]:
            _move_due(reminders, asked[kind]["_id"], asked[kind])
    new = [w for kind, w in asked.items() if w is not None and kind not in same]
    kept = [_keep(reminders, w, *done) for w, done in zip(new, schedule_all(reminders, new), strict=True)]
    return [stored for stored in kept if stored]


def _asked(policy, customer, now):
    return {FOLLOW_UP: follow_up_reminder(policy, customer, now), REGRADE: regrade_reminder(policy, customer, now)}


def _keep(reminders, wanted, stored, outcome):
    """The stored reminder moved to ``wanted``'s due time; the reminder to announce, or None."""
    if outcome not in (SCHEDULED, REPEATED):
        return None
    if stored["status"] == PENDING and stored["due_at"] != wanted["due_at"] and not stored.get("snoozed_until"):
        _move_due(reminders, stored["_id"], wanted)
    return stored


def _move_due(reminders, reminder_id, wanted):
    """A pending reminder (not snoozed) moved to ``wanted``'s due time, message and details."""
    change_reminder(
        reminders,
        reminder_id,
        lambda r: (
            {
                **r,
                "due_at": wanted["due_at"],
                "fire_at": wanted["due_at"],
                "message": wanted["message"],
                "details": wanted["details"],
            }
            if r["status"] == PENDING and not r.get("snoozed_until") and r["due_at"] != wanted["due_at"]
            else None
        ),
    )


# Per kind: the customer's clock a reminder's cycle is counted from, the reminder's detail that
# holds the clock it was made for, what moving the clock on is, and what the reminder asks.
CYCLES = {
    FOLLOW_UP: ("last_follow_up_at", "last_contact_at", "followed up on", "follow-up of this kind"),
    REGRADE: ("graded_at", "graded_at", "graded on", "regrade"),
}


def _closing(reminder, customer):
    """Done when its owner moved the clock on (a contact, a grading); else no longer asked."""
    clock, detail, done, asked = CYCLES[reminder["kind"]]
    moved = getattr(customer, clock)
    if (
        reminder["user_id"] == customer.owner_id
        and moved is not None
        and reminder["details"].get(detail, "") < moved.isoformat()
    ):
        return Closing(reminder["_id"], DONE, f"{done} {moved:%Y-%m-%d %H:%M}")
    return Closing(
        reminder["_id"],
        CANCELLED,
        f"no {asked} is asked any more (owner {customer.owner_id or 'none'}, stage {customer.stage or 'unknown'})",
    )


def _customer(doc):
    """The followed customer a document holds, its times as the store keeps them (to the
    millisecond): the reminders it asks are named the same whether it was just written or read."""
    return FollowedCustomer(**{name: _as_stored(doc.get(name)) for name in FIELDS if name in doc})


def _as_stored(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value
