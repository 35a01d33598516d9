"""What reminders, notices, inbox entries and timeline entries carry as data (``details``) beside
their English words, so a client can word them in the reader's language and time zone: people by
id, times in ISO 8601, never an amount — and JSON as it is."""

import json
from datetime import UTC, date, datetime, timedelta

from plugins.declarations import OutgoingMessage
from services.notification.delivering import InboxFiling
from services.notification.domain import reminders as rules
from services.notification.domain.follow_up import FollowedCustomer, follow_up_reminder, regrade_reminder
from services.notification.domain.notices import Preferences, digest_of, notice_of
from services.notification.settings import ReminderSettingsSchema
from services.profile.domain import timeline
from tests.conftest import load_config_file

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
POLICY = ReminderSettingsSchema().load(load_config_file()["BATON"]["reminders"])
PREFS = Preferences("bob", "Asia/Shanghai", None, None, False, None, ("inbox",), {}, {})


def submitted(info_pending=True):
    return {
        "handoff_id": "hof_1",
        "kind": "sales_to_service",
        "customer_id": "cus_1",
        "from_user": "alice",
        "to_users": ["bob"],
        "info_pending": info_pending,
        "pending_until": AT + timedelta(days=3) if info_pending else None,
        "missing": ["special_requirements_marked", "solution_offered"] if info_pending else [],
        "submitted_at": AT,
    }


def contact(method="phone"):
    return {
        "customer_id": "cus_1",
        "record_id": "com_1",
        "owner_id": "alice",
        "at": AT,
        "recorded_at": AT,
        "method": method,
        "by": "alice",
        "result": "no answer",
        "answered": False,
        "next_follow_up_at": None,
    }


def as_json(details):
    """Details as the API sends them: plain JSON, no datetime objects."""
    return json.loads(json.dumps(details))


def test_handoff_reminders_carry_the_kind_the_sender_and_the_times():
    made = {r["kind"]: r for r in rules.handoff_submitted(POLICY, submitted())}
    for kind in ("handoff_waiting", "handoff_acceptance", "info_pending"):
        assert as_json(made[kind]["details"]) == {
            "handoff_id": "hof_1",
            "kind": "sales_to_service",
            "from_user": "alice",
            "missing": "special_requirements_marked, solution_offered",
            "info_pending": True,
            "pending_until": "2026-11-23T09:30:00+00:00",
            "submitted_at": "2026-11-20T09:30:00+00:00",
        }
    plain = rules.handoff_submitted(POLICY, submitted(info_pending=False))[0]["details"]
    assert (plain["info_pending"], plain["pending_until"], plain["missing"]) == (False, None, "")


def test_returned_and_withdrawn_handoffs_name_their_kind_and_who():
    returned = rules.handoff_returned(
        {
            "handoff_id": "hof_1",
            "kind": "sales_to_service",
            "customer_id": "cus_1",
            "by": "bob",
            "from_user": "alice",
            "reasons": ["no voltage", "no phone"],
            "at": AT,
        }
    )
    assert returned["details"] == {
        "handoff_id": "hof_1",
        "by": "bob",
        "reasons": "no voltage; no phone",
        "kind": "sales_to_service",
    }
    withdrawn = rules.handoff_withdrawn(
        {
            "handoff_id": "hof_1",
            "kind": "repair_case",
            "customer_id": "cus_1",
            "by": "alice",
            "from_user": "alice",
            "to_users": ["bob"],
            "reason": "wrong",
            "at": AT,
        }
    )[0]
    assert withdrawn["details"] == {"handoff_id": "hof_1", "by": "alice", "reason": "wrong", "kind": "repair_case"}


def test_contacts_name_their_method():
    assert rules.second_touch(POLICY, contact())["details"] == {
        "record_id": "com_1",
        "contact_at": "2026-11-20T09:30:00+00:00",
        "method": "phone",
    }
    assert rules.meeting_minutes(POLICY, contact("meeting"))["details"]["method"] == "meeting"


def test_a_stalled_allocation_lists_each_person_and_their_reasons():
    stall = {
        "customer_id": "cus_1",
        "team": "default",
        "department": "sales",
        "at": AT,
        "reasons": {"bob": ["on leave"], "alice": ["weight is 0 (receives no new customers)", "on leave"]},
    }
    details = rules.allocation_stalled(stall, ["manager"])[0]["details"]
    assert details["by_person"] == [
        {"person": "alice", "reasons": ["weight is 0 (receives no new customers)", "on leave"]},
        {"person": "bob", "reasons": ["on leave"]},
    ]
    assert details["team"] == "default"


