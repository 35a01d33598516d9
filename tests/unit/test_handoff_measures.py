"""Handoff timeliness per person and department, return rates, most common missing items; the
weekly quality audit's sampling, verdicts and lighter schedule after three passes."""

import gc
import random
from datetime import UTC, datetime, timedelta

import pytest

from services.handoff.domain import measure_totals
from services.handoff.domain.checklists import Item
from services.handoff.domain.handoffs import (
    Deadline,
    Draft,
    acknowledge,
    complete_info,
    open_handoff,
    resubmit,
    return_to_sender,
)
from services.handoff.domain.kinds import KindSpec
from services.handoff.domain.measures import handoff_sums, measures, measures_of_sums, refusal_sums
from services.handoff.domain.quality_audit import QualityAuditPolicy, new_schedule, quality_audit_id, report, sample
from services.runtime.collector import collector_paused

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = Deadline(3, 30)
TO_SALES = KindSpec("marketing_to_sales", ("marketing",), ("sales",), ())
TEAM = KindSpec("high_value_team", ("sales",), ("sales", "tech"), (), min_receivers=2, max_receivers=5)
OK = [Item("need_is_specific", True, "ok")]
VAGUE = [Item("need_is_specific", False, "vague"), Item("contact_attempted", False, "none")]
DEPARTMENTS = {"mia": "marketing", "alice": "sales", "bob": "sales", "tom": "tech"}


def hours(n):
    return AT + timedelta(hours=n)


def handoff(handoff_id, spec, sender, receivers, items=OK, pending=False, ready=-4):
    draft = Draft(
        handoff_id, spec, "cus_" + handoff_id, sender, sender, receivers, receivers[0], (), DEPARTMENTS, {}, {}
    )
    return open_handoff(draft, items, pending, None, hours(ready) if not pending else None, DEADLINE, AT)


LATER = hours(100)


def figures(handoffs, refusals=(), now=LATER):
    return measures(list(handoffs), list(refusals), DEPARTMENTS.get, now)


def by_name(rows):
    return {row["name"]: row for row in rows}


def test_timeliness_per_person_and_department():
    quick = acknowledge(handoff("h1", TO_SALES, "mia", ("alice",), ready=-4), "alice", None, hours(2))
    slow = acknowledge(handoff("h2", TO_SALES, "mia", ("bob",), ready=-2), "bob", None, hours(10))
    result = figures([quick, slow])
    mia, alice = by_name(result["people"])["mia"], by_name(result["people"])["alice"]
    assert (mia["department"], mia["sent"], mia["ready_to_submit_hours"]) == (
        "marketing",
        2,
        {"count": 2, "mean": 3.0, "median": 3.0, "max": 4.0},
    )
    assert (alice["received"], alice["signed"], alice["submit_to_sign_hours"]["mean"]) == (1, 1, 2.0)
    sales = by_name(result["departments"])["sales"]
    assert sales["submit_to_sign_hours"] == {"count": 2, "mean": 6.0, "median": 6.0, "max": 10.0}
    assert result["kinds"] == [
        {
            "kind": "marketing_to_sales",
            "handoffs": 2,
            "return_rate": 0.0,
            "submit_to_accept_hours": {"count": 2, "mean": 6.0, "median": 6.0, "max": 10.0},
        }
    ]


def test_signing_is_timed_from_when_pending_information_was_completed():
    pending = handoff("h1", TO_SALES, "mia", ("alice",), items=VAGUE, pending=True)
    done = acknowledge(complete_info(pending, OK, hours(20)), "alice", None, hours(21))
    result = figures([done])
    assert by_name(result["people"])["alice"]["submit_to_sign_hours"]["mean"] == 1.0
    assert by_name(result["people"])["mia"]["ready_to_submit_hours"]["count"] == 0  # it was not ready
    assert result["info_completed_late"] == 0 and result["overdue"] == []


