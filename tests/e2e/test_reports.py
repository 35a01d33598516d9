"""The reports over HTTP on the real system: a manager reads each one about customers filed and
worked on here; marketing reads the two it may; a salesperson is refused; the admin fills in
report facts for what was there before with `baton reports backfill`."""

import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import customer_by_email, get, lead, unique_email
from tests.integration.helpers import publish_inquiry

pytestmark = pytest.mark.e2e
THIS_MONTH = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
ROUTES = (
    "/reports/inquiries",
    "/reports/demand",
    "/reports/follow-up",
    "/reports/conversion",
    "/reports/handoffs",
    "/reports/lost-reasons",
)


def period():
    """This month and the one before (so that a test run at a month's turn still counts)."""
    year, month = map(int, THIS_MONTH.split("-"))
    before = f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"
    return {"from": before, "to": THIS_MONTH}


def customer_from(system, api, **inquiry):
    email = unique_email()
    publish_inquiry(system.amqp_uri, {**lead(email), **inquiry}, message_id=f"e2e-{uuid.uuid4()}")
    return customer_by_email(api, email)


def posted(client, path, body, status=201):
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_a_manager_reads_every_report_about_what_happened_here(system, api, people):
    campaign = f"report-{uuid.uuid4().hex[:8]}"
    iceland = customer_from(
        system,
        api,
        country="Iceland",
        campaign=campaign,
        channel="google_ads",
        message="We need 300 pcs with CE and our custom logo",
        products=["Report lamp"],
    )
    owner, path = people[iceland["owner_id"]], f"/customers/{iceland['id']}"
    now = datetime.now(UTC)
    posted(
        owner,
        f"{path}/quotes",
        {
            "at": (now - timedelta(minutes=30)).isoformat(),
            "product": "Report lamp",
            "unit_price": 2.5,
            "currency": "USD",
        },
    )
    posted(owner, f"{path}/samples", {"sent_at": (now - timedelta(minutes=6)).isoformat(), "model": "Report lamp"})
    posted(owner, f"{path}/orders", {"at": now.isoformat(), "amount": 750, "currency": "USD"})
    lost = customer_from(system, api, country="Iceland")
    reason = f"bought elsewhere {campaign}"
    response = people[lost["owner_id"]].put(f"/customers/{lost['id']}/stage", json={"stage": "lost", "reason": reason})
    assert response.status_code == 200, response.text
    rejected = customer_from(system, api)
    posted(
        people[rejected["owner_id"]], f"/customers/{rejected['id']}/reject", {"reason": f"no budget {campaign}"}, 200
    )
    manager, months = people["meier"], period()

    inquiries = get(manager, "/reports/inquiries", **months)
    assert (inquiries["from"], inquiries["to"], inquiries["by"]) == (months["from"], months["to"], "country")
    this_month = inquiries["months"][-1]
    assert next(p for p in this_month["places"] if p["place"] == "IS")["inquiries"] >= 2
    demand = get(manager, "/reports/demand", by="country", **months)
    iceland_needs = {
        n["need"]: n["customers"] for n in next(p for p in demand["places"] if p["place"] == "IS")["needs"]
    }
    assert iceland_needs["CE"] >= 1 and iceland_needs["custom logo"] >= 1
    assert any(p["product"] == "Report lamp" for p in demand["products"])
    follow_up = get(manager, "/reports/follow-up", **months)
    quoted_by = next(p for p in follow_up["people"] if p["salesperson"] == iceland["owner_id"])
    assert quoted_by["samples"] >= 1 and quoted_by["average_days"] is not None
    conversion = get(manager, "/reports/conversion", **months)
    ads = next(c for c in conversion["channels"] if c["channel"] == "google_ads")
    assert next(c for c in ads["campaigns"] if c["campaign"] == campaign) == {
        "campaign": campaign,
        "opened": 1,
        "converted": 1,
        "rate_pct": 100.0,
    }
    handoffs = get(manager, "/reports/handoffs", **months)
    assert handoffs["from"] == months["from"] and isinstance(handoffs["handoffs"], int)
    reasons = get(manager, "/reports/lost-reasons", **months)
    assert {"stage": "lost", "reason": reason, "count": 1} in reasons["lost"]["reasons"]
    assert {"reason": f"no budget {campaign}", "count": 1} in reasons["rejected_in_pool"]["reasons"]

    bad = manager.get("/reports/demand", params={"from": "2026-13"})
    assert bad.status_code == 400 and "from" in bad.json()["error"]["details"]["fields"]


def test_marketing_reads_conversion_and_inquiries_and_sales_no_report(people):
    for route in ("/reports/conversion", "/reports/inquiries"):
        assert people["mia"].get(route).status_code == 200
    for route in ("/reports/demand", "/reports/follow-up", "/reports/handoffs", "/reports/lost-reasons"):
        assert people["mia"].get(route).status_code == 403
    for route in ROUTES:
        refused = people["alice"].get(route)
        assert refused.status_code == 403, route
        assert refused.json()["error"]["code"] == "forbidden"
    assert people["svc-lead"].get("/reports/lost-reasons").status_code == 200


def test_the_admin_backfills_report_facts_for_what_was_there_before(system, api):
    customer_from(system, api)
    done = subprocess.run(
        [sys.executable, "-m", "cli.baton", "--amqp-uri", system.amqp_uri, "reports", "backfill", "--batch", "50"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    profile, pool = done.stdout.strip().splitlines()
    assert profile.startswith("profile: ") and "archives examined" in profile
    assert pool.startswith("pool: ") and "rejected holdings examined" in pool
