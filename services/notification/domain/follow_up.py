"""The follow-up cycle of an owned customer: after each contact, the next one is due by the
cadence of its grades, at least every ``update_every`` while it is in an active stage, or when
the last contact planned it (a recorded reason such as "travelling, call next week"). And the
quarterly regrade: ``regrade_every`` after the customer was last graded, its owner reviews the
grades.

What notification knows of a customer (``FollowedCustomer``) is built from pool's allocations
and returns, profile's creations, updates and contacts, and handoffs that give it a new owner —
its company name too, which reminders and notices show instead of the customer's id.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from services.notification.domain import Document
from services.notification.domain.reminders import FOLLOW_UP, REGRADE, ReminderPolicy, reminder


@dataclass(frozen=True)
class FollowedCustomer:
    customer_id: str
    company: str | None = None  # its name, as profile last said it
    owner_id: str | None = None
    intent_grade: str | None = None
    value_grade: str | None = None
    stage: str | None = None
    deal_closed: bool = False
    last_follow_up_at: datetime | None = None
    next_follow_up_at: datetime | None = None  # planned at the latest contact
    planned_at: datetime | None = None  # when that latest contact happened
    graded_at: datetime | None = None
    profile_version: int = -1


def with_owner(customer: FollowedCustomer, owner_id: str | None) -> FollowedCustomer:
    return replace(customer, owner_id=owner_id)


def with_creation(customer: FollowedCustomer, created: dict) -> FollowedCustomer:
    """The archive as profile opened it (``customer_created``): its company name, unless an update
    (which carries the name as it is now) was heard first."""
    if customer.profile_version >= 0:
        return customer
    return replace(customer, company=created.get("company"))


def with_archive(customer: FollowedCustomer, update: Document) -> FollowedCustomer:
    """profile's latest view of the archive; an older one (lower version) changes nothing."""
    if update["version"] <= customer.profile_version:
        return customer
    last = _latest(customer.last_follow_up_at, update["last_follow_up_at"])
    return replace(
        customer,
        company=update.get("company", customer.company),
        intent_grade=update["intent_grade"],
        value_grade=update.get("value_grade"),
        stage=update["stage"],
        deal_closed=update["deal_closed"],
        last_follow_up_at=last,
        graded_at=update.get("graded_at"),
        profile_version=update["version"],
    )


def with_contact(customer: FollowedCustomer, contact: Document) -> FollowedCustomer:
    """A recorded contact moves the last follow-up on; the latest contact's plan is the plan."""
    customer = replace(customer, last_follow_up_at=_latest(customer.last_follow_up_at, contact["at"]))
    if customer.planned_at is None or contact["at"] >= customer.planned_at:
        customer = replace(customer, next_follow_up_at=contact["next_follow_up_at"], planned_at=contact["at"])
    return customer


def next_follow_up(policy: ReminderPolicy, customer: FollowedCustomer) -> tuple[datetime, str] | None:
    """(due, why) of the next follow-up, or None when none is asked (no owner, no contact yet —
    the first touch asks for that —, a silent stage, no rule for its grades)."""
    nxt = _next_follow_up(policy, customer)
    return nxt and nxt[:2]


def _next_follow_up(policy, customer):
    """(due, why, basis): ``basis`` says ``why`` as data (the rule, its grade or stage, its span in
    hours), so a client can word it in the reader's language."""
    last = customer.last_follow_up_at
    if customer.owner_id is None or last is None or customer.stage in policy.silent_stages:
        return None
    planned = customer.next_follow_up_at
    if planned is not None and customer.planned_at is not None and customer.planned_at >= last:
        return planned, "planned at the last contact", {"basis": "planned"}
    rules = []
    if customer.stage == "lost":
        if policy.win_back_every:
            rules.append((policy.win_back_every, "quarterly win-back of a lost customer", {"basis": "win_back"}))
    else:
        if customer.intent_grade in policy.intent_cadence:
            rules.append(
                (
                    policy.intent_cadence[customer.intent_grade],
                    f"cadence of intent grade {customer.intent_grade}",
                    {"basis": "intent_grade", "grade": customer.intent_grade},
                )
            )
        if customer.value_grade in policy.value_cadence:
            rules.append(
                (
                    policy.value_cadence[customer.value_grade],
                    f"cadence of value grade {customer.value_grade}",
                    {"basis": "value_grade", "grade": customer.value_grade},
                )
            )
        if customer.stage in policy.active_stages and not customer.deal_closed:
            rules.append(
                (
                    policy.update_every,
                    f"an active customer ({customer.stage}) is updated at least every {_span(policy.update_every)}",
                    {"basis": "active_stage", "stage": customer.stage},
                )
            )
    if not rules:
        return None
    every, why, basis = min(rules, key=lambda rule: rule[0])
    return last + every, why, {**basis, "every_hours": every.total_seconds() / 3600}


def follow_up_reminder(policy: ReminderPolicy, customer: FollowedCustomer, now: datetime) -> Document | None:
    """The reminder of this cycle (one per owner and last contact), or None."""
    nxt = _next_follow_up(policy, customer)
    last, owner = customer.last_follow_up_at, customer.owner_id
    if nxt is None or last is None or owner is None:  # none is asked without an owner and a contact
        return None
    due, why, basis = nxt
    return reminder(
        FOLLOW_UP,
        owner,
        customer.customer_id,
        due,
        now,
        f"Follow up with customer {customer.customer_id} by {due:%Y-%m-%d %H:%M} UTC ({why}; "
        f"last contact {last:%Y-%m-%d %H:%M} UTC).",
        _cycle(customer),
        details={"why": why, "last_contact_at": last.isoformat(), **basis},
    )


def regrade_reminder(policy: ReminderPolicy, customer: FollowedCustomer, now: datetime) -> Document | None:
    """The owner's quarterly review of the grades (one per owner and grading), or None: no owner,
    never graded, a silent stage, or no regrade asked."""
    graded = customer.graded_at
    if (
        customer.owner_id is None
        or graded is None
        or policy.regrade_every is None
        or customer.stage in policy.silent_stages
    ):
        return None
    due = graded + policy.regrade_every
    grades = ", ".join(
        f"{name} {grade}"
        for name, grade in (("intent", customer.intent_grade), ("value", customer.value_grade))
        if grade
    )
    return reminder(
        REGRADE,
        customer.owner_id,
        customer.customer_id,
        due,
        now,
        f"Review the grades of customer {customer.customer_id} by {due:%Y-%m-%d} "
        f"({grades or 'no grade yet'}; last graded {graded:%Y-%m-%d}).",
        (customer.customer_id, customer.owner_id, graded),
        details={
            "graded_at": graded.isoformat(),
            "intent_grade": customer.intent_grade,
            "value_grade": customer.value_grade,
        },
    )


def _cycle(customer):
    return customer.customer_id, customer.owner_id, customer.last_follow_up_at


def _latest(a, b):
    return max((x for x in (a, b) if x is not None), default=None)


def _span(every):
    days = every.total_seconds() / 86400
    return f"{days:g} days" if days >= 1 else f"{every.total_seconds() / 3600:g} hours"
