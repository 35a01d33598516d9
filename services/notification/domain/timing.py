"""When things go out: a person's quiet hours and daily digest in their own time zone, and how
long a failed delivery waits before its next attempt."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.notification.domain.notices import Preferences


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    first_wait: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    longest_wait: timedelta = timedelta(hours=1)


def quiet_until(preferences: Preferences, now: datetime) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (UTC), or None when the person may be told now.

    Quiet hours are local wall-clock times and may span midnight (22:00-07:00); a start equal to
    the end means none.
    """
    start, end = preferences.quiet_start, preferences.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(preferences.time_zone)
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        ends_on = local.date()
    else:
        inside = clock >= start or clock < end
        ends_on = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return _local(ends_on, end, zone)


def next_digest_at(preferences: Preferences, now: datetime) -> datetime:
    """The first digest time (local ``digest_at``) at or after ``now``, in UTC."""
    zone = ZoneInfo(preferences.time_zone)
    local = now.astimezone(zone)
    today = _local(local.date(), preferences.digest_at, zone)
    return today if today >= now else _local(local.date() + timedelta(days=1), preferences.digest_at, zone)


def local_day(preferences: Preferences, moment: datetime) -> date:
    """The person's calendar day at ``moment`` (names their digest)."""
    return moment.astimezone(ZoneInfo(preferences.time_zone)).date()


def next_attempt_at(policy: RetryPolicy, attempts_made: int, now: datetime) -> datetime | None:
    """When to try a failed delivery again (exponential backoff), or None once attempts run out."""
    if attempts_made >= policy.max_attempts:
        return None
    wait = policy.first_wait * (policy.factor ** (attempts_made - 1))
    return now + min(wait, policy.longest_wait)


def _local(day, clock, zone):
    # fold=0 and zoneinfo's normalisation put a wall time skipped by DST just after the gap.
    moment = datetime.combine(day, clock, tzinfo=zone)
    return moment.astimezone(UTC)


def parse_clock(text: str) -> time:
    """'HH:MM' -> time; ValueError otherwise."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))
