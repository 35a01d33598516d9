"""Upgrading a data folder made by the previous release (tests/fixtures/previous_release: its store
after six inquiries, a contact and a quote, made by make_data.py with that release): the supervisor
moves it into one database per service at start, the services bring the archives and holdings to
this version in the background, and everything is there, found by today's rules."""

import tarfile
from pathlib import Path

import pytest

from deploy.local_system import local_system, provision_users
from tests.e2e.helpers import baton, get
from tests.integration.helpers import ApiClient, wait_for

pytestmark = pytest.mark.e2e
PREVIOUS_RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "previous_release" / "docstore.tar.gz"
COMPANIES = {
    "Müller Elektrotechnik GmbH": "DE",
    "Acme Lighting Inc.": "US",
    "Pacific Home Goods LLC": "US",
    "Yıldız Ticaret A.Ş.": "TR",
    "Harbour Trading Ltd": "HK",
    "Lumière SARL": "FR",
}


@pytest.fixture
def upgraded(tmp_path, mail_server):
    with tarfile.open(PREVIOUS_RELEASE) as archive:
        archive.extractall(tmp_path, filter="data")
    with local_system(tmp_path, env={"BATON_SMTP_PORT": str(mail_server.port)}) as system:
        yield system


def test_a_data_folder_of_the_previous_release_is_upgraded_and_nothing_is_missing(upgraded):
    system, data_dir = upgraded, upgraded.data_dir
    started = (data_dir / "supervisor.out").read_text()
    assert "migrate: every service has its own database now" in started
    assert list((data_dir / "backups").glob("before-upgrade-*/baton.db")), "the old file is kept aside"
    tokens = provision_users(system, {"root": ("admin", None, None), "alice": ("member", "sales", "default")})
    api = ApiClient(system.api, tokens["root"])  # the users came over; a new token for the test

    status = baton(system, "upgrades", "--wait", "120")
    for upgraded_to in (
        "profile.customers: version 5 of 5",  # v5: the open possible-duplicate pairs listed
        "profile.report_facts: version 4 of 4",  # v2, v3: monthly report totals, sharded; v4: their sums
        "pool.holdings: version 5 of 5",  # v3: warnings kept as values; v4 since_key, v5 tag terms
        "pool.salespeople: version 2 of 2",
        "handoff.handoffs: version 3 of 3",  # v2: epoch keys of submission times, v3 of outboxes
        "handoff.refused_handoffs: version 2 of 2",
    ):
        assert upgraded_to in status, f"{upgraded_to} not in:\n{status}"

    customers = {c["company"]: c for c in get(api, "/customers", limit=50)["items"]}
    assert set(customers) == set(COMPANIES)
    assert {name: c["country_code"] for name, c in customers.items()} == COMPANIES
    assert all(c["owner_id"] for c in customers.values())
    muller = customers["Müller Elektrotechnik GmbH"]
    archive = get(api, f"/customers/{customers['Lumière SARL']['id']}")  # make_data.py worked on it
    assert archive["quotes"] and archive["communications"], "the contact and the quote of before are kept"
    assert archive["special_requirements"] == ["needs 110V"]
    assert [c["id"] for c in get(api, "/customers", country="Germany")["items"]] == [muller["id"]]
    pooled = wait_for(
        lambda: {i["customer_id"] for i in get(api, "/pool", state="owned", country="美国", limit=50)["items"]} or None,
        what="the pool to know the US customers' code",
    )
    assert pooled == {customers["Acme Lighting Inc."]["id"], customers["Pacific Home Goods LLC"]["id"]}
    found = get(api, "/customers/check", company="MUELLER ELEKTROTECHNIK", country="Deutschland")["candidates"]
    assert found and found[0]["customer_id"] == muller["id"], "old archives are found by today's name folding"
