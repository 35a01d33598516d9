"""The handoff state machine: submit, info pending, sign, return, resubmit — history kept, events
in the outbox of the same write."""

from datetime import UTC, datetime, timedelta

import pytest

from services.handoff.domain import outbox
from services.handoff.domain.checklists import Item
from services.handoff.domain.handoffs import (
    ACCEPTED,
    INFO_PENDING,
    RESUBMITTED,
    RETURNED,
    SUBMITTED,
    WITHDRAWN,
    ChecklistFailed,
    Deadline,
    Draft,
    Receivers,
    acknowledge,
    complete_info,
    is_overdue,
    open_handoff,
    resubmit,
    return_to_sender,
    withdraw,
)
from services.handoff.domain.kinds import NOBODY_SIGNS, OWNER_UNCHANGED, SYSTEM, KindSpec, NotAllowed

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = Deadline(days=3, most_days=30)
PASSED = [Item("source_recorded", True, "source: website_form"), Item("need_is_specific", True, "need: 2,000 pcs")]
FAILED = [Item("source_recorded", True, "source: website_form"), Item("need_is_specific", False, "vague")]
TO_SALES = KindSpec("marketing_to_sales", ("marketing",), ("sales",), ("source_recorded", "need_is_specific"))
TEAM = KindSpec(
    "high_value_team",
    ("sales",),
    ("sales", "tech", "service"),
    (),
    min_receivers=2,
    max_receivers=5,
    sender_collaborates=True,
)


def draft(spec=TO_SALES, receivers=("alice",), new_owner="alice", collaborators=()):
    return Draft(
        "hof_1",
        spec,
        "cus_1",
        "mia",
        "mia",
        receivers,
        new_owner,
        collaborators,
        {"mia": "marketing", "alice": "sales"},
        {"notes": "met at the fair"},
        {"notes": "met at the fair"},
    )


def submitted(spec=TO_SALES, items=PASSED, pending=False, until=None, **parties):
    return open_handoff(draft(spec, **parties), items, pending, until, AT - timedelta(hours=5), DEADLINE, AT)


def events(doc):
    return [(e["name"], e["payload"]) for e in doc["outbox"]]


def later(hours):
    return AT + timedelta(hours=hours)


def test_a_complete_handoff_is_submitted_and_announced():
    doc = submitted()
    assert (doc["state"], doc["attempt"], doc["awaiting"], doc["missing"]) == (SUBMITTED, 1, ["alice"], [])
    [(name, payload)] = events(doc)
    assert name == "handoff_submitted"
    assert payload == {
        "handoff_id": "hof_1",
        "kind": "marketing_to_sales",
        "customer_id": "cus_1",
        "attempt": 1,
        "from_user": "mia",
        "to_users": ["alice"],
        "info_pending": False,
        "pending_until": None,
        "missing": [],
        "submitted_at": AT,
        "owner_id": None,
    }
    assert doc["outbox_since"] == AT and doc["history"][0]["action"] == "submitted"


def test_a_failing_checklist_is_refused_unless_info_pending_is_asked_for():
    with pytest.raises(ChecklistFailed) as refused:
        submitted(items=FAILED)
    assert str(refused.value) == "missing: need_is_specific"
    doc = submitted(items=FAILED, pending=True)
    assert (doc["state"], doc["pending_until"], doc["missing"]) == (
        INFO_PENDING,
        AT + timedelta(days=3),
        ["need_is_specific"],
    )
    assert events(doc)[0][1]["info_pending"] is True and events(doc)[0][1]["pending_until"] == AT + timedelta(days=3)


def test_a_kind_may_forbid_info_pending():
    strict = KindSpec("strict", ("marketing",), ("sales",), (), info_pending=False)
    with pytest.raises(ChecklistFailed) as refused:
        submitted(spec=strict, items=FAILED, pending=True)
    assert refused.value.pending_allowed is False


def test_the_sender_may_set_the_deadline_within_limits():
    assert submitted(items=FAILED, pending=True, until=later(2))["pending_until"] == later(2)
    for wrong in (AT, AT + timedelta(days=31)):
        with pytest.raises(NotAllowed):
            submitted(items=FAILED, pending=True, until=wrong)


