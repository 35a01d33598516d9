"""When reminders go out: quiet hours and digests in a person's zone (DST included), backoff,
the follow-up cadence, and how a notice shows its original due time."""

from datetime import UTC, datetime, time, timedelta

import pytest

from services.notification.domain.follow_up import (
    FollowedCustomer,
    follow_up_reminder,
    next_follow_up,
    regrade_reminder,
    with_archive,
    with_contact,
    with_creation,
)
from services.notification.domain.notices import Preferences, digest_of, named, notice_of
from services.notification.domain.reminders import first_touch, recycling_warning
from services.notification.domain.timing import RetryPolicy, next_attempt_at, next_digest_at, quiet_until
from services.notification.settings import ReminderSettingsSchema
from tests.conftest import load_config_file

POLICY = ReminderSettingsSchema().load(load_config_file()["BATON"]["reminders"])
UTC = UTC
LAST = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def prefs(zone="Asia/Shanghai", quiet=(time(22), time(7, 30)), digest_at=time(8, 30)):
    return Preferences(
        "alice",
        zone,
        *(quiet or (None, None)),
        digest=False,
        digest_at=digest_at,
        channels=("inbox",),
        addresses={},
        secrets={},
    )


@pytest.mark.parametrize(
    "utc_now, until",
    [
        (datetime(2026, 11, 20, 15, 0, tzinfo=UTC), datetime(2026, 11, 20, 23, 30, tzinfo=UTC)),  # 23:00 Shanghai
        (datetime(2026, 11, 20, 20, 0, tzinfo=UTC), datetime(2026, 11, 20, 23, 30, tzinfo=UTC)),  # 04:00 next day
        (datetime(2026, 11, 20, 23, 30, tzinfo=UTC), None),  # 07:30: over
        (datetime(2026, 11, 20, 6, 0, tzinfo=UTC), None),  # 14:00
    ],
)
def test_quiet_hours_spanning_midnight_end_at_their_local_end(utc_now, until):
    assert quiet_until(prefs(), utc_now) == until


def test_quiet_hours_within_a_day_and_none():
    lunch = prefs(quiet=(time(12), time(13)))
    assert quiet_until(lunch, datetime(2026, 11, 20, 4, 30, tzinfo=UTC)) == datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    assert quiet_until(prefs(quiet=None), datetime(2026, 11, 20, 15, 0, tzinfo=UTC)) is None


def test_quiet_hours_follow_daylight_saving_time():
    berlin = prefs("Europe/Berlin", quiet=(time(22), time(7)))
    # the night DST ends (25 Oct 2026): 07:00 local is 06:00 UTC, not 05:00
    assert quiet_until(berlin, datetime(2026, 10, 25, 2, 0, tzinfo=UTC)) == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)
    assert quiet_until(berlin, datetime(2026, 10, 24, 2, 0, tzinfo=UTC)) == datetime(2026, 10, 24, 5, 0, tzinfo=UTC)


def test_the_digest_goes_at_the_next_local_digest_time():
    morning = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # 08:00 Shanghai: today 08:30
    assert next_digest_at(prefs(), morning) == datetime(2026, 11, 20, 0, 30, tzinfo=UTC)
    assert next_digest_at(prefs(), morning + timedelta(hours=1)) == datetime(2026, 11, 21, 0, 30, tzinfo=UTC)


def test_retries_back_off_exponentially_up_to_a_ceiling_then_stop():
    policy = RetryPolicy(max_attempts=5, first_wait=timedelta(seconds=30), factor=2, longest_wait=timedelta(minutes=3))
    waits = [next_attempt_at(policy, n, LAST) - LAST for n in range(1, 5)]
    assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=180)]
    assert next_attempt_at(policy, 5, LAST) is None


def customer(**changes):
    base = FollowedCustomer("cus_1", owner_id="alice", intent_grade="B", stage="quoted", last_follow_up_at=LAST)
    return FollowedCustomer(**{**base.__dict__, **changes})


