"""Keeping each owned customer's follow-up and regrade reminders in step with what happens to it:
a contact completes the cycle's follow-up and starts the next, a grading completes the regrade
and starts the next quarter's, a grade or stage change moves them, a new owner takes them over, a
silent stage or leaving its owner cancels them."""
import dataclasses

from services.notification.domain.follow_up import FollowedCustomer, follow_up_reminder, regrade_reminder
from services.notification.domain.reminders import CANCELLED, DONE, FOLLOW_UP, PENDING, REGRADE
from services.notification.domain.satisfying import Closing
from services.notification.leasing import change_guarded
from services.notification.reminding import SCHEDULED, REPEATED, change_reminder, close_all, schedule

FIELDS = [f.name for f in dataclasses.fields(FollowedCustomer)]


def follow(reminders, policy, customer_id, change, now):
    """Apply ``change`` (FollowedCustomer -> FollowedCustomer) and bring the follow-up and regrade
    reminders in line; returns those to announce (new or said again on redelivery)."""
    current = reminders.followed_customer(customer_id)
    if current is None:
        current = reminders.add_followed_customer({"_id": customer_id, "version": 0,
                                                   **dataclasses.asdict(FollowedCustomer(customer_id))})
    _, after = change_guarded(reminders.followed_customer, reminders.replace_followed_customer, customer_id,
                              lambda doc: {**doc, **dataclasses.asdict(change(_customer(doc))),
                                           "version": doc["version"] + 1}, current)
    customer = _customer(after or reminders.followed_customer(customer_id))
    return _reconcile(reminders, policy, customer, now)


def _reconcile(reminders, policy, customer, now):
    wanted = {kind: make(policy, customer, now) for kind, make in ((FOLLOW_UP, follow_up_reminder),
                                                                   (REGRADE, regrade_reminder))}
    open_ = reminders.open_for_customer(customer.customer_id)
    stale = [r for r in open_ if r["kind"] in wanted and (wanted[r["kind"]] is None or r["_id"] != wanted[r["kind"]]["_id"])]
    close_all(reminders, [_closing(r, customer) for r in stale], now)
    return [stored for stored in (_keep(reminders, w) for w in wanted.values() if w is not None) if stored]


def _keep(reminders, wanted):
    """Schedule ``wanted``, or move the stored one to its due time; the reminder to announce, or None."""
    stored, outcome = schedule(reminders, wanted)
    if outcome not in (SCHEDULED, REPEATED):
        return None
    if stored["status"] == PENDING and stored["due_at"] != wanted["due_at"] and not stored.get("snoozed_until"):
        change_reminder(reminders, stored["_id"], lambda r: {
            **r, "due_at": wanted["due_at"], "fire_at": wanted["due_at"], "message": wanted["message"],
            "details": wanted["details"], "version": r["version"] + 1} if r["status"] == PENDING else None)
    return stored


def _closing(reminder, customer):
    if reminder["kind"] == REGRADE:
        graded = customer.graded_at
        if reminder["user_id"] == customer.owner_id and graded is not None \
                and reminder["details"].get("graded_at", "") < graded.isoformat():
            return Closing(reminder["_id"], DONE, f"graded on {graded:%Y-%m-%d %H:%M}")
        return Closing(reminder["_id"], CANCELLED, f"no regrade is asked any more (owner {customer.owner_id or 'none'}, "
                                                   f"stage {customer.stage or 'unknown'})")
    last = customer.last_follow_up_at
    if reminder["user_id"] == customer.owner_id and last is not None \
            and reminder["details"].get("last_contact_at", "") < last.isoformat():
        return Closing(reminder["_id"], DONE, f"followed up on {last:%Y-%m-%d %H:%M}")
    return Closing(reminder["_id"], CANCELLED, "no follow-up of this kind is asked any more "
                   f"(owner {customer.owner_id or 'none'}, stage {customer.stage or 'unknown'})")


def _customer(doc):
    return FollowedCustomer(**{name: doc.get(name) for name in FIELDS if name in doc})