def test_info_pending_blocks_signing_until_completed_and_then_it_waits_for_signatures():
    doc = submitted(items=FAILED, pending=True)
    with pytest.raises(NotAllowed, match="missing: need_is_specific"):
        acknowledge(doc, "alice", None, later(1))
    assert complete_info(doc, FAILED, later(1)) is None  # nothing changed
    done = complete_info(doc, PASSED, later(2), {"pain_points": ["late"]}, {"view": "fresh"})
    assert (done["state"], done["missing"], done["info_completed_late"]) == (SUBMITTED, [], False)
    assert (done["written"], done["package"]) == ({"pain_points": ["late"]}, {"view": "fresh"})
    assert events(done)[-1] == (
        "handoff_info_completed",
        {"handoff_id": "hof_1", "kind": "marketing_to_sales", "customer_id": "cus_1", "attempt": 1, "at": later(2)},
    )


def test_overdue_when_the_deadline_passes_and_late_completion_is_remembered():
    doc = submitted(items=FAILED, pending=True)
    assert not is_overdue(doc, later(71)) and is_overdue(doc, later(73))
    assert complete_info(doc, PASSED, later(80))["info_completed_late"] is True


def test_the_receiver_signs_and_the_handoff_is_accepted_with_the_new_owner():
    doc = acknowledge(submitted(collaborators=("mia",)), "alice", "read it", later(1))
    assert (doc["state"], doc["accepted_at"], doc["awaiting"]) == (ACCEPTED, later(1), [])
    name, payload = events(doc)[-1]
    assert name == "handoff_accepted" and payload["complete"] is True
    assert (payload["by"], payload["new_owner_id"], payload["collaborators"]) == ("alice", "alice", ["mia"])
    assert acknowledge(doc, "alice", None, later(2)) is None  # signing twice changes nothing


def test_a_team_handoff_waits_for_the_last_acknowledgement():
    doc = submitted(spec=TEAM, receivers=("bob", "tom", "sam"), new_owner="bob", collaborators=("mia", "tom", "sam"))
    doc = acknowledge(doc, "tom", None, later(1))
    doc = acknowledge(doc, "bob", None, later(2))
    assert (doc["state"], doc["awaiting"]) == (SUBMITTED, ["sam"])
    partial = [p for n, p in events(doc) if n == "handoff_accepted"]
    assert [(p["by"], p["complete"], p["new_owner_id"]) for p in partial] == [
        ("tom", False, None),
        ("bob", False, None),
    ]
    doc = acknowledge(doc, "sam", None, later(3))
    assert doc["state"] == ACCEPTED and events(doc)[-1][1]["new_owner_id"] == "bob"
    with pytest.raises(NotAllowed, match="not a receiver"):
        acknowledge(doc, "carol", None, later(4))


def test_a_return_keeps_the_history_and_a_resubmission_starts_a_new_attempt():
    doc = acknowledge(submitted(spec=TEAM, receivers=("bob", "tom"), new_owner="bob"), "tom", None, later(1))
    doc = return_to_sender(doc, "bob", ["the machine's tolerance is not recorded"], later(2))
    assert (doc["state"], doc["acknowledgements"], doc["awaiting"]) == (RETURNED, [], [])
    assert events(doc)[-1] == (
        "handoff_returned",
        {
            "handoff_id": "hof_1",
            "kind": "high_value_team",
            "customer_id": "cus_1",
            "attempt": 1,
            "by": "bob",
            "from_user": "mia",
            "reasons": ["the machine's tolerance is not recorded"],
            "at": later(2),
        },
    )
    assert return_to_sender(doc, "bob", ["the machine's tolerance is not recorded"], later(3)) is None
    with pytest.raises(NotAllowed, match="returned"):
        acknowledge(doc, "tom", None, later(3))
    with pytest.raises(NotAllowed, match="Only the sender"):
        resubmit(doc, "bob", PASSED, {}, {}, False, None, DEADLINE, "k1", later(4), True)
    written = {"notes": "tolerance ±0.01 mm"}
    again = resubmit(doc, "mia", PASSED, written, {"view": 2}, False, None, DEADLINE, "k1", later(4), True)
    assert (again["state"], again["attempt"], again["awaiting"], again["written"], again["package"]) == (
        RESUBMITTED,
        2,
        ["bob", "tom"],
        written,
        {"view": 2},
    )
    assert [h["action"] for h in again["history"]] == ["submitted", "signed", "returned", "resubmitted"]
    assert events(again)[-1][1]["attempt"] == 2
    assert resubmit(again, "mia", PASSED, written, {}, False, None, DEADLINE, "k1", later(5), True) is None
    with pytest.raises(NotAllowed, match="Only a returned handoff"):
        resubmit(again, "mia", PASSED, written, {}, False, None, DEADLINE, "k2", later(5), True)


