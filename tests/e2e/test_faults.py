"""Faults under load, on a system of its own: while inquiries are published with broker confirms,
each service on their way is killed once (SIGKILL: no goodbye, its unacknowledged messages go back)
and every connection to the broker is cut once (as a broker restart is seen from the services,
without disturbing the other systems this broker serves). Nothing confirmed is lost, and nobody
gets two archives, two owners or two first-touch reminders."""

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from kombu import Connection, Exchange

from contracts.topology import INQUIRY_EXCHANGE
from deploy.local_system import local_system, management, provision_users
from tests.e2e.helpers import get, lead, unique_email
from tests.integration.helpers import ApiClient, wait_for

pytestmark = pytest.mark.e2e

INQUIRIES = 90
PUBLISH_SECONDS = 24
# Every service an inquiry passes through on its way to an owner and a reminder, and the API read.
KILLED = ("intake", "profile", "pool", "notification", "gateway")
SALES = ("alice", "bob", "carol")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory, mail_server):  # mail_server: tests/conftest.py
    data_dir = tmp_path_factory.mktemp("baton-faults")
    with local_system(data_dir, services=KILLED, env={"BATON_SMTP_PORT": str(mail_server.port)}) as running:
        tokens = provision_users(
            running, {"root": ("admin", None, None), **{person: ("member", "sales", "default") for person in SALES}}
        )
        yield running, ApiClient(running.api, tokens["root"])


def service_pids(supervisor_pid: int) -> dict[str, int]:
    """The supervisor's children by service name (``nameko run … services.<name>.service``)."""
    children = Path(f"/proc/{supervisor_pid}/task/{supervisor_pid}/children").read_text().split()
    found = {}
    for pid in children:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        module = next((part.decode() for part in command if part.startswith(b"services.")), None)
        if module:
            found[module.split(".")[1]] = int(pid)
    return found


def publish_confirmed(amqp_uri: str, body: bytes, message_id: str) -> None:
    """Publish until the broker confirms it (a cut connection is retried, with the same id)."""
    exchange = Exchange(INQUIRY_EXCHANGE, type="topic", durable=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
                connection.Producer().publish(
                    body,
                    exchange=exchange,
                    routing_key="inquiry",
                    message_id=message_id,
                    content_type="application/json",
                    delivery_mode=2,
                    declare=[exchange],
                )
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def cut_broker_connections(vhost: str) -> int:
    """Close every connection to ``vhost`` through the broker's management API."""
    cut = 0
    for connection in management("GET", f"/vhosts/{quote(vhost, safe='')}/connections"):
        management("DELETE", f"/connections/{quote(connection['name'], safe='')}")
        cut += 1
    return cut


def test_killing_each_service_and_cutting_the_broker_under_load_loses_and_doubles_nothing(faulty):
    system, api = faulty
    vhost = system.amqp_uri.rsplit("/", 1)[1]
    emails = [unique_email() for _ in range(INQUIRIES)]
    published = []

    def publish_all():
        for email in emails:
            publish_confirmed(system.amqp_uri, json.dumps(lead(email)).encode(), f"fault-{uuid.uuid4()}")
            published.append(email)
            time.sleep(PUBLISH_SECONDS / INQUIRIES)

    publisher = threading.Thread(target=publish_all, daemon=True)
    publisher.start()
    faults = []
    for name in KILLED:
        time.sleep(PUBLISH_SECONDS / (len(KILLED) + 2))
        pid = wait_for(lambda name=name: service_pids(system.supervisor_pid).get(name), what=f"{name} running")
        os.kill(pid, signal.SIGKILL)
        faults.append(f"killed {name}")
    time.sleep(1)
    cut = cut_broker_connections(vhost)
    assert cut >= len(KILLED), f"only {cut} connections to cut"  # each service holds at least one
    faults.append(f"cut {cut} broker connections")
    publisher.join(timeout=90)
    assert len(published) == INQUIRIES, faults

    def customers():
        items = get(api, "/customers", limit=200)["items"]
        owned = [c for c in items if c.get("owner_id")]
        return items if len(owned) >= INQUIRIES else None

    archives = wait_for(customers, timeout=90, interval=1, what=f"{INQUIRIES} owned customers after {faults}")
    by_email = Counter(contact.get("email") for archive in archives for contact in archive.get("contacts") or [])
    assert all(by_email[email] == 1 for email in emails), "an inquiry lost or filed twice"
    assert len(archives) == INQUIRIES and all(c["owner_id"] in SALES for c in archives)

    def first_touches():
        counted = Counter()
        for person in SALES:
            reminders = get(api, f"/users/{person}/reminders", limit=200)["items"]
            counted.update(r["customer_id"] for r in reminders if r["kind"] == "first_touch")
        return counted if len(counted) >= INQUIRIES else None

    reminded = wait_for(first_touches, timeout=60, interval=1, what="a first-touch reminder for each customer")
    assert set(reminded) == {c["id"] for c in archives} and set(reminded.values()) == {1}
