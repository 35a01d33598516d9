"""The follow-up SOP as reminders: what is due, for whom, by when."""
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class ReminderPolicy:
    first_touch_within: timedelta  # a new customer's first contact (DOMAIN default: 3 days)


def first_touch(policy, customer_id, owner_id, assigned_at):
    """The owner must contact a newly assigned customer within the policy's window.

    One per customer: the id names the rule and the customer, so a redelivered assignment
    schedules nothing new.
    """
    due_at = assigned_at + policy.first_touch_within
    return {
        "_id": first_touch_id(customer_id),
        "kind": "first_touch",
        "user_id": owner_id,
        "customer_id": customer_id,
        "due_at": due_at,
        "status": "pending",
        "message": f"First touch with new customer {customer_id} by {due_at:%Y-%m-%d %H:%M} UTC.",
        "created_at": assigned_at,
    }


def first_touch_id(customer_id):
    return f"rem_first_touch_{customer_id}"
