"""What the archive says after the pool rejects a customer, and what the demand report counts, over
HTTP on the real system (issue 15, item 12)."""

import uuid
from datetime import UTC, datetime

import pytest

from tests.e2e.helpers import customer_by_email, get, lead, unique_email
from tests.e2e.test_reports import period
from tests.integration.helpers import publish_inquiry, wait_for

pytestmark = pytest.mark.e2e


def test_a_customer_rejected_in_the_pool_is_at_the_stage_rejected_with_the_reason(system, api, people):
    email = unique_email()
    publish_inquiry(system.amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    customer = customer_by_email(api, email)
    path, reason = f"/customers/{customer['id']}", f"wants retail packs only {uuid.uuid4().hex[:6]}"
    rejected = people[customer["owner_id"]].post(f"{path}/reject", json={"reason": reason})
    assert rejected.status_code == 200, rejected.text

    archive = wait_for(lambda: (a := get(api, path))["stage"] == "rejected" and a, what="the archive to be rejected")
    assert archive["stage_reason"] == reason
    assert any(
        c["id"] == customer["id"] for c in get(people["meier"], "/customers", stage="rejected", limit=200)["items"]
    )
    changes = [e for e in get(people["meier"], f"{path}/timeline")["items"] if e["kind"] == "stage_changed"]
    assert [(e["details"]["before"], e["details"]["after"], e["details"]["reason"]) for e in changes] == [
        (customer["stage"], "rejected", reason)
    ]
    report = get(people["meier"], "/reports/lost-reasons", **period())
    assert {"reason": reason, "count": 1} in report["rejected_in_pool"]["reasons"]  # counted once, by the pool
    assert not [r for r in report["lost"]["reasons"] if r["reason"] == reason]


def test_the_demand_report_counts_needs_sales_recorded_after_the_inquiry(system, api, people):
    email = unique_email()
    # Andorra: a market no other test writes to, so its row is this customer's alone.
    publish_inquiry(
        system.amqp_uri,
        {**lead(email), "country": "Andorra", "message": "Please quote 500 lamps"},
        message_id=f"e2e-{uuid.uuid4()}",
    )
    customer = customer_by_email(api, email)
    owner, path = people[customer["owner_id"]], f"/customers/{customer['id']}"

    def andorra_needs():
        demand = get(people["meier"], "/reports/demand", by="country", **period())
        row = next((p for p in demand["places"] if p["place"] == "AD"), None)
        return row and {n["need"]: n["customers"] for n in row["needs"]}

    assert wait_for(andorra_needs, what="Andorra in the demand report")["UL"] == 0
    note = {
        "at": datetime.now(UTC).isoformat(),
        "method": "phone",
        "summary": "Called the buyer\n【特殊】All lamps must be UL listed",
    }
    assert owner.post(f"{path}/communications", json=note).status_code == 201
    assert wait_for(lambda: get(api, path)["special_requirements"], what="the special requirement")
    assert andorra_needs()["UL"] == 1
