"""Handoff checklist rules: every item passes or fails with a reason a person can act on."""

from datetime import UTC, datetime, timedelta

import pytest

from plugins import hookimpl
from plugins.declarations import ChecklistVerdict, HandoffRule
from plugins.host import PluginHost
from services.handoff.checking import plugin_rules
from services.handoff.domain.checklists import (
    RULES,
    ChecklistPolicy,
    Item,
    Subject,
    evaluate,
    missing,
    ready_since,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = ChecklistPolicy(
    vague_words=("想合作", "感兴趣", "wants to cooperate", "interested"),
    min_communications=3,
    max_communication_gap=timedelta(days=7),
    no_progress_phrases=("no answer", "未回复"),
)
MARKETING_TO_SALES = ("source_recorded", "basic_info_complete", "need_is_specific", "contact_attempted")


def communication(days, summary=None, result="quote requested", **more):
    at = AT + timedelta(days=days)
    return {
        "id": f"com_{days}",
        "at": at.isoformat(),
        "recorded_at": (at + timedelta(minutes=10)).isoformat(),
        "method": "phone",
        "by": "alice",
        "summary": summary or f"call on day {days}",
        "result": result,
        **more,
    }


def archive(**overrides):
    base = {
        "company": "Acme GmbH",
        "contacts": [{"name": "Jane", "email": "jane@acme.de"}],
        "stage": "inquiry",
        "sources": [{"channel": "google_ads", "inquiry_id": "inq_1", "at": AT.isoformat()}],
        "needs": ["2,000 pcs of model X"],
        "requirements": [],
        "special_requirements": [],
        "cautions": [],
        "communications": [communication(1)],
        "orders": [],
        "quotes": [],
        "custom_fields": {},
        "intent_grade": {"grade": "A", "reasons": ["budget stated"], "rule": "intent_grading"},
    }
    return {**base, **overrides}


def check(rule, record=None, **package):
    return RULES[rule](Subject(record if record is not None else archive(), package), POLICY)


def verdict(rule, record=None, **package):
    item = check(rule, record, **package)
    return item.passed, item.reason


def test_a_complete_lead_passes_marketing_to_sales_and_is_ready_since_its_last_dated_fact():
    items = evaluate(MARKETING_TO_SALES, Subject(archive(), {}), POLICY)
    assert [i.name for i in items] == list(MARKETING_TO_SALES) and missing(items) == []
    assert ready_since(items) == AT + timedelta(days=1, minutes=10)  # the contact attempt, when recorded


def test_each_missing_item_says_what_is_missing():
    empty = archive(company=None, contacts=[{"title": "Buyer"}], sources=[], needs=[], communications=[])
    items = evaluate(MARKETING_TO_SALES, Subject(empty, {}), POLICY)
    assert [(i.name, i.reason) for i in items] == [
        ("source_recorded", "No source channel is recorded."),
        ("basic_info_complete", "Missing: company, contact name, email or phone."),
        ("need_is_specific", "No need is recorded: record what they asked for (product, quantity)."),
        ("contact_attempted", "No contact attempt with its result is recorded."),
    ]
    assert ready_since(items) is None


def test_a_vague_need_fails_in_chinese_and_english():
    for need, phrase in (("我们想合作", "想合作"), ("We are INTERESTED in your products", "interested")):
        passed, reason = verdict("need_is_specific", archive(needs=[need]))
        assert not passed and f"'{phrase}'" in reason


def test_english_vague_words_match_whole_words_only():
    assert verdict("need_is_specific", archive(needs=["uninterested buyers need 3 pumps"]))[0]
    assert not verdict("need_is_specific", archive(needs=["Interested!"]))[0]


def test_a_vague_word_beside_a_quantity_or_a_recorded_model_is_specific_enough():
    assert verdict("need_is_specific", archive(needs=["interested in 500 sets"]))[0]
    assert verdict("need_is_specific", archive(needs=["想合作，先订两千件"]))[0]
    passed, reason = verdict(
        "need_is_specific", archive(needs=["感兴趣"], requirements=[{"model": "X-200", "quantity": 500}])
    )
    assert passed and reason == "requirement: X-200 × 500"


def test_the_latest_need_is_judged():
    assert not verdict("need_is_specific", archive(needs=["2,000 pcs", "wants to cooperate"]))[0]


def test_communications_must_number_three_be_continuous_and_show_progress():
    assert verdict("communications_continuous", archive(communications=[communication(1), communication(2)])) == (
        False,
        "2 communication record(s); at least 3 are required (time, method, summary).",
    )
    gap = archive(communications=[communication(1), communication(2), communication(12)])
    assert verdict("communications_continuous", gap) == (
        False,
        "The last 3 records are not continuous: 10 day(s) between 2026-03-04 and 2026-03-14 (at most 7 day(s)).",
    )
    silent = archive(communications=[communication(d, result="no answer") for d in (1, 2, 3)])
    assert verdict("communications_continuous", silent) == (
        False,
        "The last 3 records show no progress: none was answered.",
    )
    same = archive(communications=[communication(d, summary="Called  about the quote") for d in (1, 2, 3)])
    assert "repeat the same summary" in verdict("communications_continuous", same)[1]


def test_only_the_last_records_are_judged_and_the_item_is_dated_by_the_last():
    good = archive(communications=[communication(-40), communication(1), communication(3), communication(8)])
    item = check("communications_continuous", good)
    assert item.passed and item.reason == "3 records from 2026-03-03 to 2026-03-10, at most 5 day(s) apart"
    assert item.since == AT + timedelta(days=8, minutes=10)


def test_intent_level_may_never_be_empty():
    assert verdict("intent_level_set") == (True, "intent grade A (budget stated)")
    assert verdict("intent_level_set", archive(intent_grade=None, grading_error="plugin 'x' failed")) == (
        False,
        "No intent level is set (it may never be empty); grading failed: plugin 'x' failed.",
    )


def test_special_requirements_are_marked_or_stated_to_be_none():
    assert verdict("special_requirements_marked", archive(special_requirements=["needs CE"]))[1] == (
        "special requirements: needs CE"
    )
    assert verdict("special_requirements_marked", special_requirements=["neutral packaging"])[0]
    assert verdict("special_requirements_marked", no_special_requirements=True) == (
        True,
        "the sender states there are no special requirements",
    )
    passed, reason = verdict("special_requirements_marked")
    assert not passed and "【特殊】" in reason and "no_special_requirements" in reason


def order(**more):
    return {
        "id": "ord_1",
        "at": AT.isoformat(),
        "recorded_at": AT.isoformat(),
        "by": "alice",
        "amount": 12000.0,
        "currency": "USD",
        "delivery_date": "2026-05-01",
        "payment_method": "30% T/T",
        **more,
    }


def test_deal_status_must_say_yes_or_no():
    assert verdict("deal_status_updated", archive(orders=[order()]))[1] == "deal: yes (1 order(s), last on 2026-03-02)"
    assert verdict("deal_status_updated", archive(stage="lost", stage_reason="price too high")) == (
        True,
        "deal: no (lost: price too high)",
    )
    passed, reason = verdict("deal_status_updated", archive(stage="negotiation"))
    assert not passed and "'negotiation'" in reason


def test_after_a_deal_the_order_needs_amount_delivery_date_and_payment_method():
    assert verdict("order_details_complete") == (True, "no deal: order details are not needed")
    assert verdict("order_details_complete", archive(orders=[order()])) == (
        True,
        "order of 2026-03-02 with its amount, delivery 2026-05-01, payment 30% T/T",
    )  # never the amount
    assert verdict("order_details_complete", archive(orders=[order(delivery_date=None, payment_method=None)])) == (
        False,
        "The order of 2026-03-02 lacks: delivery date, payment method.",
    )
    by_archive = archive(orders=[order(payment_method=None)], custom_fields={"payment_method": "L/C"})
    assert verdict("order_details_complete", by_archive)[0]
    assert not verdict("order_details_complete", archive(stage="customer"))[0]


def test_needs_and_pain_points_and_a_solution_come_from_the_archive_or_the_package():
    passed, reason = verdict("needs_and_pain_points")
    assert not passed and reason == "Give the customer's pain points in the package (pain_points)."
    assert verdict("needs_and_pain_points", pain_points=["late deliveries from their supplier"])[0]
    assert not verdict("solution_offered")[0]
    assert verdict("solution_offered", solution="X-200 with a 5-year warranty") == (
        True,
        "solution: X-200 with a 5-year warranty",
    )
    quoted = archive(quotes=[{"id": "quo_1", "at": AT.isoformat(), "product": "X-200", "by": "alice"}])
    assert verdict("solution_offered", quoted) == (True, "quoted: X-200 (2026-03-02)")


def test_cautions_open_items_and_history():
    assert verdict("cautions_recorded", archive(cautions=["dislikes hard discount pitches"]))[0]
    assert not verdict("cautions_recorded")[0]
    assert verdict("open_items_listed", open_items=["send the CE file"])[1] == "open items: send the CE file"
    assert verdict("open_items_listed", no_open_items=True)[0]
    assert not verdict("open_items_listed")[0]
    assert verdict("history_recorded")[1] == "1 communication(s), 0 order(s) recorded"
    assert not verdict("history_recorded", archive(communications=[], stage="negotiation"))[0]


def test_a_lead_nobody_has_contacted_yet_is_handed_over_saying_so():
    lead = archive(communications=[], stage="new_contact")
    assert verdict("history_recorded", lead) == (True, "no contact yet: a new lead, nothing to lose with its owner")
    assert verdict("open_items_listed", lead) == (True, "no contact yet: the first contact is what is open")
    assert verdict("open_items_listed", lead, open_items=["call Jane"])[1] == "open items: call Jane"
    # once anything happened with it, the history must be there and the open items listed
    quoted = archive(communications=[], stage="inquiry", quotes=[{"id": "quo_1", "at": AT.isoformat()}])
    assert not verdict("history_recorded", quoted)[0]
    assert not verdict("open_items_listed", archive(communications=[], stage="quoted"))[0]


def test_a_repair_case_names_an_order_on_the_archive_the_fault_and_the_address():
    record = archive(orders=[order()])
    assert verdict("case_described", record) == (
        False,
        "The case needs the order (case.order_id), the fault (case.fault), the address (case.address).",
    )
    passed, reason = verdict(
        "case_described", record, case={"order_id": "ord_9", "fault": "motor hums", "address": "Hamburg"}
    )
    assert not passed and "'ord_9' is not one of its 1 order(s)" in reason
    assert verdict(
        "case_described", record, case={"order_id": "ord_1", "fault": "motor hums", "address": "Hamburg"}
    ) == (True, "order ord_1: motor hums")


def test_next_step_planned():
    assert not verdict("next_step_planned")[0]
    planned = archive(communications=[communication(1, next_follow_up_at=(AT + timedelta(days=7)).isoformat())])
    assert verdict("next_step_planned", planned) == (True, "next follow-up 2026-03-09")
    assert verdict("next_step_planned", archive(stage="rejected"))[0]


def test_extra_rules_follow_the_configured_ones():
    extra = lambda subject: Item("export_licence", False, "no licence")  # noqa: E731
    items = evaluate(("source_recorded",), Subject(archive(), {}), POLICY, [extra])
    assert [i.name for i in items] == ["source_recorded", "export_licence"] and missing(items) == ["export_licence"]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_answers_on_an_empty_archive(rule):
    item = RULES[rule](Subject({"stage": "new_contact"}, {}), POLICY)
    assert item.name == rule and isinstance(item.passed, bool) and item.reason


def test_plugin_rules_join_the_checklist_and_a_broken_one_is_a_failed_item_naming_it():
    def licence(archive, package):
        return ChecklistVerdict("export_licence" in archive.get("custom_fields", {}), "export licence")

    def broken(archive, package):
        raise RuntimeError("boom")

    class Plugin:
        @hookimpl
        def baton_handoff_rules(self, kind):
            return [HandoffRule("export_licence", licence), HandoffRule("broken", broken)]

    items = evaluate(
        ("source_recorded",),
        Subject(archive(), {}),
        POLICY,
        plugin_rules(PluginHost([("controlled", Plugin())]), "sales_to_service"),
    )
    assert [(i.name, i.passed) for i in items] == [
        ("source_recorded", True),
        ("export_licence", False),
        ("broken", False),
    ]
    assert (
        items[2].reason == "plugin 'controlled' failed in baton_handoff_rules: rule 'broken' raised RuntimeError: boom"
    )

    class Unlisted:
        @hookimpl
        def baton_handoff_rules(self, kind):
            return "not a list"

    [failed] = plugin_rules(PluginHost([("unlisted", Unlisted())]), "x")
    assert failed(Subject({}, {})).passed is False and "plugin 'unlisted'" in failed(Subject({}, {})).reason
