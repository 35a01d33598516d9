"""The follow-up SOP as pure rules: who is reminded of what, by when, and what closes it."""

from datetime import UTC, datetime, timedelta

from services.notification.domain import reminders as rules
from services.notification.domain.reminders import ReminderPolicy, first_touch
from services.notification.domain.satisfying import (
    closed_by_acceptance,
    closed_by_allocation,
    closed_by_contact,
    closed_by_handoff_return,
    closed_by_info_completed,
    closed_by_merge,
    closed_by_return,
    closed_by_withdrawal,
)
from services.notification.settings import ReminderSettingsSchema
from tests.conftest import load_config_file

ASSIGNED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
POLICY = ReminderSettingsSchema().load(load_config_file()["BATON"]["reminders"])


def contact(record_id="com_1", at=ASSIGNED, method="phone", answered=True, by="alice", **extra):
    return {
        "customer_id": "cus_1",
        "record_id": record_id,
        "owner_id": "alice",
        "at": at,
        "recorded_at": at,
        "method": method,
        "by": by,
        "result": None,
        "answered": answered,
        "next_follow_up_at": None,
        **extra,
    }


def submitted(info_pending=False, to_users=("bob", "carol")):
    return {
        "handoff_id": "hof_1",
        "kind": "sales_to_service",
        "customer_id": "cus_1",
        "from_user": "alice",
        "to_users": list(to_users),
        "info_pending": info_pending,
        "pending_until": ASSIGNED + timedelta(days=3) if info_pending else None,
        "missing": ["special_requirements_marked"] if info_pending else [],
        "submitted_at": ASSIGNED,
    }


def by_kind(reminders):
    return {(r["kind"], r["user_id"]): r for r in reminders}


def test_the_shipped_configuration_carries_the_domain_defaults():
    assert POLICY.first_touch_within == timedelta(days=3)
    assert POLICY.second_touch_after == timedelta(days=7)
    assert POLICY.update_every == timedelta(days=3)
    assert POLICY.minutes_within == timedelta(hours=24)
    assert {g: d.days for g, d in POLICY.intent_cadence.items()} == {"A": 3, "B": 14, "C": 30}
    assert POLICY.win_back_every == timedelta(days=90)
    assert POLICY.managers_of("any team") == ("manager",)


def test_first_touch_is_due_within_the_configured_window():
    reminder = first_touch(ReminderPolicy(first_touch_within=timedelta(days=3)), "cus_1", "alice", ASSIGNED)
    assert reminder["due_at"] == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert (reminder["user_id"], reminder["customer_id"], reminder["status"]) == ("alice", "cus_1", "pending")
    assert "2026-11-23 09:30" in reminder["message"]


def test_the_window_is_policy_not_a_constant():
    reminder = first_touch(ReminderPolicy(first_touch_within=timedelta(hours=12)), "cus_1", "alice", ASSIGNED)
    assert reminder["due_at"] == ASSIGNED + timedelta(hours=12)


def test_the_id_comes_from_the_cause_so_redelivery_names_the_same_reminder():
    policy = ReminderPolicy(first_touch_within=timedelta(days=3))
    assert (
        first_touch(policy, "cus_1", "alice", ASSIGNED)["_id"] == first_touch(policy, "cus_1", "alice", ASSIGNED)["_id"]
    )
    # a later allocation (back from the pool, to someone else) is a new first touch
    assert (
        first_touch(policy, "cus_1", "bob", ASSIGNED + timedelta(days=30))["_id"]
        != first_touch(policy, "cus_1", "alice", ASSIGNED)["_id"]
    )


def test_an_unanswered_contact_asks_for_a_second_touch_within_seven_days():
    reminder = rules.second_touch(POLICY, contact(answered=False))
    assert (reminder["kind"], reminder["user_id"], reminder["due_at"]) == (
        "second_touch",
        "alice",
        ASSIGNED + timedelta(days=7),
    )


def test_a_meeting_asks_whoever_met_for_minutes_within_24_hours_and_other_methods_do_not():
    minutes = rules.meeting_minutes(POLICY, contact(method="meeting", by="dora"))
    assert (minutes["user_id"], minutes["due_at"]) == ("dora", ASSIGNED + timedelta(hours=24))
    assert rules.meeting_minutes(POLICY, contact(method="phone")) is None


def test_a_contact_completes_first_touch_earlier_second_touches_and_warnings():
    open_ = [
        first_touch(POLICY, "cus_1", "alice", ASSIGNED),
        rules.second_touch(POLICY, contact("com_0", answered=False)),
        rules.recycling_warning(
            {
                "customer_id": "cus_1",
                "owner_id": "alice",
                "reason": "no follow-up for 12 days",
                "due_at": ASSIGNED + timedelta(days=3),
                "warned_at": ASSIGNED,
            }
        ),
    ]
    later = contact("com_2", at=ASSIGNED + timedelta(days=1))
    assert {c.status for c in closed_by_contact(POLICY, later, open_)} == {"done"}
    assert len(closed_by_contact(POLICY, later, open_)) == 3
    # the unanswered contact itself does not complete the second touch it asked for
    same = contact("com_0", answered=False)
    assert [c.reminder_id for c in closed_by_contact(POLICY, same, open_[1:2])] == []