def test_a_follow_up_says_why_as_data():
    customer = FollowedCustomer("cus_1", owner_id="alice", intent_grade="A", stage="quoted", last_follow_up_at=AT)
    details = follow_up_reminder(POLICY, customer, AT)["details"]
    assert details["last_contact_at"] == AT.isoformat()
    assert details["why"]  # the English words stay
    # the shortest cadence wins: intent grade A (3 days) ties with an active stage (3 days): either says so
    assert details["basis"] in ("intent_grade", "active_stage")
    assert details["every_hours"] == 72
    planned = FollowedCustomer(
        "cus_1",
        owner_id="alice",
        intent_grade="C",
        last_follow_up_at=AT,
        next_follow_up_at=AT + timedelta(days=5),
        planned_at=AT,
    )
    assert follow_up_reminder(POLICY, planned, AT)["details"]["basis"] == "planned"
    value = FollowedCustomer(
        "cus_1", owner_id="alice", value_grade="B", stage="customer", deal_closed=True, last_follow_up_at=AT
    )
    assert follow_up_reminder(POLICY, value, AT)["details"] == {
        "why": "cadence of value grade B",
        "last_contact_at": AT.isoformat(),
        "basis": "value_grade",
        "grade": "B",
        "every_hours": 14 * 24,
    }
    lost = FollowedCustomer("cus_1", owner_id="alice", stage="lost", last_follow_up_at=AT)
    assert follow_up_reminder(POLICY, lost, AT)["details"]["basis"] == "win_back"


def test_a_regrade_names_the_grades_it_reviews():
    customer = FollowedCustomer(
        "cus_1", owner_id="alice", intent_grade="B", value_grade="C", stage="quoted", graded_at=AT
    )
    assert regrade_reminder(POLICY, customer, AT)["details"] == {
        "graded_at": AT.isoformat(),
        "intent_grade": "B",
        "value_grade": "C",
    }


def test_a_notice_and_its_inbox_entry_keep_the_reminders_details():
    reminder = rules.handoff_submitted(POLICY, submitted())[0]
    notice = notice_of(reminder, PREFS, AT, customer_name="Acme GmbH")
    assert notice["details"] == reminder["details"]
    assert notice["details"] is not reminder["details"]  # a copy: the notice is stored on its own

    class Outbox:
        def __init__(self):
            self.notices, self.inbox = {notice["_id"]: notice}, []

        def notice(self, notice_id):
            return self.notices.get(notice_id)

        def file_in_inbox(self, entry):
            self.inbox.append(entry)

    outbox = Outbox()
    message = OutgoingMessage(
        notice["_id"], "bob", notice["kind"], notice["title"], notice["body"], "cus_1", notice["due_at"], AT
    )
    InboxFiling(outbox).put(message)
    assert outbox.inbox[0]["details"] == reminder["details"]
    # a message of no stored notice (a digest's own, a channel's test) files {}
    InboxFiling(outbox).put(OutgoingMessage("ntf_other", "bob", "digest", "t", "b", None, None, AT))
    assert outbox.inbox[1]["details"] == {}


def test_a_digest_has_no_details():
    notice = notice_of(rules.handoff_submitted(POLICY, submitted())[0], PREFS, AT)
    digest = digest_of({"_id": "dig_bob_20261120", "user_id": "bob", "due_at": AT}, [notice], PREFS, AT)
    assert digest["details"] == {}


# --- the timeline ------------------------------------------------------------------------------


def test_timeline_entries_say_who_and_when_as_data():
    due = AT + timedelta(days=3)
    assert timeline.reminder_scheduled("cus_1", "rem_1", "first_touch", "alice", due, AT)["details"] == {
        "reminder_kind": "first_touch",
        "user": "alice",
        "due_at": "2026-11-23T09:30:00+00:00",
    }
    assert timeline.owner_assigned("cus_1", "alice", "default", "weighted round-robin", AT)["details"] == {
        "owner": "alice",
        "team": "default",
        "reason": "weighted round-robin",
    }
    assert timeline.handoff_accepted("cus_1", "hof_1", "sales_to_service", "sam", AT, "alice", None)["details"] == {
        "kind": "sales_to_service",
        "by": "sam",
        "from": "alice",
        "new_owner": None,
    }
    assert timeline.recycling_warned("cus_1", "alice", "no follow-up recorded for 30 days", due, AT)["details"] == {
        "owner": "alice",
        "returns_at": "2026-11-23T09:30:00+00:00",
        "reason": "no follow-up recorded for 30 days",
    }
    assert timeline.returned_to_pool("cus_1", "public_pool", "alice", "released: no budget", "alice", AT)[
        "details"
    ] == {"state": "public_pool", "previous_owner": "alice", "by": "alice", "reason": "released: no budget"}
    assert timeline.collaborators_changed("cus_1", ["sam", "bob"], "alice", AT)["details"] == {
        "collaborators": ["sam", "bob"],
        "by": "alice",
    }
    assert timeline.stage_changed("cus_1", "inquiry", "quoted", "alice", "quote recorded", AT)["details"] == {
        "before": "inquiry",
        "after": "quoted",
        "by": "alice",
        "reason": "quote recorded",
    }
    assert timeline.group_linked("cus_1", "grp_1", "Acme Group", "cus_2", "alice", AT)["details"] == {
        "group_id": "grp_1",
        "group_name": "Acme Group",
        "other": "cus_2",
        "by": "alice",
    }
    assert timeline.group_left("cus_1", "grp_1", "alice", AT)["details"] == {"group_id": "grp_1", "by": "alice"}
    assert timeline.flagged_for_review("cus_1", ["cus_2", "cus_3"], AT)["details"] == {"candidates": ["cus_2", "cus_3"]}


