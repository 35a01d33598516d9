"""Reports and the do-not-contact list as files, through the real gateway over real services: the
same figures as the JSON, CSV with a byte-order mark, XLSX a sheet per table, and a format that is
neither refused with the field named."""

import csv
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from deploy.docstore import free_port
from services.gateway.service import GatewayService
from services.intake.service import IntakeService
from services.pool.service import PoolService
from services.profile.service import ProfileService
from tests.integration.helpers import ApiClient, canonical_inquiry, provision, start_downstream_of, started, wait_for

THIS_MONTH = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")  # BATON.reports.time_zone


@pytest.fixture
def api(container_factory, config):
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    start_downstream_of(container_factory, config, "intake", "profile", "pool")
    gateway = started(container_factory, GatewayService, config)
    for service in (IntakeService, ProfileService, PoolService):
        started(container_factory, service, config)
    return ApiClient(f"http://{config['WEB_SERVER_ADDRESS']}", provision(gateway, "root", "admin"))


def test_a_report_exports_the_same_figures_as_csv_and_xlsx(api):
    posted = api.post(
        "/inquiries",
        data=json.dumps(
            canonical_inquiry(email="buyer@kessler.de", country="Germany", occurred_at=datetime.now(UTC).isoformat())
        ),
        headers={"X-Message-Id": "export-1"},
    )
    assert posted.status_code == 202, posted.text
    period = {"from": THIS_MONTH, "to": THIS_MONTH}
    report = wait_for(
        lambda: (r := api.get("/reports/inquiries", params=period).json())["months"][0]["inquiries"] and r,
        timeout=30,
        what="the inquiry in the report",
    )
    [month] = report["months"]

    as_csv = api.get("/reports/inquiries", params={**period, "format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_csv.headers["Content-Disposition"] == f'attachment; filename="inquiries-{THIS_MONTH}-{THIS_MONTH}.csv"'
    assert as_csv.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0] == {
        "month": THIS_MONTH,
        "country": "(all)",
        "name": "(all)",
        "region": "",
        "inquiries": str(month["inquiries"]),
        "previous": str(month["previous"]),
        "change": str(month["change"]),
        "change_pct": "" if month["change_pct"] is None else str(month["change_pct"]),
    }
    germany = next(r for r in rows if r["country"] == "DE")
    assert (germany["name"], germany["region"], germany["inquiries"]) == ("Germany", "EU", "1")

    as_xlsx = api.get("/reports/conversion", params={**period, "format": "xlsx"})
    assert as_xlsx.status_code == 200 and as_xlsx.headers["Content-Type"].endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(as_xlsx.content))["conversion"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    conversion = api.get("/reports/conversion", params=period).json()
    assert values[0] == ["channel", "campaign", "opened", "converted", "rate_pct"]
    assert values[-1][:4] == ["(all)", "(all)", conversion["total"]["opened"], conversion["total"]["converted"]]


def test_a_format_that_is_not_csv_or_xlsx_is_refused_naming_the_field(api):
    refused = api.get("/reports/demand", params={"format": "pdf"})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["fields"] == {"format": ["Must be one of: csv, xlsx."]}
    assert api.get("/do-not-contact/export", params={"format": "pdf"}).status_code == 400


def test_the_do_not_contact_list_exports_as_xlsx_too(api):
    exported = api.get("/do-not-contact/export", params={"format": "xlsx"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["Content-Disposition"] == 'attachment; filename="do-not-contact.xlsx"'
    header = next(load_workbook(io.BytesIO(exported.content))["do-not-contact"].iter_rows(values_only=True))
    assert header == ("customer_id", "company", "country", "country_code", "reason", "rejected_at", "rejected_by")
    plain = api.get("/do-not-contact/export")
    assert plain.headers["Content-Type"].startswith("text/csv") and plain.content.startswith("\ufeff".encode())


def test_the_customer_list_and_the_pool_export_every_entry_the_filters_find(api):
    for n, company in enumerate(("=Kessler Licht", "Nordlicht AG")):
        posted = api.post(
            "/inquiries",
            data=json.dumps(canonical_inquiry(email=f"buyer{n}@lights{n}.de", company=company)),
            headers={"X-Message-Id": f"list-{n}"},
        )
        assert posted.status_code == 202, posted.text
    listed = wait_for(
        lambda: (page := api.get("/customers", params={"country": "DE"}).json())["total"] == 2 and page,
        timeout=30,
        what="both customers filed",
    )
    exported = api.get("/customers", params={"country": "DE", "format": "xlsx", "limit": 1})
    assert exported.status_code == 200, exported.text
    assert exported.headers["Content-Disposition"] == 'attachment; filename="customers.xlsx"'
    header, *values = load_workbook(io.BytesIO(exported.content))["customers"].iter_rows(values_only=True)
    rows = [dict(zip(header, r, strict=True)) for r in values]
    assert {r["customer_id"] for r in rows} == {c["id"] for c in listed["items"]}  # limit does not apply
    assert {r["company"] for r in rows} == {"'=Kessler Licht", "Nordlicht AG"}  # never a formula
    assert {r["email"] for r in rows} == {"buyer0@lights0.de", "buyer1@lights1.de"}

    # pool hands both to the configured salespeople (BATON.pool); once it has, its list as a file
    wait_for(
        lambda: all(api.get(f"/customers/{c['id']}/owner").json().get("state") == "owned" for c in listed["items"]),
        timeout=30,
        what="both customers allocated",
    )
    in_pool = api.get("/pool", params={"state": "owned", "format": "csv", "limit": 1})
    assert in_pool.status_code == 200 and in_pool.headers["Content-Type"].startswith("text/csv")
    assert in_pool.headers["Content-Disposition"] == 'attachment; filename="pool-owned.csv"'
    pool_rows = list(csv.DictReader(io.StringIO(in_pool.content.decode("utf-8-sig"))))
    as_json = api.get("/pool", params={"state": "owned", "limit": 200}).json()["items"]
    assert [(r["customer_id"], r["owner_id"]) for r in pool_rows] == [
        (e["customer_id"], e["owner_id"]) for e in as_json
    ]
    refused = api.get("/customers", params={"format": "json"})
    assert refused.status_code == 400 and "format" in refused.json()["error"]["details"]["fields"]