@pytest.mark.parametrize(
    "grade, stage, days",
    [
        ("A", "new_contact", 3),
        ("B", "new_contact", 14),
        ("C", "new_contact", 30),
        ("C", "quoted", 3),  # an active customer is updated every 3 days whatever its grade
    ],
)
def test_the_next_follow_up_is_the_shortest_rule_that_applies(grade, stage, days):
    due, why = next_follow_up(POLICY, customer(intent_grade=grade, stage=stage))
    assert due == LAST + timedelta(days=days), why


def test_value_grade_cadence_applies_when_the_archive_has_one_and_lost_customers_get_a_win_back():
    assert next_follow_up(POLICY, customer(intent_grade="C", value_grade="B", stage="customer", deal_closed=True))[
        0
    ] == LAST + timedelta(days=14)
    due, why = next_follow_up(POLICY, customer(stage="lost"))
    assert due == LAST + timedelta(days=90) and "win-back" in why


def test_no_follow_up_without_an_owner_a_contact_or_in_a_silent_stage():
    assert next_follow_up(POLICY, customer(owner_id=None)) is None
    assert next_follow_up(POLICY, customer(last_follow_up_at=None)) is None  # first touch asks for it
    assert next_follow_up(POLICY, customer(stage="rejected")) is None


def test_a_contact_planning_the_next_one_is_the_recorded_reason():
    planned = LAST + timedelta(days=8)
    state = with_contact(customer(stage="negotiation"), {"at": LAST + timedelta(hours=1), "next_follow_up_at": planned})
    assert next_follow_up(POLICY, state) == (planned, "planned at the last contact")
    # an older contact arriving late neither moves the last follow-up back nor replaces the plan
    late = with_contact(state, {"at": LAST - timedelta(days=1), "next_follow_up_at": None})
    assert (late.last_follow_up_at, late.next_follow_up_at) == (LAST + timedelta(hours=1), planned)


def test_archive_updates_apply_in_version_order():
    state = with_archive(
        customer(),
        {
            "version": 5,
            "intent_grade": "A",
            "value_grade": None,
            "stage": "sample",
            "deal_closed": False,
            "last_follow_up_at": None,
        },
    )
    older = with_archive(
        state,
        {
            "version": 4,
            "intent_grade": "C",
            "value_grade": None,
            "stage": "lost",
            "deal_closed": False,
            "last_follow_up_at": None,
        },
    )
    assert (older.intent_grade, older.stage, older.last_follow_up_at) == ("A", "sample", LAST)


def test_each_contact_starts_a_new_cycle_with_its_own_reminder():
    first = follow_up_reminder(POLICY, customer(), LAST)
    later = follow_up_reminder(POLICY, customer(last_follow_up_at=LAST + timedelta(days=2)), LAST)
    assert first["_id"] != later["_id"] and first["kind"] == "follow_up"


def test_the_owner_reviews_the_grades_a_quarter_after_the_last_grading():
    graded = customer(graded_at=LAST, value_grade="B")
    due = regrade_reminder(POLICY, graded, LAST)
    assert (due["kind"], due["user_id"], due["due_at"]) == ("regrade", "alice", LAST + timedelta(days=90))
    assert "intent B, value B" in due["message"]
    regraded = regrade_reminder(POLICY, customer(graded_at=LAST + timedelta(days=80)), LAST)
    assert regraded["_id"] != due["_id"] and regraded["due_at"] == LAST + timedelta(days=170)
    for nothing_asked in (
        customer(graded_at=None),
        customer(graded_at=LAST, owner_id=None),
        customer(graded_at=LAST, stage="dormant"),
    ):
        assert regrade_reminder(POLICY, nothing_asked, LAST) is None
    never = ReminderSettingsSchema().load({**load_config_file()["BATON"]["reminders"], "regrade_every_days": None})
    assert regrade_reminder(never, graded, LAST) is None


def test_a_notice_shows_the_due_time_in_the_persons_zone_and_says_when_it_is_late():
    reminder = first_touch(POLICY, "cus_1", "alice", LAST)
    on_time = notice_of(reminder, prefs(), reminder["due_at"] + timedelta(seconds=20))
    assert "Due 2026-11-23 17:00 (Asia/Shanghai)." in on_time["body"] and "late" not in on_time["body"]
    late = notice_of(reminder, prefs(), reminder["due_at"] + timedelta(days=2))
    assert "Sent late: it was due 2026-11-23 17:00 (Asia/Shanghai)." in late["body"]
    assert late["_id"] == on_time["_id"]  # the same firing, whenever it happens
    snoozed = notice_of({**reminder, "fire_at": reminder["due_at"] + timedelta(hours=1)}, prefs(), LAST)
    assert snoozed["_id"] != on_time["_id"]


