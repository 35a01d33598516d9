"""What goes back to the public pool (公海), what goes to the dormant pool (休眠客户库), and when.

An owned customer returns to the pool when its owner lets it lie: no follow-up recorded for
too long, or no deal long after claiming. The owner is always warned first and always gets
the full warning window: a customer found overdue without a warning (the job was down, or an
admin shortened a rule) is warned now and returns at the end of a fresh window, not at once.

A pooled customer without contact for more than six months and without an open need moves
to the dormant pool, out of everyone's way; a new inquiry brings it back.

Verdicts decide; ``due_thresholds`` gives the cutoffs a store uses to *find* candidates with
index-backed range queries, and the tests hold the two to the same boundaries.
Pure: the current time is passed in as a timezone-aware datetime.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# What a holding keeps as ``warned_for``: the rule and the deadline its owner was warned of.
WarnedFor = dict[str, Any]  # {"rule": str, "due_at": datetime}

NO_FOLLOW_UP = "no_follow_up"
NO_DEAL = "no_deal"

# Pool states, named as contracts.customer names them.
OWNED, PUBLIC_POOL, DORMANT, REJECTED = "owned", "public_pool", "dormant", "rejected"
SCREENING, INVALID = "screening", "invalid"


@dataclass(frozen=True)
class RecyclingRules:
    no_follow_up_days: int = 15  # since the latest follow-up (or the claim, if none yet)
    no_deal_days: int = 90  # since the claim, while no deal is closed
    warn_days_before: int = 3  # notice the owner gets before a return
    dormant_after_days: int = 180  # "more than 6 months without contact"
    # A customer with a closed deal belongs to its account manager; cadence reminders,
    # not recycling, deal with neglect there.
    closed_deals_exempt: bool = True

    def __post_init__(self) -> None:
        for name in ("no_follow_up_days", "no_deal_days"):
            if getattr(self, name) <= self.warn_days_before:
                raise ValueError(
                    f"{name} ({getattr(self, name)}) must be longer than warn_days_before ({self.warn_days_before})"
                )
        if self.warn_days_before < 0 or self.dormant_after_days <= 0:
            raise ValueError("warn_days_before must be >= 0 and dormant_after_days > 0")

    @property
    def warn_window(self) -> timedelta:
        return timedelta(days=self.warn_days_before)


@dataclass(frozen=True)
class OwnedCustomer:
    customer_id: str
    owner_id: str
    claimed_at: datetime
    last_follow_up_at: datetime | None
    deal_closed: bool
    has_open_need: bool
    last_contact_at: datetime | None
    warned_for: WarnedFor | None = None  # the ``Warn.key`` last sent to this owner


@dataclass(frozen=True)
class PooledCustomer:
    customer_id: str
    last_contact_at: datetime | None
    has_open_need: bool
    created_at: datetime  # stands in for the last contact of a customer never contacted


@dataclass(frozen=True)
class Keep:
    pass


KEEP = Keep()


@dataclass(frozen=True)
class Warn:
    rule: str
    reason: str
    due_at: datetime

    @property
    def key(self) -> WarnedFor:
        """What a holding keeps as ``warned_for``: the rule *and* the deadline warned about,
        so a follow-up that moves the deadline makes the next approach warn again."""
        return {"rule": self.rule, "due_at": self.due_at}


@dataclass(frozen=True)
class ReturnToPool:
    rule: str
    reason: str


@dataclass(frozen=True)
class MoveToDormant:
    reason: str


def follow_up_clock(customer: OwnedCustomer) -> datetime:
    """When the follow-up clock started: the latest follow-up, but never before the claim
    (follow-ups by a previous owner do not count for the new one). A store keeps this as a
    field so one index serves the no-follow-up query."""
    if customer.last_follow_up_at is None:
        return customer.claimed_at
    return max(customer.claimed_at, customer.last_follow_up_at)


def contact_clock(customer: PooledCustomer) -> datetime:
    """The last contact, or the archive's creation for a customer never contacted."""
    return customer.last_contact_at or customer.created_at


@dataclass(frozen=True)
class _Deadline:
    rule: str
    reason: str
    due_at: datetime
    warned_due: datetime | None  # the return time the owner was warned of, if warned

    @property
    def earliest_return(self) -> datetime:
        return self.warned_due or self.due_at


def recycling_verdict(customer: OwnedCustomer, rules: RecyclingRules, now: datetime) -> Keep | Warn | ReturnToPool:
    """``KEEP``, ``Warn`` (tell the owner, store ``Warn.key``) or ``ReturnToPool``.

    Only the rule that can return the customer first matters: warning about a later one
    would only be overwritten. A rule returns the customer only at the time its warning
    named, never before a warning.
    """
    _require_aware(now)
    deadlines = _deadlines(customer, rules)
    if not deadlines:
        return KEEP
    first = min(deadlines, key=lambda d: d.earliest_return)
    if first.warned_due is not None:
        return ReturnToPool(first.rule, first.reason) if now >= first.warned_due else KEEP
    if now < first.due_at - rules.warn_window:
        return KEEP
    return Warn(first.rule, first.reason, max(first.due_at, now + rules.warn_window))