def test_return_rates_overdue_and_the_most_common_missing_items():
    returned = return_to_sender(handoff("h1", TO_SALES, "mia", ("alice",)), "alice", ["need unclear"], hours(1))
    returned = resubmit(returned, "mia", VAGUE, {}, {}, True, None, DEADLINE, "k", hours(2), True)
    fine = handoff("h2", TO_SALES, "mia", ("bob",))
    refusal = {"from_user": "mia", "department": "marketing", "missing": ["need_is_specific"], "at": AT}
    result = figures([returned, fine], [refusal], now=hours(2 + 73))
    mia = by_name(result["people"])["mia"]
    assert (mia["sent"], mia["returned"], mia["return_rate"], mia["refused"]) == (2, 1, 0.5, 1)
    assert by_name(result["people"])["alice"]["returns_made"] == 1
    assert (result["return_rate"], result["refused"], result["info_pending"], result["overdue"]) == (0.5, 1, 1, ["h1"])
    assert result["missing_items"] == [
        {"item": "need_is_specific", "count": 2},
        {"item": "contact_attempted", "count": 1},
    ]


def test_a_team_member_who_signs_late_shows_in_their_own_figures():
    team = handoff("h1", TEAM, "alice", ("bob", "tom"))
    team = acknowledge(acknowledge(team, "bob", None, hours(1)), "tom", None, hours(30))
    people = by_name(figures([team])["people"])
    assert (people["bob"]["submit_to_sign_hours"]["max"], people["tom"]["submit_to_sign_hours"]["max"]) == (1.0, 30.0)
    assert by_name(figures([team])["departments"])["tech"]["signed"] == 1


def assorted():
    """Handoffs of every shape the measures tell apart: signed, returned and resubmitted, waiting
    for information (overdue or not), completed late, a team; a person in two departments."""
    quick = acknowledge(handoff("h1", TO_SALES, "mia", ("alice",), ready=-4), "alice", None, hours(2))
    returned = return_to_sender(handoff("h2", TO_SALES, "mia", ("alice",)), "alice", ["need unclear"], hours(1))
    returned = resubmit(returned, "mia", VAGUE, {}, {}, True, None, DEADLINE, "k", hours(2), True)
    pending = handoff("h3", TO_SALES, "mia", ("bob",), items=VAGUE, pending=True)
    done = acknowledge(
        complete_info(handoff("h4", TO_SALES, "mia", ("alice",), items=VAGUE, pending=True), OK, hours(20)),
        "alice",
        None,
        hours(21),
    )
    team = acknowledge(
        acknowledge(handoff("h5", TEAM, "alice", ("bob", "tom")), "bob", None, hours(1)), "tom", None, hours(30)
    )
    moved = {**handoff("h6", TO_SALES, "mia", ("tom",)), "to_departments": ["sales"]}  # tom, in sales then
    unknown = handoff("h7", TEAM, "zoe", ("bob", "tom"))
    refusals = [
        {"_id": f"r{n}", "kind": kind, "from_user": who, "department": department, "missing": missing, "at": AT}
        for n, (kind, who, department, missing) in enumerate(
            [
                (TO_SALES.name, "mia", "marketing", ["need_is_specific"]),
                (TEAM.name, "alice", None, ["x", "y"]),
                (TO_SALES.name, "zoe", None, []),
                (TO_SALES.name, "mia", "marketing", ["x"]),
            ]
        )
    ]
    return [quick, returned, pending, done, team, moved, unknown], refusals


def test_the_measures_from_monthly_sums_are_the_measures_from_the_handoffs():
    handoffs, refusals = assorted()
    for cut in range(len(handoffs) + 1):  # split into two months at every place
        months = [handoffs[:cut], handoffs[cut:]]
        refusal_months = [refusals[: cut % 3], refusals[cut % 3 :]]
        for kind in (None, TO_SALES.name, TEAM.name):
            for now in (LATER, hours(2 + 73), AT):
                chosen = [doc for doc in handoffs if kind in (None, doc["kind"])]
                refused = [doc for doc in refusals if kind in (None, doc["kind"])]
                summed = [
                    [sums for name, sums in handoff_sums(month).items() if kind in (None, name)] for month in months
                ]
                refused_sums = [
                    [sums for name, sums in refusal_sums(month).items() if kind in (None, name)]
                    for month in refusal_months
                ]
                assert measures_of_sums(summed, refused_sums, DEPARTMENTS.get, now) == figures(chosen, refused, now)


