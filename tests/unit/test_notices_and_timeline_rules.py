"""Pure rules of the inbox's digests, the managers' daily summary and the timeline's entries and filter."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from marshmallow import ValidationError

from contracts.customer import REMINDER_TIMELINE_KINDS, TIMELINE_KINDS, TimelineQuerySchema, timeline_kinds_asked
from services.notification.domain.notices import group_id_of, inbox_digest, with_customer_names
from services.notification.domain.summaries import manager_summary, summary_day, summary_id, team_of
from services.profile.domain import timeline

AT = datetime(2026, 12, 4, 2, 30, tzinfo=UTC)
HOUR = timedelta(minutes=60)


def entry(n, kind="first_touch", at=AT, read=False, customer=None):
    return {
        "_id": f"ntf_{n}",
        "user_id": "alice",
        "kind": kind,
        "fired_at": at + timedelta(seconds=n),
        "customer_id": customer or f"cus_{n}",
        "read": read,
    }


# --- inbox digests --------------------------------------------------------------------------


def test_notices_of_one_window_share_a_digest_named_by_person_kind_and_window():
    one = group_id_of("alice", "first_touch", AT, HOUR)
    assert one == "grp_alice_first_touch_20261204T0200"
    assert group_id_of("alice", "first_touch", AT + timedelta(minutes=29), HOUR) == one
    assert group_id_of("alice", "first_touch", AT + timedelta(minutes=30), HOUR) != one  # the next window
    assert group_id_of("bob", "first_touch", AT, HOUR) != one
    assert group_id_of("alice", "follow_up", AT, HOUR) != one


def test_a_digest_counts_names_and_keeps_every_notice_it_stands_for():
    members = [entry(n) for n in range(12)]
    names = {f"cus_{n}": f"Company {n}" for n in range(11)}  # one not known yet
    digest = inbox_digest("grp_x", members, names, None)
    assert digest["title"] == "12 new customers assigned to you"
    assert digest["items"] == [f"ntf_{n}" for n in range(12)]
    assert digest["kind"] == "inbox_digest" and digest["read"] is False
    assert digest["body"].startswith("Company 0, Company 1") and "customer cus_11" in digest["body"]
    assert digest["details"] == {"of_kind": "first_touch", "count": 12, "customer_ids": [f"cus_{n}" for n in range(12)]}
    assert digest["fired_at"] == members[-1]["fired_at"]


def test_a_digest_never_loses_an_item_and_is_news_again_when_one_joins():
    stored = {**inbox_digest("grp_x", [entry(n) for n in range(6)], {}, None), "read": True}
    # a concurrent filing saw only five of them, and one more
    seen = [entry(n) for n in range(5)] + [entry(9)]
    again = inbox_digest("grp_x", seen, {}, stored)
    assert again["items"] == [f"ntf_{n}" for n in range(6)] + ["ntf_9"] and again["details"]["count"] == 7
    assert again["read"] is False
    same = inbox_digest("grp_x", [entry(n) for n in range(6)], {}, stored)
    assert same["read"] is True  # nothing new: still read


def test_a_kind_without_its_own_words_is_counted_with_its_title():
    digest = inbox_digest("grp_x", [entry(n, kind="follow_up") for n in range(5)], {}, None)
    assert digest["title"] == "5 notices: Follow-up due"


def test_a_digests_customers_are_named_as_known_when_read():
    details = {"of_kind": "first_touch", "count": 2, "customer_ids": ["cus_1", "cus_2"]}
    assert with_customer_names(details, {"cus_1": "Acme GmbH"}) == {
        "of_kind": "first_touch",
        "count": 2,
        "customers": [
            {"customer_id": "cus_1", "customer_name": "Acme GmbH"},
            {"customer_id": "cus_2", "customer_name": None},
        ],
    }


# --- the managers' daily summary ------------------------------------------------------------------

PEOPLE = [
    {"_id": "meier", "role": "manager", "department": "sales", "team": "default", "active": True},
    {"_id": "alice", "role": "member", "department": "sales", "team": "default", "active": True},
    {"_id": "bob", "role": "member", "department": "sales", "team": "default", "active": True},
    {"_id": "dora", "role": "member", "department": "sales", "team": "export-2", "active": True},
    {"_id": "mia", "role": "member", "department": "marketing", "team": None, "active": True},
]


def test_a_manager_sums_up_their_own_team_or_their_whole_department():
    assert team_of(PEOPLE[0], PEOPLE) == ["alice", "bob"]
    untied = {**PEOPLE[0], "team": None}
    assert team_of(untied, PEOPLE) == ["alice", "bob", "dora"]


def test_the_summary_is_made_once_its_local_hour_has_come():
    eight = time(8, 0)
    assert summary_day("Asia/Shanghai", eight, datetime(2026, 12, 3, 23, 59, tzinfo=UTC)) is None
    assert summary_day("Asia/Shanghai", eight, datetime(2026, 12, 4, 0, 0, tzinfo=UTC)) == date(2026, 12, 4)
    assert summary_id("meier", date(2026, 12, 4)) == "ntf_summary_meier_20261204"


def reminder(kind, user, due, customer="cus_1", **details):
    return {"kind": kind, "user_id": user, "due_at": due, "customer_id": customer, "details": details}


def test_the_summary_counts_overdue_reminders_per_person_and_names_customers_returning_soon():
    now = AT
    open_ = [
        reminder("first_touch", "alice", now - timedelta(hours=1)),
        reminder("follow_up", "alice", now - timedelta(days=2)),
        reminder("follow_up", "bob", now - timedelta(days=1)),
        reminder("follow_up", "bob", now + timedelta(days=1)),  # not yet due
        reminder(
            "recycling_warning",
            "bob",
            now - timedelta(days=1),
            "cus_7",  # told of, not overdue work
            returns_at=(now + timedelta(days=2)).isoformat(),
        ),
        reminder("recycling_warning", "alice", now, "cus_8", returns_at=(now + timedelta(days=9)).isoformat()),
    ]
    notice = manager_summary("meier", date(2026, 12, 4), open_, {"cus_7": "Acme GmbH"}, now, timedelta(days=3))
    assert notice["_id"] == "ntf_summary_meier_20261204" and notice["kind"] == "manager_summary"
    assert notice["details"]["overdue"] == [{"user_id": "alice", "count": 2}, {"user_id": "bob", "count": 1}]
    assert notice["details"]["recycling"] == [
        {
            "customer_id": "cus_7",
            "customer_name": "Acme GmbH",
            "owner_id": "bob",
            "returns_at": (now + timedelta(days=2)).isoformat(),
        }
    ]
    assert notice["title"] == "Team summary 2026-12-04: 3 overdue, 1 returning to the pool soon"
    assert "alice 2, bob 1" in notice["body"] and "Acme GmbH (bob, 2026-12-06)" in notice["body"]


def test_a_quiet_team_gets_a_summary_that_says_so():
    notice = manager_summary("meier", date(2026, 12, 4), [], {}, AT, timedelta(days=3))
    assert notice["body"] == "No overdue reminders.\nNo customer returns to the public pool within 3 days."


# --- the timeline ---------------------------------------------------------------------------------


def test_reminder_bookkeeping_is_left_out_unless_asked_for():
    default = timeline_kinds_asked(TimelineQuerySchema().load({}))
    assert not set(REMINDER_TIMELINE_KINDS) & set(default)
    assert {"handoff_submitted", "requirement_changed", "step_started", "handoff_accepted"} <= set(default)
    assert set(timeline_kinds_asked(TimelineQuerySchema().load({"include": "reminders"}))) == set(TIMELINE_KINDS)
    assert timeline_kinds_asked(TimelineQuerySchema().load({"kinds": " step_started, reminder_done"})) == (
        "step_started",
        "reminder_done",
    )


@pytest.mark.parametrize("query, field", [({"kinds": "step_started,coffee"}, "kinds"), ({"include": "all"}, "include")])
def test_an_unknown_kind_or_include_is_refused_naming_the_field(query, field):
    with pytest.raises(ValidationError) as refused:
        TimelineQuerySchema().load(query)
    assert field in refused.value.messages


SUBMITTED = {
    "handoff_id": "hnd_1",
    "kind": "marketing_to_sales",
    "customer_id": "cus_1",
    "from_user": "mia",
    "to_users": ["bob"],
    "info_pending": False,
    "pending_until": None,
    "missing": [],
    "submitted_at": AT,
    "attempt": 1,
}


def test_each_submission_is_one_entry_named_by_the_handoff_and_attempt():
    first = timeline.handoff_submitted(SUBMITTED)
    again = timeline.handoff_submitted({**SUBMITTED, "attempt": 2, "submitted_at": AT + HOUR})
    assert first["_id"] == "cus_1:handoff_submitted:hnd_1:1" and again["_id"] == "cus_1:handoff_submitted:hnd_1:2"
    assert first["summary"] == "Handoff marketing to sales submitted by mia to bob"
    assert again["summary"].startswith("Handoff marketing to sales submitted again")
    assert first["refs"] == {"handoff_id": "hnd_1", "attempt": "1"}
    assert first["details"]["to"] == ["bob"] and first["details"]["from"] == "mia"


CHANGE = {
    "change_id": "rqc_1",
    "customer_id": "cus_1",
    "field": "delivery_date",
    "before": "2027-01-15",
    "after": "2027-01-05",
    "by": "alice",
    "at": AT,
    "note": "deliver 10 days earlier",
    "source": "whatsapp",
    "order_id": "ord_1",
}


def test_a_requirement_change_names_before_after_and_note_but_never_a_prices_values():
    told = timeline.requirement_changed(CHANGE, priced=False)
    assert told["summary"] == (
        "Requirement delivery date: 2027-01-15 → 2027-01-05 by alice "
        "(deliver 10 days earlier); order ord_1 changed with it"
    )
    assert told["_id"] == "cus_1:requirement_changed:rqc_1"
    priced = timeline.requirement_changed({**CHANGE, "field": "target_price", "before": 10, "after": 9}, priced=True)
    assert priced["summary"] == "Requirement target price changed by alice"
    assert (priced["details"]["before"], priced["details"]["after"], priced["details"]["note"]) == (None, None, None)


def test_a_step_start_and_a_snooze_are_entries_of_their_own():
    step = timeline.step_started(
        {"customer_id": "cus_1", "step": "production_start", "department": "production", "by": "pete", "at": AT}
    )
    assert step["_id"] == "cus_1:step_started:production_start" and step["refs"] == {"step": "production_start"}
    snoozed = timeline.reminder_updated(
        {
            "reminder_id": "rem_1",
            "kind": "first_touch",
            "user_id": "alice",
            "customer_id": "cus_1",
            "change": "snoozed",
            "by": "alice",
            "at": AT,
            "until": AT + HOUR,
            "note": "travelling",
        }
    )
    assert snoozed["kind"] == "reminder_snoozed"
    assert snoozed["summary"] == (
        "Reminder first touch for alice snoozed by alice until 2026-12-04 03:30 UTC: travelling"
    )
    done = timeline.reminder_updated(
        {
            "reminder_id": "rem_1",
            "kind": "first_touch",
            "user_id": "alice",
            "customer_id": "cus_1",
            "change": "done",
            "by": "alice",
            "at": AT,
            "until": None,
            "note": None,
        }
    )
    assert done["kind"] == "reminder_done" and done["details"] == {
        "reminder_kind": "first_touch",
        "user": "alice",
        "by": "alice",
        "note": None,
    }
