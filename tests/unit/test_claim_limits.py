"""Claiming from the public pool: calendar limits, holding cap, release protection, reasons."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.pool.domain.claiming import (
    ClaimLimits,
    ClaimRefused,
    check_claim,
    check_reclaim,
    claim_allowance,
    limits_for,
    protected_until,
    release_reason,
)

SHANGHAI = "Asia/Shanghai"
LIMITS = ClaimLimits(per_day=5, per_week=20, per_month=60, max_held=200)


def local(*args, tz=SHANGHAI):
    return datetime(*args, tzinfo=ZoneInfo(tz))


def claims_at(moment, count):
    return [moment] * count


def test_below_every_limit_a_claim_is_allowed():
    now = local(2026, 11, 23, 15, 0)  # a Monday
    assert check_claim(LIMITS, claims_at(now - timedelta(hours=1), 4), 10, now, tz=SHANGHAI) is None


def test_the_daily_limit_is_a_calendar_day_in_the_company_zone():
    now = local(2026, 11, 23, 15, 0)
    refused = check_claim(LIMITS, claims_at(local(2026, 11, 23, 0, 30), 5), 10, now, tz=SHANGHAI)
    assert refused == ClaimRefused("per_day", 5, 5, local(2026, 11, 24))
    assert refused.message == "daily claim limit of 5 reached; resets at 2026-11-24 00:00 Asia/Shanghai"


def test_claims_before_local_midnight_count_for_the_previous_day():
    # 23:30 Shanghai on the 22nd is 15:30 UTC: same UTC day as "now", another local day.
    yesterday_evening = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    now = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # 01:00 on the 23rd in Shanghai
    assert check_claim(LIMITS, claims_at(yesterday_evening, 5), 0, now, tz=SHANGHAI) is None
    assert check_claim(LIMITS, claims_at(yesterday_evening, 5), 0, now, tz="UTC").limit == "per_day"


def test_the_week_starts_on_the_configured_day():
    now = local(2026, 11, 25, 10, 0)  # Wednesday
    earlier = [local(2026, 11, 22, 10, 0)] * 20  # the Sunday before
    monday_weeks = check_claim(LIMITS, earlier, 0, now, tz=SHANGHAI)
    sunday_weeks = check_claim(LIMITS, earlier, 0, now, week_starts_on=6, tz=SHANGHAI)
    assert monday_weeks is None
    assert sunday_weeks == ClaimRefused("per_week", 20, 20, local(2026, 11, 29))


def test_the_monthly_limit_resets_on_the_first_including_at_year_end():
    now = local(2026, 12, 30, 10, 0)
    spread = [local(2026, 12, day, 10, 0) for day in range(1, 31) for _ in range(2)]
    refused = check_claim(ClaimLimits(per_day=None, per_week=None), spread, 0, now, tz=SHANGHAI)
    assert refused == ClaimRefused("per_month", 60, 60, local(2027, 1, 1))


def test_when_several_limits_are_reached_the_one_that_lifts_last_is_named():
    now = local(2026, 11, 27, 10, 0)  # Friday
    week = [local(2026, 11, day, 9, 0) for day in (23, 24, 25, 26) for _ in range(4)] + claims_at(now, 5)
    refused = check_claim(LIMITS, week, 0, now, tz=SHANGHAI)
    assert (refused.limit, refused.used, refused.resets_at) == ("per_week", 21, local(2026, 11, 30))


def test_the_holding_cap_comes_first_and_has_no_reset_time():
    now = local(2026, 11, 23, 15, 0)
    refused = check_claim(LIMITS, claims_at(now, 5), 200, now, tz=SHANGHAI)
    assert refused == ClaimRefused("max_held", 200, 200, None)
    assert "release or close a customer" in refused.message


def test_a_zero_limit_never_resets():
    now = local(2026, 11, 23, 15, 0)
    refused = check_claim(ClaimLimits(per_day=0), [], 0, now, tz=SHANGHAI)
    assert refused.resets_at is None and refused.message == "daily claim limit is 0; claiming is not allowed"


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        check_claim(LIMITS, [], 0, datetime(2026, 11, 23), tz=SHANGHAI)


def test_role_overrides_replace_only_their_fields():
    overrides = {"manager": {"max_held": None, "per_day": 10}, "junior": {"per_month": 30}}
    assert limits_for("manager", LIMITS, overrides) == ClaimLimits(per_day=10, per_week=20, per_month=60, max_held=None)
    assert limits_for("junior", LIMITS, overrides).per_month == 30
    assert limits_for("sales", LIMITS, overrides) == LIMITS


def test_an_unknown_override_field_is_refused_not_ignored():
    with pytest.raises(ValueError, match="per_dya"):
        limits_for("sales", LIMITS, {"sales": {"per_dya": 3}})


def test_negative_limits_are_refused():
    with pytest.raises(ValueError, match="per_week"):
        ClaimLimits(per_week=-1)


def test_release_protection_holds_until_its_end_then_lifts():
    released = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    until = protected_until(released, 7)
    assert until == released + timedelta(days=7)
    refused = check_reclaim(released, 7, until - timedelta(seconds=1), tz=SHANGHAI)
    assert (refused.limit, refused.allowed, refused.used) == ("release_protection", 7, 6)
    assert refused.resets_at == until and refused.resets_at.tzinfo == ZoneInfo(SHANGHAI)
    assert "2026-11-08 17:30 Asia/Shanghai" in refused.message
    assert check_reclaim(released, 7, until) is None


def test_a_customer_this_person_never_released_is_not_protected():
    assert check_reclaim(None, 7, datetime(2026, 11, 1, tzinfo=UTC)) is None


def test_a_release_reason_is_required_and_tidied():
    assert release_reason("  no answer to\n4 mails \t since June ") == "no answer to 4 mails since June"
    for blank in ("", "   \n\t", None):
        with pytest.raises(ValueError, match="reason is required"):
            release_reason(blank)


def periods(allowance):
    return [(p.period, p.used, p.allowed, p.remaining, p.resets_at) for p in allowance.periods]


def test_the_allowance_counts_each_calendar_period_and_says_when_it_resets():
    now = local(2026, 11, 25, 10, 0)  # a Wednesday
    claims = (
        [local(2026, 11, 25, 0, 5)] * 2  # today, just after local midnight
        + [local(2026, 11, 23, 9, 0)] * 3  # Monday: this week
        + [local(2026, 11, 22, 23, 59)]  # the Sunday before: this month only
        + [local(2026, 10, 31, 23, 59)] * 4
    )  # last month: not counted
    allowance = claim_allowance(LIMITS, claims, 12, now, tz=SHANGHAI)
    assert periods(allowance) == [
        ("day", 2, 5, 3, local(2026, 11, 26)),
        ("week", 5, 20, 15, local(2026, 11, 30)),
        ("month", 6, 60, 54, local(2026, 12, 1)),
    ]
    assert (allowance.held, allowance.max_held) == (12, 200)
    assert all(p.resets_at.utcoffset() == timedelta(hours=8) for p in allowance.periods)


def test_the_allowance_s_day_is_the_company_zone_s_day_not_utc_s():
    yesterday_evening = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)  # 23:30 on the 22nd in Shanghai
    now = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # 01:00 on the 23rd (a Monday)
    shanghai = claim_allowance(LIMITS, [yesterday_evening] * 5, 0, now, tz=SHANGHAI)
    utc = claim_allowance(LIMITS, [yesterday_evening] * 5, 0, now, tz="UTC")
    assert [(p.period, p.used) for p in shanghai.periods] == [("day", 0), ("week", 0), ("month", 5)]
    assert [(p.period, p.used, p.remaining) for p in utc.periods][0] == ("day", 5, 0)
    assert shanghai.periods[0].resets_at == local(2026, 11, 24)
    assert utc.periods[0].resets_at == datetime(2026, 11, 23, tzinfo=UTC)


def test_the_allowance_s_week_starts_on_the_configured_day_and_its_month_turns_at_year_end():
    now = local(2026, 12, 30, 10, 0)  # a Wednesday
    sunday = [local(2026, 12, 27, 10, 0)] * 3
    monday_weeks = claim_allowance(LIMITS, sunday, 0, now, tz=SHANGHAI)
    sunday_weeks = claim_allowance(LIMITS, sunday, 0, now, week_starts_on=6, tz=SHANGHAI)
    assert (monday_weeks.periods[1].used, monday_weeks.periods[1].resets_at) == (0, local(2027, 1, 4))
    assert (sunday_weeks.periods[1].used, sunday_weeks.periods[1].resets_at) == (3, local(2027, 1, 3))
    assert monday_weeks.periods[2].resets_at == local(2027, 1, 1)


def test_a_role_override_without_a_limit_shows_no_limit_and_nothing_remaining_to_count():
    manager = limits_for("manager", LIMITS, {"manager": {"per_day": None, "per_week": None, "max_held": None}})
    now = local(2026, 11, 25, 10, 0)
    allowance = claim_allowance(manager, [now - timedelta(hours=1)] * 30, 250, now, tz=SHANGHAI)
    assert [(p.period, p.used, p.allowed, p.remaining) for p in allowance.periods] == [
        ("day", 30, None, None),
        ("week", 30, None, None),
        ("month", 30, 60, 30),
    ]
    assert (allowance.held, allowance.max_held) == (250, None)
    junior = claim_allowance(limits_for("junior", LIMITS, {"junior": {"per_day": 2}}), [], 0, now, tz=SHANGHAI)
    assert (junior.periods[0].allowed, junior.periods[0].remaining) == (2, 2)


def test_used_beyond_a_lowered_limit_leaves_nothing_remaining_never_less():
    now = local(2026, 11, 25, 10, 0)
    allowance = claim_allowance(ClaimLimits(per_day=3), [now] * 5, 0, now, tz=SHANGHAI)
    assert (allowance.periods[0].used, allowance.periods[0].remaining) == (5, 0)


@pytest.mark.parametrize(
    "today, this_week, held", [(0, 0, 0), (4, 4, 10), (5, 5, 10), (1, 20, 10), (0, 0, 200), (2, 19, 199)]
)
def test_a_claim_is_refused_exactly_when_the_allowance_shows_nothing_remaining(today, this_week, held):
    now = local(2026, 11, 25, 10, 0)
    claims = [local(2026, 11, 25, 9, 0)] * today + [local(2026, 11, 23, 9, 0)] * (this_week - today)
    allowance = claim_allowance(LIMITS, claims, held, now, tz=SHANGHAI)
    exhausted = [p for p in allowance.periods if p.remaining == 0]
    refused = check_claim(LIMITS, claims, held, now, tz=SHANGHAI)
    capped = allowance.max_held is not None and allowance.held >= allowance.max_held
    assert (refused is None) == (not exhausted and not capped)
    if refused is not None and not capped:
        assert (refused.limit, refused.resets_at) in {(p.limit, p.resets_at) for p in exhausted}


def test_the_allowance_refuses_a_naive_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        claim_allowance(LIMITS, [], 0, datetime(2026, 11, 23), tz=SHANGHAI)
