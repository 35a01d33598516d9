"""Kinds of handoff: who may send and receive, who owns the customer afterwards, the value range;
the package that travels with the customer."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from services.handoff.domain.kinds import (
    OWNER_UNCHANGED,
    Directory,
    KindSpec,
    NotAllowed,
    Valuation,
    annual_value,
    check_parties,
    check_value,
    collaborators_after,
)
from services.handoff.domain.package import archive_additions, package_of
from services.handoff.views import kind_view

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PEOPLE = Directory({"marketing": ("mia",), "sales": ("alice", "bob"), "service": ("sam",), "tech": ("tom",)})
TO_SALES = KindSpec("marketing_to_sales", ("marketing",), ("sales",), ())
TO_SERVICE = KindSpec("sales_to_service", ("sales",), ("service",), (), max_receivers=3, new_owner=OWNER_UNCHANGED)
TEAM = KindSpec(
    "high_value_team",
    ("sales",),
    ("sales", "tech", "service"),
    (),
    min_receivers=2,
    max_receivers=10,
    sender_collaborates=True,
    min_annual_value=1_000_000,
)
SYNC = KindSpec("ordinary_sync", ("sales",), ("sales",), (), sender_collaborates=True, below_annual_value=100_000)
CNY = Valuation("CNY", {"CNY": 1, "USD": 7.0})


def test_the_receiver_owns_unless_another_receiver_is_named():
    assert check_parties(TO_SALES, PEOPLE, "mia", ["alice"], None) == "alice"
    assert check_parties(TEAM, PEOPLE, "alice", ["tom", "bob"], "bob") == "bob"
    assert check_parties(TO_SERVICE, PEOPLE, "alice", ["sam"], None) is None


@pytest.mark.parametrize(
    ("spec", "sender", "receivers", "owner", "message"),
    [
        (TO_SALES, "mia", ["alice", "bob"], None, "goes to 1 receiver(s), not 2"),
        (TEAM, "alice", ["bob"], None, "goes to 2 to 10 receiver(s), not 1"),
        (TO_SALES, "sam", ["alice"], None, "sam (service) may not send this kind of handoff: only marketing may"),
        (TO_SALES, "mia", ["tom"], None, "tom (tech) may not receive this kind of handoff: only sales may"),
        (TO_SALES, "mia", ["zed"], None, "zed is in no department"),
        (TEAM, "alice", ["bob", "bob"], None, "named twice"),
        (TEAM, "alice", ["alice", "bob"], None, "to themselves"),
        (TEAM, "alice", ["bob", "tom"], "sam", "must be one of the receivers"),
        (TO_SERVICE, "alice", ["sam"], "sam", "leaves the owner unchanged"),
    ],
)
def test_parties_that_do_not_fit_the_kind_are_refused_with_the_reason(spec, sender, receivers, owner, message):
    with pytest.raises(NotAllowed, match=re.escape(message)):
        check_parties(spec, PEOPLE, sender, receivers, owner)


def test_departments_need_not_be_checked_when_the_pool_chose_the_receiver():
    assert check_parties(TO_SALES, PEOPLE, "leaver", ["newcomer"], None, checked_departments=False) == "newcomer"


def test_collaborators_after_acceptance():
    assert collaborators_after(TO_SALES, "mia", ["alice"], "alice") == []
    assert collaborators_after(TEAM, "alice", ["bob", "tom", "sam"], "bob") == ["alice", "tom", "sam"]
    assert collaborators_after(TO_SERVICE, "alice", ["sam"], None) == ["sam"]


def order(days_ago, amount, currency="USD"):
    return {"at": (AT - timedelta(days=days_ago)).isoformat(), "amount": amount, "currency": currency}


def test_annual_value_counts_a_years_orders_converted_or_what_the_sender_expects():
    archive = {"orders": [order(400, 1_000_000), order(100, 100_000), order(10, 20_000, "CNY")]}
    assert annual_value(archive, None, CNY, AT) == (720_000, "orders of the last 365 days: 720,000 CNY")
    value, note = annual_value(archive, 1_500_000, CNY, AT)
    assert value == 1_500_000 and note.startswith("expected by the sender: 1,500,000 CNY;")
    value, note = annual_value({"orders": [order(5, 100, "JPY")]}, None, CNY, AT)
    assert value == 0 and "orders in JPY left out: no exchange rate configured" in note


def test_value_kinds_refuse_customers_outside_their_range():
    with pytest.raises(NotAllowed, match="at least 1,000,000 CNY a year; this one: a note"):
        check_value(TEAM, 999_999, "a note", "CNY")
    check_value(TEAM, 1_000_000, "", "CNY")
    with pytest.raises(NotAllowed, match="less than 100,000 CNY a year"):
        check_value(SYNC, 100_000, "", "CNY")
    check_value(SYNC, 99_999, "", "CNY")
    check_value(TO_SALES, 10**9, "", "CNY")


def test_the_package_carries_the_archive_and_what_the_sender_wrote():
    archive = {
        "company": "Acme GmbH",
        "country": "DE",
        "contacts": [{"name": "Jane"}],
        "stage": "customer",
        "intent_grade": {"grade": "A"},
        "needs": ["2,000 pcs"],
        "requirements": [{"model": "X", "quantity": 5}],
        "special_requirements": ["needs CE"],
        "cautions": ["no discount pitches"],
        "orders": [
            {
                "id": "ord_1",
                "at": "2026-01-01T00:00:00+00:00",
                "amount": 10.0,
                "currency": "USD",
                "delivery_date": "2026-02-01",
                "payment_method": "T/T",
                "note": "x",
            }
        ],
        "communications": [
            {"at": f"2026-01-0{d}T00:00:00+00:00", "method": "phone", "by": "a", "summary": f"call {d}"}
            for d in range(1, 8)
        ],
    }
    written = {
        "pain_points": ["late deliveries"],
        "cautions": ["no discount pitches", "calls after 3 pm only"],
        "open_items": ["send CE file"],
        "outstanding_payments": [{"amount": 50000, "currency": "CNY"}],
        "no_special_requirements": True,
    }
    package = package_of(archive, written, {"voltage": "110V"})
    assert package["core_needs"] == ["2,000 pcs", "X × 5"]
    assert package["cautions"] == ["no discount pitches", "calls after 3 pm only"]
    assert package["orders"][0] == {
        "id": "ord_1",
        "at": "2026-01-01T00:00:00+00:00",
        "amount": 10.0,
        "currency": "USD",
        "products": None,
        "delivery_date": "2026-02-01",
        "payment_method": "T/T",
    }
    assert [c["summary"] for c in package["recent_communications"]] == [f"call {d}" for d in range(3, 8)]
    assert (package["deal_closed"], package["agreed_requirements"], package["stated_none"]) == (
        True,
        {"voltage": "110V"},
        ["no_special_requirements"],
    )
    assert archive_additions(archive, written) == {"cautions": ["no discount pitches", "calls after 3 pm only"]}
    assert archive_additions(archive, {"cautions": ["no discount pitches"]}) == {}


def test_a_kind_is_listed_as_configured_with_its_value_range_and_checklist():
    team = kind_view(TEAM, ["communications_continuous", "export_licence"], "CNY")
    assert team == {
        "name": "high_value_team",
        "from": ["sales"],
        "to": ["sales", "tech", "service"],
        "min_receivers": 2,
        "max_receivers": 10,
        "each_signs": True,
        "changes_owner": True,
        "sender_collaborates": True,
        "info_pending": True,
        "annual_value": {"currency": "CNY", "at_least": 1_000_000, "below": None},
        "checklist": ["communications_continuous", "export_licence"],
    }
    service = kind_view(TO_SERVICE, [], "CNY")
    assert (service["changes_owner"], service["annual_value"], service["max_receivers"]) == (False, None, 3)
    assert kind_view(SYNC, [], "CNY")["annual_value"] == {"currency": "CNY", "at_least": None, "below": 100_000}