def test_an_accepted_handoff_cannot_be_returned():
    doc = acknowledge(submitted(), "alice", None, later(1))
    with pytest.raises(NotAllowed, match="accepted"):
        return_to_sender(doc, "alice", ["too late"], later(2))


def test_the_sender_withdraws_a_handoff_not_yet_accepted_and_the_receivers_are_told():
    doc = withdraw(submitted(items=FAILED, pending=True), "mia", "alice is on leave until May", later(1))
    assert (doc["state"], doc["awaiting"], doc["withdrawn_at"]) == (WITHDRAWN, [], later(1))
    assert not is_overdue(doc, later(100))
    assert doc["history"][-1] | {"at": None} == {
        "at": None,
        "action": "withdrawn",
        "by": "mia",
        "attempt": 1,
        "note": "alice is on leave until May",
    }
    assert events(doc)[-1] == (
        "handoff_withdrawn",
        {
            "handoff_id": "hof_1",
            "kind": "marketing_to_sales",
            "customer_id": "cus_1",
            "attempt": 1,
            "by": "mia",
            "from_user": "mia",
            "to_users": ["alice"],
            "reason": "alice is on leave until May",
            "at": later(1),
        },
    )
    assert withdraw(doc, "mia", "again", later(2)) is None
    with pytest.raises(NotAllowed, match="withdrawn"):
        acknowledge(doc, "alice", None, later(2))
    with pytest.raises(NotAllowed, match="waiting for its receivers"):
        return_to_sender(doc, "alice", ["gone"], later(2))
    returned = return_to_sender(submitted(), "alice", ["need is vague"], later(1))
    assert withdraw(returned, "mia", "the customer bought elsewhere", later(2))["state"] == WITHDRAWN
    with pytest.raises(NotAllowed, match="only one not yet accepted"):
        withdraw(acknowledge(submitted(), "alice", None, later(1)), "mia", "too late", later(2))


def test_an_info_pending_handoff_can_be_returned():
    doc = return_to_sender(submitted(items=FAILED, pending=True), "alice", ["I will not guess the need"], later(1))
    assert doc["state"] == RETURNED and not is_overdue(doc, later(100))


def test_a_sync_handoff_needs_no_signature():
    sync = KindSpec("ordinary_sync", ("sales",), ("sales",), (), signatures=NOBODY_SIGNS)
    doc = submitted(spec=sync)
    assert doc["state"] == ACCEPTED and doc["acknowledgements"][0]["user"] == SYSTEM
    assert [n for n, _ in events(doc)] == ["handoff_submitted", "handoff_accepted"]
    pending = submitted(spec=sync, items=FAILED, pending=True)
    assert pending["state"] == INFO_PENDING
    assert complete_info(pending, PASSED, later(1))["state"] == ACCEPTED


def test_a_kind_that_keeps_the_owner_announces_no_new_owner():
    service = KindSpec("sales_to_service", ("sales",), ("service",), (), new_owner=OWNER_UNCHANGED)
    doc = acknowledge(
        submitted(spec=service, receivers=("sam",), new_owner=None, collaborators=("sam",)), "sam", None, later(1)
    )
    assert (events(doc)[-1][1]["new_owner_id"], events(doc)[-1][1]["collaborators"]) == (None, ["sam"])


def test_the_outbox_is_cleared_by_what_was_published():
    doc = acknowledge(submitted(), "alice", None, later(1))
    first = doc["outbox"][0]["id"]
    cleared = outbox.cleared(doc, {first})
    assert [e["name"] for e in cleared["outbox"]] == ["handoff_accepted"] and cleared["outbox_since"] == AT
    empty = outbox.cleared(cleared, {e["id"] for e in cleared["outbox"]})
    assert (empty["outbox"], empty["outbox_since"]) == ([], None)
    assert outbox.cleared(empty, {first}) is None


def test_a_returned_handoff_may_go_to_someone_else():
    doc = return_to_sender(submitted(), "alice", ["not my market"], later(1))
    other = Receivers(("bob",), "bob", (), {"bob": "sales"})
    again = resubmit(doc, "mia", PASSED, {}, {}, False, None, DEADLINE, None, later(2), True, other)
    assert (again["to_users"], again["awaiting"], again["new_owner_id"], again["to_departments"]) == (
        ["bob"],
        ["bob"],
        "bob",
        ["sales"],
    )
    assert events(again)[-1][1]["to_users"] == ["bob"]
    with pytest.raises(NotAllowed, match="not a receiver"):
        acknowledge(again, "alice", None, later(3))
