"""profile: the yearly order value behind a value grade is a price — shown only to
BATON.access.price_readers, never on the timeline — through real RPC and the document server."""

from datetime import UTC, datetime

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.events import dump_event
from services.profile.service import ProfileService
from tests.integration.helpers import canonical_inquiry, start_downstream_of, started

NOW = datetime.now(UTC)
SALES, MARKETING = ("meier", "manager", "sales"), ("mia", "member", "marketing")  # both read every archive


def as_user(container, method, actor, *args):
    user_id, role, department = actor
    with entrypoint_hook(
        container,
        method,
        context_data={"actor": {"user_id": user_id, "role": role, "department": department, "team": None}},
    ) as hook:
        return hook(*args)


@pytest.fixture
def profile(container_factory, config):
    start_downstream_of(container_factory, config, "profile")
    service = started(container_factory, ProfileService, config)
    with entrypoint_waiter(service, "on_inquiry_received"):
        event_dispatcher(config)(
            "intake",
            "inquiry_received",
            dump_event("inquiry_received", {"inquiry_id": "inq_1", "received_at": NOW, "inquiry": canonical_inquiry()}),
        )
    return service


def test_the_yearly_order_value_is_shown_only_to_price_readers_and_never_on_the_timeline(profile):
    order = {"by": "alice", "at": NOW.isoformat(), "amount": 48000, "currency": "USD"}  # 340,800 CNY a year
    as_user(profile, "record_deal_step", SALES, "cus_1", "orders", order, "ord-1")
    assert as_user(profile, "get_customer", SALES, "cus_1")["value_grade"]["reasons"][0] == (
        "orders of the last 365 days: 340,800 CNY"
    )
    seen = as_user(profile, "get_customer", MARKETING, "cus_1")
    assert (seen["value_grade"]["grade"], seen["value_grade"]["reasons"], seen["orders"][0]["amount"]) == (
        "B",
        [],
        None,
    )
    listed = as_user(profile, "list_customers", MARKETING, {"email": "jane@acme.de"})["items"][0]
    assert listed["value_grade"]["reasons"] == []
    for reader in (SALES, MARKETING):
        entries = as_user(profile, "get_timeline", reader, "cus_1")["items"]
        assert "Graded by value_grading: value — → B" in [e["summary"] for e in entries]
        assert not [e for e in entries if "340" in e["summary"] or "48" in e["summary"]], entries


def test_a_value_grading_stored_with_its_reasons_is_read_without_them(profile, db):
    db.timeline.insert_one(
        {
            "_id": "cus_1:graded:old",
            "customer_id": "cus_1",
            "kind": "graded",
            "at": NOW,
            "summary": "Graded by value_grading: value — → A (orders of the last 365 days: "
            "1,340,800 CNY; core: at least 1,000,000 CNY a year)",
            "actor": "value_grading",
            "refs": {},
        }
    )
    entries = as_user(profile, "get_timeline", MARKETING, "cus_1")["items"]
    assert [e["summary"] for e in entries if e["kind"] == "graded"] == ["Graded by value_grading: value — → A"]
