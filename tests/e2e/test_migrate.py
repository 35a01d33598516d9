"""An install from before — every service's collections in one database — moved by `baton migrate`;
the system started on it again finds every customer, holding, reminder, inquiry, handoff and user."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import MongoClient

from deploy.docstore import Docstore, free_port
from deploy.local_system import local_system, provision_users
from services.runtime.databases import COLLECTIONS, EVERY_SERVICE, database_name
from tests.conftest import REPO
from tests.e2e.helpers import get, new_customer
from tests.integration.helpers import ApiClient, wait_for

pytestmark = pytest.mark.e2e

PEOPLE = {
    "root": ("admin", None, None),
    "alice": ("member", "sales", "default"),
    "bob": ("member", "sales", "default"),
    "carol": ("member", "sales", "default"),
    "meier": ("manager", "sales", "default"),
    "mia": ("member", "marketing", None),
    "web": ("integration", None, None),
}
OLD = "baton"  # the database of the shipped MONGO_URI, where the release before kept everything


def into_one_database(client):
    """What the release before would have written: every service's collections in ``baton``. In
    its shared ``people`` each user is whichever service wrote it first — here handoff's for
    the manager (no role: notification's lookup of managers then failed)."""
    old = client[OLD]
    for service, collections in COLLECTIONS.items():
        db = client[database_name(OLD, service)]
        # schema_versions came with this release: the one before kept no versions
        for collection in (set(collections + EVERY_SERVICE) - {"schema_versions"}) & set(db.list_collection_names()):
            documents = list(db[collection].find())
            if collection == "people":
                documents = [d for d in documents if (service == "handoff") == (d["_id"] == "meier")]
            present = {d["_id"] for d in old[collection].find({}, {"_id": 1})}
            fresh = [d for d in documents if d["_id"] not in present]
            if fresh:
                old[collection].insert_many(fresh)
        client.drop_database(db.name)
    assert old.people.find_one({"_id": "meier"}).get("role") is None


def seen(api, customer_ids, users):
    """Everything the API shows of the customers and users: what must look the same after."""
    admin = api["root"]
    view = {}
    for customer_id in customer_ids:
        customer = get(admin, f"/customers/{customer_id}")
        owner = get(admin, f"/customers/{customer_id}/owner")
        view[customer_id] = {
            "company": customer["company"],
            "owner": customer["owner_id"],
            "state": owner["state"],
            "reminders": sorted(
                (r["id"], r["kind"])
                for r in get(api[customer["owner_id"]], f"/users/{customer['owner_id']}/reminders", limit=200)["items"]
                if r["customer_id"] == customer_id
            ),
            "handoffs": sorted(h["id"] for h in get(admin, f"/customers/{customer_id}/handoffs")["items"]),
            "timeline": len(get(admin, f"/customers/{customer_id}/timeline", limit=200)["items"]),
        }
    view["inquiries"] = sorted(i["id"] for i in get(admin, "/inquiries", limit=200)["items"])
    view["users"] = sorted(u["id"] for u in get(admin, "/users", limit=200)["items"] if u["id"] in users)
    return view


def test_a_single_database_install_is_migrated_and_the_system_finds_everything(tmp_path):
    data_dir = tmp_path / "var"
    with local_system(data_dir) as system:
        tokens = provision_users(system, PEOPLE)
        api = {user: ApiClient(system.api, token) for user, token in tokens.items()}
        customers = [new_customer(system, api["root"])["id"] for _ in range(3)]
        wait_for(
            lambda: all(get(api["root"], f"/customers/{c}/timeline")["total"] >= 3 for c in customers),
            timeout=30,
            what="each customer's owner and first reminder",
        )
        handed = api["mia"].post(
            "/handoffs",
            json={
                "kind": "marketing_to_sales",
                "customer_id": customers[0],
                "to": ["alice"],
                "info_pending": True,
                "pending_until": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
            },
        )
        assert handed.status_code == 201, handed.text
        before = seen(api, customers, PEOPLE)
    assert all(before[c]["reminders"] for c in customers) and before[customers[0]]["handoffs"]
    assert len(before["inquiries"]) >= 3 and before["users"] == sorted(PEOPLE)

    with Docstore(data_dir / "docstore", port=free_port(), log_file=tmp_path / "docstore.log") as store:
        with MongoClient(store.uri(), tz_aware=True) as client:
            into_one_database(client)
            env = {**os.environ, "BATON_MONGO_URI": store.uri(OLD)}
            migrated = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "cli.baton",
                    "migrate",
                    "--drop-old",
                    "--batch-size",
                    "7",
                    "--data-dir",
                    str(data_dir),
                ],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert migrated.returncode == 0, migrated.stdout + migrated.stderr
            assert "MISSING" not in migrated.stdout and "dropped" in migrated.stdout
            assert client[OLD].list_collection_names() == []
            assert client[database_name(OLD, "notification")].people.find_one({"_id": "meier"})["role"] == "manager"

    with local_system(data_dir) as system:  # the same tokens: the gateway's users and tokens moved too
        api = {user: ApiClient(system.api, token) for user, token in tokens.items()}
        assert seen(api, customers, PEOPLE) == before
