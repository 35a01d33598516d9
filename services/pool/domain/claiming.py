"""Claiming from the public pool (公海): limits per period, holding cap, release protection.

The articles' complaint is hoarding: a salesperson claims many pool customers at once and
follows none of them up. Limits per day, week and month slow the grab; a cap on customers
held bounds it; and a customer someone released is protected from their own re-claim for a
while, so releasing just before automatic recycling cannot restart the clock.

Periods are **calendar** periods in the company's time zone, not rolling windows: "5 a day"
means "5 between midnight and midnight", which is what people expect and lets the refusal
say exactly when claiming opens again. (A rolling window would give a reset time that moves
with every earlier claim.) The price is that 5 at 23:59 and 5 at 00:01 are both allowed; the
weekly and monthly limits bound that.

``claim_allowance`` is what is left: the same periods, counts and limits ``check_claim``
decides by, so what a person is shown and what a claim is refused by cannot differ.

Pure: callers pass the current time as a timezone-aware datetime and the settings as values.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MONDAY = 0  # datetime.weekday() numbering; the default first day of a claiming week

PER_DAY, PER_WEEK, PER_MONTH, MAX_HELD = "per_day", "per_week", "per_month", "max_held"
RELEASE_PROTECTION = "release_protection"
# A customer recycled for neglect is not claimed straight back by the person it was taken from:
# otherwise the sweep's return would only restart that person's clock.
RECYCLE_PROTECTION = "recycle_protection"
POOL_SCOPE = "pool_scope"
DAY, WEEK, MONTH = "day", "week", "month"
PERIOD_OF_LIMIT = {PER_DAY: DAY, PER_WEEK: WEEK, PER_MONTH: MONTH}


@dataclass(frozen=True)
class ClaimLimits:
    """How much one person may claim. None means no limit of that kind (e.g. for managers)."""

    per_day: int | None = 5
    per_week: int | None = 20
    per_month: int | None = 60
    max_held: int | None = 200
    # Days a person may not re-claim a customer they released themselves.
    release_protection_days: int = 30
    # Days a person may not claim back a customer recycled from them for neglect.
    recycle_protection_days: int = 15

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and value < 0:
                raise ValueError(f"claim limit {f.name} must be >= 0 or None, got {value}")


def limits_for(role: str, defaults: "ClaimLimits", overrides: Mapping[str, Mapping[str, Any] | None]) -> "ClaimLimits":
    """The defaults with the fields configured for this role replaced.

    ``overrides`` maps a role to the fields it changes, e.g. ``{"manager": {"max_held": None}}``.
    An unknown field name is refused rather than ignored: a typo must not silently keep a
    default.
    """
    changes = dict(overrides.get(role) or {})
    unknown = sorted(set(changes) - {f.name for f in fields(ClaimLimits)})
    if unknown:
        raise ValueError(f"claim limits for role {role!r}: unknown setting(s) {', '.join(unknown)}")
    return replace(defaults, **changes)


@dataclass(frozen=True)
class ClaimRefused:
    """Why a claim is refused, and when trying again can succeed (None: waiting won't help)."""

    limit: str
    allowed: int
    used: int
    resets_at: datetime | None
    reason: str | None = None  # why the customer was recycled (recycle_protection)

    @property
    def message(self) -> str:
        if self.limit == RECYCLE_PROTECTION:
            return (
                f"this customer was returned to the pool from you {self.used} day(s) ago ({self.reason}) and "
                f"may not be claimed back by you for {self.allowed} days; it can be claimed again at "
                f"{_shown(self.resets_at)}"
            )
        if self.limit == MAX_HELD:
            return f"holding limit of {self.allowed} customers reached; release or close a customer to claim another"
        if self.limit == RELEASE_PROTECTION:
            return (
                f"you released this customer {self.used} day(s) ago and may not re-claim it "
                f"for {self.allowed} days; it can be claimed again at {_shown(self.resets_at)}"
            )
        label = _PERIOD_LABELS[self.limit]
        if self.resets_at is None:
            return f"{label} claim limit is {self.allowed}; claiming is not allowed"
        return f"{label} claim limit of {self.allowed} reached; resets at {_shown(self.resets_at)}"


_PERIOD_LABELS = {PER_DAY: "daily", PER_WEEK: "weekly", PER_MONTH: "monthly"}


@dataclass(frozen=True)
class PeriodAllowance:
    """One calendar period of claiming: the claims counted in it, its limit (None: no limit) and
    when the next period starts, counting from zero again."""

    limit: str  # per_day, per_week or per_month: the limit a refusal names
    used: int
    allowed: int | None
    resets_at: datetime

    @property
    def period(self) -> str:
        return PERIOD_OF_LIMIT[self.limit]

    @property
    def remaining(self) -> int | None:
        return None if self.allowed is None else max(self.allowed - self.used, 0)


@dataclass(frozen=True)
class ClaimAllowance:
    """What one person may still claim: each period (day, week, month) and the holding cap."""

    periods: tuple[PeriodAllowance, ...]
    held: int
    max_held: int | None


def claim_allowance(
    limits: ClaimLimits,
    claims_so_far: Sequence[datetime],
    held: int,
    now: datetime,
    week_starts_on: int = MONDAY,
    *,
    tz: str,
) -> ClaimAllowance:
    """The periods and the cap ``check_claim`` decides by, as they stand at ``now`` (same
    arguments): a claim is allowed exactly while every period has a claim remaining and
    ``held`` is below ``max_held``."""
    _require_aware(now, "now")
    return ClaimAllowance(
        _period_allowances(limits, claims_so_far, now, week_starts_on, ZoneInfo(tz)), held, limits.max_held
    )


def check_claim(
    limits: ClaimLimits,
    claims_so_far: Sequence[datetime],
    held: int,
    now: datetime,
    week_starts_on: int = MONDAY,
    *,
    tz: str,
) -> ClaimRefused | None:
    """None if this person may claim one more customer now, else the ``ClaimRefused``.

    ``claims_so_far``: this person's past claim times (aware datetimes; older ones are
    ignored); ``held``: customers they own now; ``tz``: the company's IANA zone name.

    The holding cap is reported first, since no waiting lifts it. Among period limits, the
    one that lifts last is reported, so its reset time is when a claim will succeed.
    """
    allowance = claim_allowance(limits, claims_so_far, held, now, week_starts_on, tz=tz)
    if allowance.max_held is not None and allowance.held >= allowance.max_held:
        return ClaimRefused(MAX_HELD, allowance.max_held, allowance.held, None)
    refusals = [
        ClaimRefused(p.limit, p.allowed or 0, p.used, p.resets_at if p.allowed else None)
        for p in allowance.periods
        if p.remaining == 0
    ]
    if not refusals:
        return None
    return max(refusals, key=_lifts_last)


def _lifts_last(refusal: ClaimRefused) -> tuple[bool, float]:
    # A zero limit never lifts; it outranks any reset time.
    if refusal.resets_at is None:
        return (True, 0.0)
    return (False, refusal.resets_at.timestamp())


def _period_allowances(
    limits: ClaimLimits, claims: Sequence[datetime], now: datetime, week_starts_on: int, zone: ZoneInfo
) -> tuple[PeriodAllowance, ...]:
    return tuple(
        PeriodAllowance(
            limit, sum(1 for claimed_at in claims if claimed_at >= start), getattr(limits, limit), next_start
        )
        for limit, (start, next_start) in _periods(now.astimezone(zone).date(), week_starts_on, zone)
    )


def _periods(today: date, week_starts_on: int, zone: ZoneInfo) -> list[tuple[str, tuple[datetime, datetime]]]:
    """(limit name, (start, start of the next period)) for the calendar periods holding today."""
    week_start = today - timedelta(days=(today.weekday() - week_starts_on) % 7)
    month_start = today.replace(day=1)
    return [
        (PER_DAY, _span(today, today + timedelta(days=1), zone)),
        (PER_WEEK, _span(week_start, week_start + timedelta(weeks=1), zone)),
        (PER_MONTH, _span(month_start, _next_month(month_start), zone)),
    ]


def _span(first_day: date, next_first_day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return _midnight(first_day, zone), _midnight(next_first_day, zone)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _next_month(month_start: date) -> date:
    if month_start.month == 12:
        return date(month_start.year + 1, 1, 1)
    return date(month_start.year, month_start.month + 1, 1)


def protected_until(released_at: datetime, protection_days: int) -> datetime:
    """Until when the person who released a customer may not claim it back.

    A plain duration from the release, not calendar days: protection exists to stop
    release-and-reclaim, and its length should not depend on the hour of the release.
    """
    _require_aware(released_at, "released_at")
    return released_at + timedelta(days=protection_days)


def check_reclaim(
    last_release_by_this_person: datetime | None, protection_days: int, now: datetime, *, tz: str | None = None
) -> ClaimRefused | None:
    """None if this person may claim the customer, else a ``release_protection`` refusal.

    Only the claimant's own latest release of this customer matters: others may claim a
    released customer at once. ``tz`` (optional) shows the reset time in the company zone.
    """
    _require_aware(now, "now")
    if last_release_by_this_person is None:
        return None
    until = protected_until(last_release_by_this_person, protection_days)
    if now >= until:
        return None
    if tz is not None:
        until = until.astimezone(ZoneInfo(tz))
    days_since = max((now - last_release_by_this_person).days, 0)  # a replayed sweep may date it ahead
    return ClaimRefused(RELEASE_PROTECTION, protection_days, days_since, until)


def check_claim_back(
    last_recycled_from_this_person: datetime | None,
    protection_days: int,
    now: datetime,
    *,
    tz: str | None = None,
    reason: str | None = None,
) -> ClaimRefused | None:
    """None if this person may claim the customer, else a ``recycle_protection`` refusal: the
    customer was recycled from them (for neglect) less than ``protection_days`` ago. ``reason``:
    why it was recycled, for the refusal to say."""
    refusal = check_reclaim(last_recycled_from_this_person, protection_days, now, tz=tz)
    return None if refusal is None else replace(refusal, limit=RECYCLE_PROTECTION, reason=reason)


def outside_pool_scope(person_team: str | None, pool_team: str | None) -> str | None:
    """Why a person may not claim from this pool (another team's), or None when it is theirs.

    A salesperson browses and claims only their own team's pool (公海 per team or market); a
    customer no team holds (None) is everyone's.
    """
    if pool_team is None or person_team == pool_team:
        return None
    return f"the customer is in the public pool of team {pool_team}; you claim from team {person_team}'s"


def release_reason(text: str | None) -> str:
    """The reason for releasing a customer, whitespace collapsed; a blank reason is refused.

    The next person to claim the customer reads it, so "no answer to 4 mails since June"
    must be written down, never nothing.
    """
    normalised = " ".join((text or "").split())
    if not normalised:
        raise ValueError("a reason is required to release a customer to the public pool")
    return normalised


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")


def _shown(moment: datetime | None) -> str:
    if moment is None:
        return "no time"  # a limit of zero: never
    zone = getattr(moment.tzinfo, "key", None) or moment.tzname()
    return f"{moment:%Y-%m-%d %H:%M} {zone}"