def test_the_archive_opened_and_its_inquiries_as_data():
    archive = {"_id": "cus_1", "created_at": AT, "intent_grade": {"grade": "A", "reasons": ["quantity named"]}}
    assert timeline.customer_created(archive, "inq_1")["details"] == {
        "inquiry_id": "inq_1",
        "intent_grade": "A",
        "grade_reasons": ["quantity named"],
    }
    assert timeline.customer_created({**archive, "intent_grade": None}, "inq_1")["details"]["intent_grade"] is None
    inquiry = {"channel": "website_form", "campaign": "spring", "message": "We need 2,000 panels."}
    assert timeline.inquiry_received("cus_1", "inq_1", inquiry, AT, "email")["details"] == {
        "channel": "website_form",
        "campaign": "spring",
        "matched_on": "email",
        "message": "We need 2,000 panels.",
    }


def test_a_contact_record_as_data_with_how_late_it_was_written():
    record = {
        "id": "com_1",
        "at": AT,
        "method": "phone",
        "by": "alice",
        "summary": "called, quote sent",
        "customer_words": "send it today",
        "recorded_late": True,
        "recorded_after_minutes": 190,
    }
    details = timeline.communication_recorded("cus_1", record, timedelta(minutes=60))["details"]
    assert details == {
        "method": "phone",
        "by": "alice",
        "note": "called, quote sent",
        "customer_words": "send it today",
        "late_minutes": 190,
        "within_minutes": 60,
    }
    on_time = timeline.communication_recorded("cus_1", {**record, "recorded_late": False, "customer_words": None})
    assert (on_time["details"]["late_minutes"], on_time["details"]["customer_words"]) == (None, None)


def test_merges_gradings_and_updates_as_data():
    merged = timeline.customers_merged("cus_1", {"_id": "cus_2", "company": "Acme", "owner_id": "bob"}, "alice", AT)
    assert merged["details"] == {"absorbed_id": "cus_2", "company": "Acme", "owner": "bob", "by": "alice"}
    graded = timeline.graded("cus_1", "intent B → A", "alice", "budget confirmed", AT, fields=["intent_grade"])
    assert graded["details"] == {
        "by": "alice",
        "grades": [{"grade": "intent_grade", "before": "B", "after": "A"}],
        "reason": "budget confirmed",
    }
    updated = timeline.details_updated("cus_1", {"city": (None, "Berlin"), "target_price": (4.2, 3.9)}, "alice", AT)
    assert updated["details"] == {
        "by": "alice",
        "changes": [{"field": "city", "change": "— → Berlin"}, {"field": "target_price", "change": "changed"}],
    }


def test_a_value_grading_carries_no_reason_and_steps_carry_no_amount():
    graded = timeline.graded(
        "cus_1", "value — → B", "value_grading", "orders of the last 365 days: 340,800 CNY", AT, fields=["value_grade"]
    )
    assert graded["details"] == {
        "by": "value_grading",
        "grades": [{"grade": "value_grade", "before": None, "after": "B"}],
        "reason": None,
    }
    assert "340" not in json.dumps(graded["details"])
    quote = timeline.step_recorded(
        "cus_1",
        "quotes",
        {
            "id": "quo_1",
            "at": AT,
            "by": "alice",
            "product": "LED panel",
            "unit_price": 4.2,
            "currency": "USD",
            "quantity": 2000,
            "valid_until": AT + timedelta(days=30),
        },
    )
    assert quote["details"] == {
        "by": "alice",
        "product": "LED panel",
        "quantity": 2000,
        "valid_until": "2026-12-20T09:30:00+00:00",
    }
    order = timeline.step_recorded(
        "cus_1",
        "orders",
        {
            "id": "ord_1",
            "at": AT,
            "by": "alice",
            "amount": 61770.0,
            "currency": "CNY",
            "products": ["LP-6060"],
            "delivery_date": date(2027, 2, 20).isoformat(),
            "payment_method": "T/T",
        },
    )
    assert order["details"] == {
        "by": "alice",
        "products": ["LP-6060"],
        "delivery_date": "2027-02-20",
        "payment_method": "T/T",
    }
    for entry in (graded, quote, order):
        text = json.dumps(entry["details"])
        assert "4.2" not in text and "61770" not in text and "CNY" not in text and "USD" not in text
