"""Keeping each owned customer's follow-up and regrade reminders in step with what happens to it:
a contact completes the cycle's follow-up and starts the next, a grading completes the regrade
and starts the next quarter's, a grade or stage change moves them, a new owner takes them over, a
silent stage or leaving its owner cancels them. What is followed of each customer also names it:
reminders and inbox entries are shown with its company name."""

import dataclasses
from collections.abc import Callable
from datetime import datetime

from services.notification.domain import Document
from services.notification.domain.follow_up import FollowedCustomer, follow_up_reminder, regrade_reminder
from services.notification.domain.reminders import CANCELLED, DONE, FOLLOW_UP, PENDING, REGRADE, ReminderPolicy
from services.notification.domain.satisfying import Closing
from services.notification.leasing import change_guarded
from services.notification.reminding import REPEATED, SCHEDULED, change_reminder, close_all, schedule
from services.notification.store import Reminders

FIELDS = [f.name for f in dataclasses.fields(FollowedCustomer)]


def follow(
    reminders: Reminders,
    policy: ReminderPolicy,
    customer_id: str,
    change: Callable[[FollowedCustomer], FollowedCustomer],
    now: datetime,
    open_reminders: list[Document] | None = None,
) -> list[Document]:
    """Apply ``change`` (FollowedCustomer -> FollowedCustomer) and bring the follow-up and regrade
    reminders in line; returns those to announce (new or said again on redelivery).
    ``open_reminders``: the customer's open reminders as the caller just read and closed them (not
    read again)."""
    current = reminders.followed_customer(customer_id)
    if current is None:
        # First heard of: written as changed, in one command (unless another handler wrote it
        # first). Only this function makes follow-ups and regrades, once the customer is followed:
        # none is open yet to close.
        first = {"_id": customer_id, "version": 0, **dataclasses.asdict(change(FollowedCustomer(customer_id)))}
        current = reminders.add_followed_customer(first)
        if current is first:
            return _reconcile(reminders, policy, _customer(first), now, [])
    before, after = change_guarded(
        reminders.followed_customer,
        reminders.replace_followed_customer,
        customer_id,
        lambda doc: {**doc, **dataclasses.asdict(change(_customer(doc)))},
        current,
    )
    customer = _customer(after or before or reminders.followed_customer(customer_id))
    return _reconcile(reminders, policy, customer, now, open_reminders)


def named(reminders: Reminders, docs: list[dict]) -> list[dict]:
    """``docs`` (reminders, inbox entries) each with ``customer_name``: its customer's company name
    as notification follows it now, read for them all in one query — never stored on them, so a
    rename shows at once. None while the name is not known."""
    names = reminders.customer_names(doc.get("customer_id") for doc in docs)
    return [{**doc, "customer_name": names.get(doc.get("customer_id") or "")} for doc in docs]


def _reconcile(reminders, policy, customer, now, open_reminders=None):
    wanted = {FOLLOW_UP: follow_up_reminder(policy, customer, now), REGRADE: regrade_reminder(policy, customer, now)}
    if open_reminders is None:
        open_reminders = reminders.open_for_customer(customer.customer_id)
    stale = [r for r in open_reminders if r["kind"] in wanted and r["_id"] != (wanted[r["kind"]] or {}).get("_id")]
    close_all(reminders, [_closing(r, customer) for r in stale], now)
    return [stored for stored in (_keep(reminders, w) for w in wanted.values() if w is not None) if stored]


def _keep(reminders, wanted):
    """Schedule ``wanted``, or move the stored one to its due time; the reminder to announce, or None."""
    stored, outcome = schedule(reminders, wanted)
    if outcome not in (SCHEDULED, REPEATED):
        return None
    if stored["status"] == PENDING and stored["due_at"] != wanted["due_at"] and not stored.get("snoozed_until"):
        change_reminder(
            reminders,
            stored["_id"],
            lambda r: (
                {
                    **r,
                    "due_at": wanted["due_at"],
                    "fire_at": wanted["due_at"],
                    "message": wanted["message"],
                    "details": wanted["details"],
                }
                if r["status"] == PENDING
                else None
            ),
        )
    return stored


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
    return FollowedCustomer(**{name: doc.get(name) for name in FIELDS if name in doc})