def _deadlines(customer: OwnedCustomer, rules: RecyclingRules) -> list[_Deadline]:
    deadlines = []
    if not (customer.deal_closed and rules.closed_deals_exempt):
        deadlines.append(
            _deadline(
                customer,
                NO_FOLLOW_UP,
                f"no follow-up recorded for {rules.no_follow_up_days} days",
                follow_up_clock(customer) + timedelta(days=rules.no_follow_up_days),
            )
        )
    if not customer.deal_closed:
        deadlines.append(
            _deadline(
                customer,
                NO_DEAL,
                f"no deal within {rules.no_deal_days} days of claiming",
                customer.claimed_at + timedelta(days=rules.no_deal_days),
            )
        )
    return deadlines


def _deadline(customer: OwnedCustomer, rule: str, reason: str, due_at: datetime) -> _Deadline:
    warned_due = _warned_deadline(customer.warned_for, rule)
    # A warning about an earlier deadline was answered (e.g. by a follow-up): it no longer counts.
    counts = warned_due is not None and warned_due >= due_at
    return _Deadline(rule, reason, due_at, warned_due if counts else None)


def _warned_deadline(warned_for: object, rule: str) -> datetime | None:
    """The deadline the owner was warned of under ``rule``, if they were."""
    if not isinstance(warned_for, dict) or warned_for.get("rule") != rule:
        return None
    due_at = warned_for.get("due_at")
    return due_at if isinstance(due_at, datetime) else None  # unreadable: warn again rather than return unwarned


def dormancy_verdict(customer: PooledCustomer, rules: RecyclingRules, now: datetime) -> MoveToDormant | None:
    """``MoveToDormant`` for a pooled customer without contact for ``dormant_after_days``
    and without an open need, else None."""
    _require_aware(now)
    if customer.has_open_need:
        return None
    if contact_clock(customer) > now - timedelta(days=rules.dormant_after_days):
        return None
    return MoveToDormant(f"no contact for {rules.dormant_after_days} days and no open need")


@dataclass(frozen=True)
class Reactivation:
    state: str
    note: str
    needs_review: bool


def reactivation_on_inquiry(state: str) -> Reactivation | None:
    """Where a customer goes when a new inquiry arrives from it; None if it stays as it is.

    Dormant → public pool: the inquiry *is* an open need, so the reason for dormancy is gone.
    Rejected stays rejected, flagged for review: a rejection carries a reason and puts the
    customer on the do-not-contact list marketing must honour, so only a person may lift it
    (e.g. because a new price or product answers the reason). Owned and pooled customers
    already have a place; the inquiry joins their archive.
    """
    if state == DORMANT:
        return Reactivation(PUBLIC_POOL, "reactivated by new inquiry", needs_review=False)
    if state == REJECTED:
        return Reactivation(
            REJECTED, "new inquiry from a rejected customer: review for reactivation", needs_review=True
        )
    if state in (OWNED, PUBLIC_POOL):
        return None
    raise ValueError(f"unknown pool state {state!r}")


@dataclass(frozen=True)
class DueThresholds:
    """Cutoffs for finding candidates with range queries; each is inclusive (field <= cutoff).

    - warn candidates: ``follow_up_clock`` <= ``warn_follow_up_clock_at_or_before`` (skip closed
      deals when ``closed_deals_exempt``), or ``claimed_at`` <= ``warn_claimed_at_or_before``
      with no closed deal. Returns are a subset of these (they are warned first).
    - the ``return_*`` cutoffs: every customer ``recycling_verdict`` returns matches one.
    - dormant candidates: ``contact_clock`` <= ``dormant_contact_clock_at_or_before`` and no open need.
    The verdict still decides: a warned customer in its notice period is found but kept.
    """

    warn_follow_up_clock_at_or_before: datetime
    return_follow_up_clock_at_or_before: datetime
    warn_claimed_at_or_before: datetime
    return_claimed_at_or_before: datetime
    dormant_contact_clock_at_or_before: datetime


def due_thresholds(rules: RecyclingRules, now: datetime) -> DueThresholds:
    _require_aware(now)
    no_follow_up = now - timedelta(days=rules.no_follow_up_days)
    no_deal = now - timedelta(days=rules.no_deal_days)
    return DueThresholds(
        warn_follow_up_clock_at_or_before=no_follow_up + rules.warn_window,
        return_follow_up_clock_at_or_before=no_follow_up,
        warn_claimed_at_or_before=no_deal + rules.warn_window,
        return_claimed_at_or_before=no_deal,
        dormant_contact_clock_at_or_before=now - timedelta(days=rules.dormant_after_days),
    )


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"now must be a timezone-aware datetime, got {moment!r}")
