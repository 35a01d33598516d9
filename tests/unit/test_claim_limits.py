"""Claiming from the public pool: calendar limits, holding cap, release protection, reasons."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.pool.domain.claiming import (
    ClaimLimits, ClaimRefused, check_claim, check_reclaim, limits_for, protected_until, release_reason,
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
    yesterday_evening = datetime(2026, 11, 22, 15, 30, tzinfo=timezone.utc)
    now = datetime(2026, 11, 22, 17, 0, tzinfo=timezone.utc)  # 01:00 on the 23rd in Shanghai
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
    released = datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc)
    until = protected_until(released, 7)
    assert until == released + timedelta(days=7)
    refused = check_reclaim(released, 7, until - timedelta(seconds=1), tz=SHANGHAI)
    assert (refused.limit, refused.allowed, refused.used) == ("release_protection", 7, 6)
    assert refused.resets_at == until and refused.resets_at.tzinfo == ZoneInfo(SHANGHAI)
    assert "2026-11-08 17:30 Asia/Shanghai" in refused.message
    assert check_reclaim(released, 7, until) is None


def test_a_customer_this_person_never_released_is_not_protected():
    assert check_reclaim(None, 7, datetime(2026, 11, 1, tzinfo=timezone.utc)) is None


def test_a_release_reason_is_required_and_tidied():
    assert release_reason("  no answer to\n4 mails \t since June ") == "no answer to 4 mails since June"
    for blank in ("", "   \n\t", None):
        with pytest.raises(ValueError, match="reason is required"):
            release_reason(blank)
