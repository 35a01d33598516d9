"""handoff evaluates checklists over the archive profile keeps (both services real)."""
from datetime import datetime, timezone

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.errors import NotFound
from contracts.events import dump_event
from services.handoff.service import HandoffService
from services.profile.service import ProfileService
from tests.integration.helpers import canonical_inquiry, start_downstream_of, started


@pytest.fixture
def handoff(container_factory, config):
    start_downstream_of(container_factory, config, "profile")
    profile = started(container_factory, ProfileService, config)
    with entrypoint_waiter(profile, "on_inquiry_received"):
        event_dispatcher(config)("intake", "inquiry_received", dump_event("inquiry_received", {
            "inquiry_id": "inq_1", "received_at": datetime.now(timezone.utc),
            "inquiry": canonical_inquiry(message="Hello, we want to cooperate")}))
    return started(container_factory, HandoffService, config)


def test_a_fresh_web_lead_shows_exactly_what_sales_is_missing(handoff):
    with entrypoint_hook(handoff, "evaluate_checklist") as evaluate:
        checklist = evaluate("marketing_to_sales", "cus_1")
    assert checklist["passed"] is False
    items = {item["name"]: item for item in checklist["items"]}
    assert items["source_recorded"]["passed"] and items["basic_info_complete"]["passed"]
    assert "'want to cooperate'" in items["need_is_specific"]["reason"]
    assert not items["contact_attempted"]["passed"]


def test_unknown_checklists_and_customers_are_named(handoff):
    with entrypoint_hook(handoff, "evaluate_checklist") as evaluate:
        with pytest.raises(NotFound, match="checklist"):
            evaluate("sales_to_nowhere", "cus_1")
        with pytest.raises(NotFound, match="customer"):
            evaluate("marketing_to_sales", "cus_missing")