def test_a_month_s_sums_are_the_sums_of_its_entries_after_any_changes():
    handoffs, refusals = assorted()
    rng = random.Random(3)
    month = measure_totals.empty(measure_totals.HANDOFFS, "2026-03")
    for _change in range(40):
        month = measure_totals.with_handoff(month, rng.choice(handoffs))  # a handoff added, or written again
        assert measure_totals.sums_in(month) == handoff_sums(measure_totals.handoffs_in(month))
    completed = complete_info(handoffs[2], OK, hours(3))  # one changed since: its entry replaced
    changed = measure_totals.with_handoff(month, completed)
    assert measure_totals.sums_in(changed) == handoff_sums(measure_totals.handoffs_in(changed))
    assert measure_totals.sums_in(changed) != measure_totals.sums_in(month)
    assert changed["count"] == month["count"] and measure_totals.with_handoff(changed, completed) == changed
    made = measure_totals.made_of(measure_totals.REFUSALS, "2026-03", refusals, None)
    assert measure_totals.sums_in(made) == refusal_sums(measure_totals.refusals_in(made))
    assert sum(sums["n"] for sums in measure_totals.sums_in(made).values()) == made["count"] == len(refusals)


QUALITY_AUDIT = QualityAuditPolicy(
    ("basic_info_complete",),
    every=timedelta(days=7),
    relaxed_every=timedelta(days=28),
    passes_to_relax=3,
    sample_size=10,
)


def test_the_sample_is_ten_records_the_same_for_the_same_seed():
    records = [f"cus_{n}" for n in range(40)]
    chosen = sample(records, 10, "alice:2026-03-09")
    assert len(chosen) == 10 and set(chosen) <= set(records)
    assert chosen == sample(list(reversed(records)), 10, "alice:2026-03-09")
    assert sample(records[:4], 10, "x") == sorted(records[:4])


def audited(schedule, passed, now):
    checked = [
        ("cus_1", [Item("basic_info_complete", True, "ok")]),
        ("cus_2", [Item("basic_info_complete", passed, "ok" if passed else "Missing: company.")]),
    ]
    return report(quality_audit_id("alice", schedule["next_at"]), "alice", schedule, checked, now, QUALITY_AUDIT)


def test_records_missing_required_fields_are_returned_and_three_passes_relax_the_schedule():
    schedule = new_schedule("alice", QUALITY_AUDIT, AT)
    assert schedule["next_at"] == AT + timedelta(days=7)
    failed, schedule = audited(schedule, False, AT + timedelta(days=7))
    assert (failed["passed"], failed["returned"], failed["records"][1]["missing"]) == (
        False,
        ["cus_2"],
        ["basic_info_complete"],
    )
    assert failed["records"][1]["reasons"] == ["Missing: company."]
    now = AT + timedelta(days=7)
    for expected_in_a_row in (1, 2, 3):
        now = schedule["next_at"]
        passed, schedule = audited(schedule, True, now)
        assert passed["passes_in_a_row"] == expected_in_a_row
    assert schedule["relaxed"] and schedule["next_at"] == now + timedelta(days=28)
    again, schedule = audited(schedule, False, schedule["next_at"])
    assert not schedule["relaxed"] and again["passes_in_a_row"] == 0


def test_nothing_to_sample_is_no_pass():
    schedule = new_schedule("bob", QUALITY_AUDIT, AT)
    empty, after = report("aud_x", "bob", schedule, [], AT, QUALITY_AUDIT)
    assert (empty["sampled"], empty["passed"], after["passes_in_a_row"]) == (0, True, 0)
    assert quality_audit_id("bob", AT) == quality_audit_id("bob", AT) != quality_audit_id("alice", AT)


def test_the_cycle_collector_is_held_off_while_measures_are_read_and_back_after_the_last():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collector_paused():
            with collector_paused():  # two workers reading measures at once
                assert not gc.isenabled()
            assert not gc.isenabled()
            raise RuntimeError("measures that fail")
    assert gc.isenabled()
