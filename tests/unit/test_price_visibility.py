"""Prices only for those who may see them (BATON.access.price_readers), on every path: a handoff's
package and checklist, agreed requirements, the value grade's reasons, the timeline, notices."""

import re
from datetime import UTC, datetime

import pytest

from services.handoff.domain.checklists import RULES, ChecklistPolicy, Subject
from services.handoff.domain.package import package_of
from services.handoff.domain.requirements import requirement_change_summary
from services.handoff.domain.visibility import package_without_prices, requirements_without_prices, without_prices
from services.notification.domain.reminders import requirement_changed
from services.profile.domain import timeline
from services.profile.domain.visibility import without_prices as archive_without_prices
from services.runtime.prices import is_price_name

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+|\d+\.\d\d\b")  # 48,000 / 48,000.00 / 4.20
ORDER = {
    "id": "ord_1",
    "at": AT.isoformat(),
    "amount": 48000.0,
    "currency": "USD",
    "products": ["X-200"],
    "delivery_date": "2026-05-01",
    "payment_method": "30% T/T",
}
ARCHIVE = {
    "company": "Acme GmbH",
    "country": "DE",
    "contacts": [{"name": "Jane"}],
    "stage": "customer",
    "orders": [ORDER],
    "quotes": [{"at": AT.isoformat(), "product": "X-200", "unit_price": 4.2, "currency": "USD", "quantity": 2000}],
}
WRITTEN = {
    "outstanding_payments": [{"amount": 33600.0, "currency": "USD", "due_date": "2026-06-01"}],
    "expected_annual_value": 1500000.0,
}
AGREED = {"voltage": "110V", "target_price": "USD 4.10 FOB"}
VALUE = {
    "value": 1500000.0,
    "currency": "CNY",
    "note": "expected by the sender: 1,500,000 CNY; orders of the last 365 days: 340,800 CNY",
}


@pytest.mark.parametrize(
    "name, priced",
    [
        ("target_price", True),
        ("unit_price", True),
        ("price", True),
        ("deposit_amount", True),
        ("tooling_cost", True),
        ("annual_value", True),
        ("prices", True),
        ("voltage", False),
        ("delivery_date", False),
        ("payment_method", False),
        ("priceless_logo", False),
        ("amounts_due", True),
        ("valuer", False),
    ],
)
def test_a_named_value_is_a_price_when_its_name_says_so(name, priced):
    assert is_price_name(name) is priced


def test_the_package_of_a_caller_who_may_not_see_prices_has_no_amount_or_value():
    package = package_of(ARCHIVE, WRITTEN, AGREED, VALUE)
    assert AMOUNT.search(repr(package))  # the price readers' package has them all
    hidden = package_without_prices(package)
    assert [o["amount"] for o in hidden["orders"]] == [None] and hidden["orders"][0]["currency"] == "USD"
    assert [p["amount"] for p in hidden["outstanding_payments"]] == [None]
    assert (hidden["annual_value"], hidden["expected_annual_value"]) == (None, None)
    assert hidden["agreed_requirements"] == {"voltage": "110V", "target_price": None}
    assert "unit_price" not in hidden["quotes"][0]  # never in a package
    assert not AMOUNT.search(repr(hidden)) and "48000" not in repr(hidden) and "4.1" not in repr(hidden)
    assert hidden["orders"][0]["delivery_date"] == "2026-05-01"  # what is not a price stays


def test_a_checklist_reason_never_carries_an_amount():
    item = RULES["order_details_complete"](Subject(ARCHIVE, {}), ChecklistPolicy(()))
    assert item.passed and item.reason == "order of 2026-03-02 with its amount, delivery 2026-05-01, payment 30% T/T"


def test_a_handoff_stored_with_an_amount_in_a_reason_is_shown_without_it():
    stored = {
        "id": "hof_1",
        "package": package_of(ARCHIVE, {}, {}),
        "checklist": [
            {
                "name": "order_details_complete",
                "passed": True,
                "reason": "order 48,000.00 USD, delivery 2026-05-01, payment 30% T/T",
            },
            {"name": "intent_level_set", "passed": True, "reason": "intent grade A (specific quantity: '2,000 pcs')"},
        ],
    }
    shown = without_prices(stored)
    assert [i["reason"] for i in shown["checklist"]] == [
        "order with its amount, delivery 2026-05-01, payment 30% T/T",
        "intent grade A (specific quantity: '2,000 pcs')",
    ]
    assert shown["package"]["orders"][0]["amount"] is None and stored["package"]["orders"][0]["amount"] == 48000.0


