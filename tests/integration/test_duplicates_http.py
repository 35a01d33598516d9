"""GET /duplicates and POST /customers/<id>/keep-apart through the real gateway over real services:
managers only, the query validated, the list as CSV with people's names, a decision answered once."""

import csv
import io

import pytest

from deploy.docstore import free_port
from services.gateway.service import GatewayService
from services.intake.service import IntakeService
from services.profile.service import ProfileService
from tests.integration.helpers import ApiClient, canonical_inquiry, provision, start_downstream_of, started, wait_for


@pytest.fixture
def gateway(container_factory, config):
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    start_downstream_of(container_factory, config, "intake", "profile")
    gateway = started(container_factory, GatewayService, config)
    for service in (IntakeService, ProfileService):
        started(container_factory, service, config)
    return gateway


def client(gateway, config, user, role, department=None):
    return ApiClient(f"http://{config['WEB_SERVER_ADDRESS']}", provision(gateway, user, role, department))


def filed(api, inquiry):
    sent = api.post("/inquiries", json=inquiry)
    assert sent.status_code == 202, sent.text
    return wait_for(lambda: api.get(f"/inquiries/{sent.json()['id']}").json().get("customer_id"), what="filing")


def test_a_manager_lists_the_pairs_exports_them_and_keeps_one_apart(gateway, config):
    meier = client(gateway, config, "meier", "manager", "sales")
    mia = client(gateway, config, "mia", "member", "marketing")
    acme = filed(mia, canonical_inquiry(email="jane@acme.de", company="Acme GmbH"))
    bolt = filed(mia, canonical_inquiry(email="sales@bolt.de", company="Bolt GmbH"))
    assert filed(mia, canonical_inquiry(email="info@acme.de", company="Bolt GmbH")) == acme

    page = wait_for(lambda: (p := meier.get("/duplicates").json())["total"] == 1 and p, what="the pair")
    (pair,) = page["items"]
    assert (pair["customer"]["customer_id"], pair["other"]["customer_id"], pair["shared"]) == (acme, bolt, ["company"])
    as_csv = meier.get("/duplicates", params={"format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [(r["company"], r["other_company"], r["shared"]) for r in rows] == [("Acme GmbH", "Bolt GmbH", "company")]

    bad = meier.get("/duplicates", params={"limit": 0})
    assert bad.status_code in (400, 422) and "limit" in bad.json()["error"]["details"]["fields"]
    alice = client(gateway, config, "alice", "member", "sales")
    assert alice.get("/duplicates").status_code == 403
    refused = alice.post(f"/customers/{acme}/keep-apart", json={"other": bolt})
    assert refused.status_code == 403

    unknown = meier.post(f"/customers/{acme}/keep-apart", json={"other": bolt, "because": "x"})
    assert unknown.status_code in (400, 422) and "because" in unknown.json()["error"]["details"]["fields"]
    kept = meier.post(f"/customers/{acme}/keep-apart", json={"other": bolt, "note": "a distributor"})
    assert kept.status_code == 200, kept.text
    assert (kept.json()["other_id"], kept.json()["by"], kept.json()["note"]) == (bolt, "meier", "a distributor")
    assert meier.get("/duplicates").json()["total"] == 0
    assert meier.get(f"/customers/{acme}").json()["possible_duplicates"] == []