def test_a_digest_lists_the_days_notices_or_is_nothing():
    reminder = first_touch(POLICY, "cus_1", "alice", LAST)
    notices = [notice_of(reminder, prefs(), reminder["due_at"])]
    digest = digest_of({"_id": "dig_alice_20261124", "user_id": "alice", "due_at": LAST}, notices, prefs(), LAST)
    assert digest["title"] == "Your Baton digest: 1 reminder" and digest["items"] == [notices[0]["_id"]]
    assert digest_of({"_id": "d", "user_id": "alice", "due_at": LAST}, [], prefs(), LAST) is None


def test_a_notice_calls_the_customer_by_its_company_name_when_it_is_known():
    reminder = first_touch(POLICY, "cus_1", "alice", LAST)
    unnamed = notice_of(reminder, prefs(), reminder["due_at"])
    assert unnamed["title"] == "First touch due: customer cus_1"
    assert unnamed["body"].startswith("First touch with new customer cus_1 by")
    notice = notice_of(reminder, prefs(), reminder["due_at"], customer_name="Acme GmbH")
    assert notice["title"] == "First touch due: Acme GmbH"
    assert notice["body"].startswith("First touch with new customer Acme GmbH by") and "cus_1" not in notice["body"]
    assert (notice["_id"], notice["customer_id"]) == (unnamed["_id"], "cus_1")  # the same notice, named
    digest = digest_of({"_id": "dig_alice_20261124", "user_id": "alice", "due_at": LAST}, [notice], prefs(), LAST)
    assert "Acme GmbH" in digest["body"] and "cus_1" not in digest["body"]


def test_naming_replaces_the_customer_s_id_wherever_a_rule_wrote_it():
    warning = recycling_warning(
        {
            "customer_id": "cus_7",
            "owner_id": "alice",
            "warned_at": LAST,
            "due_at": LAST + timedelta(days=3),
            "reason": "no follow-up recorded for 15 days",
        }
    )
    assert named(warning["message"], "cus_7", "Bolt Ltd").startswith("Customer Bolt Ltd returns to the public pool")
    assert named("Nobody can take customer cus_7; customer cus_7 waits.", "cus_7", "Bolt Ltd") == (
        "Nobody can take customer Bolt Ltd; customer Bolt Ltd waits."
    )
    assert named(warning["message"], "cus_7", None) == warning["message"]
    assert named("Customer cus_77 and customer cus_7.", "cus_7", "Bolt Ltd") == (
        "Customer cus_77 and customer Bolt Ltd."
    )  # another id that starts alike is left alone
    odd = r"A\1 & Co"  # taken as it is, never as a pattern
    assert named("customer cus_7: see customer cus_7", "cus_7", odd) == f"customer {odd}: see customer {odd}"


def test_the_followed_customer_keeps_the_company_name_profile_last_said():
    created = with_creation(FollowedCustomer("cus_1"), {"company": "Acme GmbH"})
    assert created.company == "Acme GmbH"
    renamed = with_archive(
        created,
        {
            "version": 2,
            "company": "Acme Europe GmbH",
            "intent_grade": "B",
            "stage": "inquiry",
            "deal_closed": False,
            "last_follow_up_at": None,
        },
    )
    assert renamed.company == "Acme Europe GmbH"
    assert with_creation(renamed, {"company": "Acme GmbH"}).company == "Acme Europe GmbH"  # a late creation
    older = with_archive(
        renamed,
        {
            "version": 1,
            "company": "Acme",
            "intent_grade": "B",
            "stage": "inquiry",
            "deal_closed": False,
            "last_follow_up_at": None,
        },
    )
    assert older.company == "Acme Europe GmbH"
    unsaid = with_archive(
        renamed, {"version": 3, "intent_grade": "B", "stage": "quoted", "deal_closed": False, "last_follow_up_at": None}
    )
    assert unsaid.company == "Acme Europe GmbH"  # an update without the field keeps the name