def test_agreed_requirements_named_as_prices_are_blanked_with_their_changes_and_notes():
    view = {
        "customer_id": "cus_1",
        "fields": {
            "voltage": {"value": "110V", "by": "alice", "at": AT, "note": None, "source": None},
            "target_price": {
                "value": "USD 4.10",
                "by": "alice",
                "at": AT,
                "note": "down from 4.20",
                "source": "whatsapp",
            },
        },
        "changes": [
            {
                "id": "rqc_1",
                "field": "target_price",
                "before": "USD 4.20",
                "after": "USD 4.10",
                "note": "down from 4.20",
                "by": "alice",
                "at": AT,
                "source": "whatsapp",
                "notified": ["sam"],
            },
            {
                "id": "rqc_2",
                "field": "voltage",
                "before": None,
                "after": "110V",
                "note": "US plant",
                "by": "alice",
                "at": AT,
                "source": None,
                "notified": ["sam"],
            },
        ],
    }
    hidden = requirements_without_prices(view)
    assert hidden["fields"]["voltage"] == view["fields"]["voltage"]
    assert (hidden["fields"]["target_price"]["value"], hidden["fields"]["target_price"]["source"]) == (None, "whatsapp")
    assert [(c["before"], c["after"], c["note"]) for c in hidden["changes"]] == [
        (None, None, None),
        (None, "110V", "US plant"),
    ]


def test_the_timeline_says_a_price_requirement_changed_without_its_values():
    change = {"field": "target_price", "before": "USD 4.20", "after": "USD 4.10", "note": "down 5%", "source": "email"}
    assert requirement_change_summary(change) == "target_price: changed, via email"
    assert requirement_change_summary({**change, "field": "voltage", "before": "220V", "after": "110V"}) == (
        "voltage: 220V → 110V (down 5%), via email"
    )


def test_a_notice_of_a_price_requirement_carries_no_value():
    change = {
        "change_id": "rqc_1",
        "customer_id": "cus_1",
        "field": "target_price",
        "before": "USD 4.20",
        "after": "USD 4.10",
        "by": "alice",
        "at": AT,
        "notify_users": ["sam", "meier"],
    }
    notices = requirement_changed(change)
    assert [n["user_id"] for n in notices] == ["sam", "meier"]
    assert all("4." not in repr(n) for n in notices), notices
    assert notices[0]["message"] == "alice changed target price of customer cus_1."
    voltage = requirement_changed({**change, "field": "voltage", "before": "220V", "after": "110V"})[0]
    assert voltage["message"].endswith(": 220V → 110V.") and voltage["details"]["after"] == "110V"


def test_the_value_grade_keeps_its_grade_but_not_its_reasons_for_who_may_not_see_prices():
    view = {
        "id": "cus_1",
        "target_price": "USD 4 FOB",
        "orders": [ORDER],
        "quotes": ARCHIVE["quotes"],
        "intent_grade": {"grade": "A", "reasons": ["specific quantity: '2,000 pcs'"], "rule": "intent_grading"},
        "value_grade": {
            "grade": "B",
            "reasons": ["orders of the last 365 days: 340,800 CNY", "potential: at least 100,000 CNY a year"],
            "rule": "value_grading",
        },
    }
    hidden = archive_without_prices(view)
    assert hidden["value_grade"] == {"grade": "B", "reasons": [], "rule": "value_grading"}
    assert hidden["intent_grade"] == view["intent_grade"]
    assert (hidden["target_price"], hidden["orders"][0]["amount"], hidden["quotes"][0]["unit_price"]) == (
        None,
        None,
        None,
    )
    assert archive_without_prices({**view, "value_grade": None})["value_grade"] is None


def test_a_value_grading_on_the_timeline_names_the_change_but_not_the_reasons():
    by_rule = timeline.graded(
        "cus_1", "value — → B", "value_grading", "orders of the last 365 days: 340,800 CNY", AT, fields=["value_grade"]
    )
    assert by_rule["summary"] == "Graded by value_grading: value — → B"
    by_hand = timeline.graded(
        "cus_1", "intent B → A, value — → B", "alice", "first order 20k USD", AT, fields=["intent_grade", "value_grade"]
    )
    assert by_hand["summary"] == "Graded by alice: intent B → A, value — → B"
    intent = timeline.graded("cus_1", "intent B → A", "alice", "asked for a date", AT, fields=["intent_grade"])
    assert intent["summary"] == "Graded by alice: intent B → A (asked for a date)"


def test_value_gradings_stored_with_their_reasons_are_read_without_them():
    stored = timeline.entry(
        "cus_1",
        "graded",
        AT.isoformat(),
        AT,
        "Graded by value_grading: value — → A (orders "
        "of the last 365 days: 1,340,800 CNY; core: at least 1,000,000 CNY a year)",
        "value_grading",
        {},
    )
    assert timeline.shown(stored)["summary"] == "Graded by value_grading: value — → A"
    intent = {**stored, "summary": "Graded by alice: intent B → A (asked (twice) for a date)"}
    assert timeline.shown(intent) == intent
    other = {**stored, "kind": "communication_recorded", "summary": "phone by alice: value (big) 2,000 pcs"}
    assert timeline.shown(other) == other
