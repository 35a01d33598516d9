"""`baton backup` while the system takes inquiries, `baton restore` into a fresh data folder, and a
system started on it that finds every customer, holding, reminder and inquiry of the backup."""

import json
import sqlite3
import threading
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from deploy.local_system import local_system, provision_users
from tests.e2e.helpers import baton, lead, unique_email
from tests.integration.helpers import ApiClient, publish_inquiry, wait_for

pytestmark = pytest.mark.e2e


def ids_in(file: Path, collection: str) -> set[str]:
    with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as db:
        return {row[0] for row in db.execute(f'SELECT _id FROM "{collection}"')}


def publishing(system, stop: threading.Event, sent: list):
    while not stop.is_set():
        email = unique_email()
        publish_inquiry(system.amqp_uri, lead(email), message_id=f"backup-{uuid.uuid4()}")
        sent.append(email)
        stop.wait(0.02)


@pytest.fixture
def system(tmp_path, mail_server):
    """A system of its own: every document of its backup is looked for, one by one."""
    with local_system(tmp_path / "source", env={"BATON_SMTP_PORT": str(mail_server.port)}) as running:
        yield running


def test_a_backup_under_load_restores_into_a_fresh_install_that_finds_everything(system, tmp_path, mail_server):
    token = provision_users(
        system,
        {"root": ("admin", None, None), "alice": ("member", "sales", "default"), "bob": ("member", "sales", "default")},
    )["root"]
    stop, sent = threading.Event(), []
    load = threading.Thread(target=publishing, args=(system, stop, sent))
    load.start()
    try:
        wait_for(lambda: len(sent) >= 20, what="inquiries flowing")
        folder = tmp_path / "backup"
        made = baton(system, "backup", str(folder), "--data-dir", str(system.data_dir))
    finally:
        stop.set()
        load.join()
    assert "baton_profile: " in made and "documents" in made
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["databases"]) == {
        f"baton_{s}" for s in ("intake", "profile", "pool", "handoff", "notification", "gateway")
    }
    customers = ids_in(folder / "baton_profile.db", "customers")
    inquiries = ids_in(folder / "baton_intake.db", "inquiries")
    holdings = ids_in(folder / "baton_pool.db", "holdings")
    reminders = ids_in(folder / "baton_notification.db", "reminders")
    assert manifest["databases"]["baton_profile"]["collections"]["customers"] == len(customers) > 0
    assert len(inquiries) >= len(customers) and holdings and reminders

    assert "not an empty folder" in baton(system, "backup", str(folder), "--data-dir", str(system.data_dir), ok=False)
    assert "stop it first" in baton(system, "restore", str(folder), "--data-dir", str(system.data_dir), ok=False)

    fresh = tmp_path / "restored"
    restored = baton(system, "restore", str(folder), "--data-dir", str(fresh))
    assert "restored 6 databases" in restored
    assert "already holds" in baton(system, "restore", str(folder), "--data-dir", str(fresh), ok=False)

    with local_system(fresh, env={"BATON_SMTP_PORT": str(mail_server.port)}) as copy:
        admin = ApiClient(copy.api, token)  # the users and tokens came back too
        assert admin.get("/me").json()["id"] == "root"
        for customer_id in sorted(customers):
            assert admin.get(f"/customers/{customer_id}").status_code == 200, customer_id
        for customer_id in sorted(holdings):
            assert admin.get(f"/customers/{customer_id}/owner").status_code == 200, customer_id
        for inquiry_id in sorted(inquiries):
            assert admin.get(f"/inquiries/{inquiry_id}").status_code == 200, inquiry_id
        for reminder_id in sorted(reminders):
            assert admin.get(f"/reminders/{reminder_id}").status_code == 200, reminder_id