def test_minutes_are_sent_by_a_later_mail_from_whoever_met():
    minutes = rules.meeting_minutes(POLICY, contact(method="meeting", by="dora"))
    mail = contact("com_9", at=ASSIGNED + timedelta(hours=5), method="email", by="dora")
    assert [c.reason for c in closed_by_contact(POLICY, mail, [minutes])][0].startswith("minutes sent by email")
    assert closed_by_contact(POLICY, {**mail, "by": "alice"}, [minutes]) == []
    assert closed_by_contact(POLICY, {**mail, "method": "phone"}, [minutes]) == []


def test_a_customer_leaving_its_owner_cancels_only_their_reminders():
    open_ = [first_touch(POLICY, "cus_1", "alice", ASSIGNED), *rules.handoff_submitted(POLICY, submitted())]
    closings = closed_by_return({"previous_owner_id": "alice", "reason": "recycled"}, open_)
    assert [c.reminder_id for c in closings] == [open_[0]["_id"]]
    assert closings[0].status == "cancelled" and "recycled" in closings[0].reason


def test_allocation_completes_the_managers_notice_and_a_merge_cancels_everything():
    stalled = rules.allocation_stalled(
        {"customer_id": "cus_1", "team": "export", "reasons": {"alice": ["on leave"]}, "at": ASSIGNED}, ("manager",)
    )
    assert [(r["user_id"], r["kind"]) for r in stalled] == [("manager", "allocation_stalled")]
    assert "alice: on leave" in stalled[0]["message"]
    assert [c.status for c in closed_by_allocation("bob", stalled)] == ["done"]
    assert [c.status for c in closed_by_merge({"kept_id": "cus_2"}, stalled)] == ["cancelled"]


def test_a_repeated_stall_names_the_same_reminder_so_it_collapses():
    first = rules.allocation_stalled({"customer_id": "cus_1", "team": "t", "reasons": {}, "at": ASSIGNED}, ("max",))[0]
    again = rules.allocation_stalled(
        {"customer_id": "cus_1", "team": "t", "reasons": {}, "at": ASSIGNED + timedelta(hours=1)}, ("max",)
    )[0]
    assert first["_id"] == again["_id"] and first["occurrences"] != again["occurrences"]


def test_a_stall_is_told_to_the_team_s_managers_then_the_department_s_then_the_configured_ones():
    policy = ReminderPolicy(first_touch_within=timedelta(days=3), managers={"default": ("cfg",), "export": ("cfg_x",)})
    stall = {"customer_id": "cus_1", "team": "export"}
    directory = [("max", "export"), ("mo", "export"), ("lee", None), ("ida", "import")]
    assert rules.managers_to_tell(policy, stall, directory) == ("max", "mo")
    assert rules.managers_to_tell(policy, stall, directory[2:]) == ("lee",)
    assert rules.managers_to_tell(policy, stall, directory[3:]) == ("cfg_x",)
    assert rules.managers_to_tell(policy, {"team": "asia"}, []) == ("cfg",)


def test_a_submitted_handoff_tells_each_receiver_at_once_and_reminds_them_after_the_window():
    made = by_kind(rules.handoff_submitted(POLICY, submitted(to_users=("bob", "carol", "bob"))))
    assert set(made) == {
        ("handoff_waiting", "bob"),
        ("handoff_waiting", "carol"),
        ("handoff_acceptance", "bob"),
        ("handoff_acceptance", "carol"),
    }
    assert made[("handoff_waiting", "bob")]["due_at"] == ASSIGNED
    assert made[("handoff_acceptance", "bob")]["due_at"] == ASSIGNED + timedelta(hours=24)
    assert made[("handoff_waiting", "bob")]["subject_id"] == "hof_1"


def test_an_info_pending_deadline_is_on_both_sides_and_completing_the_info_closes_it():
    made = rules.handoff_submitted(POLICY, submitted(info_pending=True))
    deadlines = [r for r in made if r["kind"] == "info_pending"]
    assert sorted(r["user_id"] for r in deadlines) == ["alice", "bob", "carol"]
    assert {r["due_at"] for r in deadlines} == {ASSIGNED + timedelta(days=3)}
    assert "special_requirements_marked" in deadlines[0]["message"]
    assert sorted(c.reminder_id for c in closed_by_info_completed(made)) == sorted(r["_id"] for r in deadlines)


