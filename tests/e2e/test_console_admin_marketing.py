"""The console's admin and marketing pages in real Chromium (web/e2e/admin-marketing.journey.mjs,
as tests/e2e/test_console.py runs its journeys): an admin checks a bad configuration and sees each
refused setting named by service, path and reason; a marketing user previews an inquiry file's
column mapping, imports it with progress and downloads the per-row report; and looks up and
exports the do-not-contact list. The system runs on a vhost and data folder of its own."""

from pathlib import Path

import pytest

from deploy.local_system import local_system
from tests.e2e.console_seed import WEB, journey_fixture, provision_people, run_journeys
from tests.e2e.helpers import lead, unique_email
from tests.integration.helpers import ApiClient, wait_for

pytestmark = pytest.mark.e2e

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "var" / "e2e-screens" / "admin-marketing"
JOURNEY = "e2e/admin-marketing.journey.mjs"
JOURNEY_SECONDS = 300
PEOPLE = {
    "root": ("Root Admin", "admin", None, None),
    "alice": ("Alice Wang", "member", "sales", "default"),
    "meier": ("Klaus Meier", "manager", "sales", "default"),
    "mia": ("Mia Chen", "member", "marketing", None),
}


@pytest.fixture(scope="module")
def admin_marketing_system(tmp_path_factory):
    assert (WEB / "dist" / "index.html").is_file(), "the console is not built: run scripts/bootstrap"
    with local_system(tmp_path_factory.mktemp("admin-marketing-var"), env={"BATON_SCREENING": "true"}) as running:
        yield running


def _seed(system, folder):
    """The people with passwords, a customer a manager rejected (on the do-not-contact list), an
    inquiry file whose rows are new, merge into that customer, or break the contract, and a
    configuration with wrong settings."""
    tokens = provision_people(system, PEOPLE)
    alice, meier, mia = (ApiClient(system.api, tokens[user]) for user in ("alice", "meier", "mia"))
    rejected_email = unique_email()
    created = alice.post("/customers", json={"customer": lead(rejected_email) | {"channel": "trade_show"}})
    assert created.status_code == 201, created.text
    customer = created.json()
    wait_for(
        lambda: meier.get(f"/customers/{customer['id']}/owner").json().get("owner_id") == "alice",
        timeout=30,
        what="alice to own the customer",
    )
    refused = meier.post(f"/customers/{customer['id']}/reject", json={"reason": "asked us never to call again"})
    assert refused.status_code == 200, refused.text
    wait_for(
        lambda: any(i["customer_id"] == customer["id"] for i in mia.get("/do-not-contact").json()["items"]),
        timeout=30,
        what="the rejection on the do-not-contact list",
    )
    new_email = unique_email()
    rows = [
        "Buyer Name,Email,Company,Country/Region,Product Name,Inquiry Content,Internal note",
        f"Lena Vogt,{new_email},Vogt Leuchten GmbH,Germany,LED panel,Need 500 panels with CE by May,x",
        f"Jane Again,{rejected_email},{customer['company']},Germany,LED tube,Asking again for tubes,y",
        "Nobody,not-an-email,Broken Row Ltd,Germany,,Row with a broken address,z",
    ]
    import_file = folder / "alibaba-export.csv"
    import_file.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    shipped = (REPOSITORY / "deploy" / "config.yaml").read_text(encoding="utf-8")
    bad = shipped.replace("      per_day: 5\n", "      per_day: -1\n", 1).replace(
        "rpc_timeout_seconds: ${BATON_RPC_TIMEOUT:10}", "rpc_timeout_seconds: 0", 1
    )
    assert bad.count("per_day: -1") == 1 and "rpc_timeout_seconds: 0" in bad
    bad_config = folder / "config-bad.yaml"
    bad_config.write_text(bad, encoding="utf-8")
    return journey_fixture(
        system,
        SCREENSHOTS,
        PEOPLE,
        {
            "rejected": {"id": customer["id"], "company": customer["company"], "email": rejected_email},
            "import_file": str(import_file),
            "new_email": new_email,
            "bad_config": str(bad_config),
            "unreadable_config": "BATON:\n  pool: {claim_limits: [\n",
        },
    )


def test_admins_check_configurations_and_marketing_imports_and_keeps_the_list(admin_marketing_system, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    run_journeys(_seed(admin_marketing_system, tmp_path), tmp_path, [JOURNEY], JOURNEY_SECONDS)
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 6, "the journeys kept too few screenshots"