def test_signing_closes_the_signers_reminders_and_completion_closes_everyones():
    made = rules.handoff_submitted(POLICY, submitted(info_pending=True))
    accepted = {"by": "bob", "at": ASSIGNED, "complete": False}
    assert {
        (r["user_id"], r["kind"])
        for r in made
        if r["_id"] in {c.reminder_id for c in closed_by_acceptance(accepted, made)}
    } == {("bob", "handoff_waiting"), ("bob", "handoff_acceptance")}
    complete = closed_by_acceptance({**accepted, "complete": True}, made)
    assert len(complete) == 4 and not any(
        r["kind"] == "info_pending" for r in made if r["_id"] in {c.reminder_id for c in complete}
    )


def test_a_returned_handoff_tells_the_sender_why_and_cancels_what_it_asked_of_others():
    returned = {
        "handoff_id": "hof_1",
        "kind": "sales_to_service",
        "customer_id": "cus_1",
        "by": "bob",
        "from_user": "alice",
        "reasons": ["fewer than 3 communications", "intent level empty"],
        "at": ASSIGNED,
    }
    told = rules.handoff_returned(returned)
    assert (told["user_id"], told["due_at"]) == ("alice", ASSIGNED)
    assert "fewer than 3 communications; intent level empty" in told["message"]
    made = rules.handoff_submitted(POLICY, submitted(info_pending=True))
    assert len(closed_by_handoff_return(returned, made)) == len(made)


def test_a_withdrawn_handoff_tells_each_receiver_why_and_cancels_what_it_asked_of_them():
    withdrawn = {
        "handoff_id": "hof_1",
        "kind": "sales_to_service",
        "customer_id": "cus_1",
        "by": "alice",
        "from_user": "alice",
        "to_users": ["bob", "carol"],
        "reason": "the order was cancelled",
        "at": ASSIGNED,
    }
    told = rules.handoff_withdrawn(withdrawn)
    assert [(r["user_id"], r["kind"], r["due_at"]) for r in told] == [
        ("bob", "handoff_withdrawn", ASSIGNED),
        ("carol", "handoff_withdrawn", ASSIGNED),
    ]
    assert (
        "alice withdrew the sales to service handoff of customer cus_1: the order was cancelled." in told[0]["message"]
    )
    made = rules.handoff_submitted(POLICY, submitted(info_pending=True))
    assert len(closed_by_withdrawal(withdrawn, made)) == len(made)


def test_a_requirement_change_tells_each_user_once():
    change = {
        "change_id": "chg_1",
        "customer_id": "cus_1",
        "field": "delivery_date",
        "before": "2026-12-20",
        "after": "2026-12-10",
        "by": "alice",
        "at": ASSIGNED,
        "notify_users": ["bob", "carol", "bob"],
    }
    told = rules.requirement_changed(change)
    assert [r["user_id"] for r in told] == ["bob", "carol"]
    assert "delivery date of customer cus_1: 2026-12-20 → 2026-12-10" in told[0]["message"]


def test_a_requirement_change_reaches_the_owners_manager_with_its_note_and_order():
    change = {
        "change_id": "chg_2",
        "customer_id": "cus_1",
        "field": "delivery_date",
        "before": "2027-01-15",
        "after": "2027-01-05",
        "by": "sam",
        "at": ASSIGNED,
        "notify_users": ["alice", "pete"],
        "note": "deliver 10 days earlier",
        "source": "whatsapp",
        "order_id": "ord_1",
        "owner_id": "alice",
    }
    told = rules.requirement_changed(change, managers=("meier", "alice", "sam"))
    assert [r["user_id"] for r in told] == ["alice", "pete", "meier"]  # once each, never who changed it
    assert told[0]["details"] == {
        "field": "delivery_date",
        "before": "2027-01-15",
        "after": "2027-01-05",
        "by": "sam",
        "note": "deliver 10 days earlier",
        "source": "whatsapp",
        "order_id": "ord_1",
    }
    assert "2027-01-15 → 2027-01-05 (deliver 10 days earlier). Order ord_1 changed with it." in told[0]["message"]
    priced = rules.requirement_changed({**change, "field": "target_price", "note": "we cut it by 5%"}, ("meier",))
    assert priced[0]["details"]["note"] is None and "5%" not in priced[0]["message"]


def test_the_owners_managers_are_their_teams_else_their_departments_untied_ones():
    def person(user_id, role="member", department="sales", team="default", active=True):
        return {"_id": user_id, "role": role, "department": department, "team": team, "active": active}

    alice = person("alice")
    people = [
        alice,
        person("meier", "manager"),
        person("old", "manager", active=False),
        person("other", "manager", team="export-2"),
        person("head", "manager", team=None),
        person("svc", "manager", department="service", team="default"),
    ]
    assert rules.owners_managers(alice, people) == ("meier",)
    assert rules.owners_managers(alice, [p for p in people if p["_id"] != "meier"]) == ("head",)
    assert rules.owners_managers(None, people) == ()
    assert rules.owners_managers(person("mia", department=None), people) == ()
