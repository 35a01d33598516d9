"""Faults under load, on a system of its own: while inquiries are published with broker confirms,
each service is killed once (SIGKILL: no goodbye, its unacknowledged messages go back), then the
broker itself is restarted holding inquiries not yet taken — a RabbitMQ node of this test's own
(tests/e2e/private_broker.py), shut down and booted again on its data, so the machine's broker and the
other systems it serves are left alone. Nothing confirmed is lost, and nobody gets two archives, two
owners or two first-touch reminders."""

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
from kombu import Connection, Exchange

from contracts.topology import INQUIRY_EXCHANGE, INTAKE_QUEUE
from deploy.local_system import local_system, provision_users, salespeople_known
from tests.e2e.helpers import get, lead, unique_email
from tests.e2e.private_broker import private_rabbitmq_node  # noqa: F401 (the fixture private_rabbitmq)
from tests.integration.helpers import ApiClient, wait_for

pytestmark = pytest.mark.e2e

INQUIRIES = 90
PUBLISH_SECONDS = 24
# Published at once just before the broker goes down, while intake is paused (SIGSTOP): the broker
# goes down holding them, in intake's queue or delivered and unacknowledged.
BURST = 20
# Every service, once: those an inquiry passes through on its way to an owner and a reminder,
# handoff beside them, and the gateway the API is read through.
KILLED = ("intake", "profile", "handoff", "pool", "notification", "gateway")
SALES = ("alice", "bob", "carol")
# After the restart every service is back within this. A running service reconnects by itself
# (nameko's consumer retries 2, 4, 6 … s apart); one that starts while the broker is away exits, and
# the supervisor starts it again 1, 2, 4 … s later. A busy machine boots the broker slowly too.
RECOVERY_SECONDS = 90


@pytest.fixture(scope="module")
def faulty(tmp_path_factory, mail_server, private_rabbitmq):  # mail_server: tests/conftest.py
    data_dir = tmp_path_factory.mktemp("baton-faults")
    env = {"BATON_SMTP_PORT": str(mail_server.port)}
    with local_system(data_dir, services=KILLED, env=env, amqp_uri=private_rabbitmq.amqp_uri) as running:
        tokens = provision_users(
            running, {"root": ("admin", None, None), **{person: ("member", "sales", "default") for person in SALES}}
        )
        salespeople_known(running, SALES)
        yield running, ApiClient(running.api, tokens["root"]), private_rabbitmq


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
    deadline = time.monotonic() + RECOVERY_SECONDS
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


def healthy(api: str) -> bool:
    """``/health`` is 200: every service answers, its store and its queues (each consumed) checked."""
    try:
        return requests.get(f"{api}/health", timeout=5, proxies={"http": "", "https": ""}).status_code == 200
    except requests.RequestException:
        return False


def test_killing_each_service_and_restarting_the_broker_under_load_loses_and_doubles_nothing(faulty):
    system, api, broker = faulty
    emails = [unique_email() for _ in range(INQUIRIES)]
    published = []

    def publish_all():
        for email in emails:
            publish_confirmed(system.amqp_uri, json.dumps(lead(email)).encode(), f"fault-{uuid.uuid4()}")
            published.append(email)
            time.sleep(PUBLISH_SECONDS / INQUIRIES)

    publisher = threading.Thread(target=publish_all, daemon=True)
    publisher.start()
    began, faults = time.monotonic(), []
    for name in KILLED:
        time.sleep(PUBLISH_SECONDS / (len(KILLED) + 2))
        pid = wait_for(lambda name=name: service_pids(system.supervisor_pid).get(name), what=f"{name} running")
        os.kill(pid, signal.SIGKILL)
        faults.append(f"killed {name}")
    time.sleep(1)
    intake = wait_for(lambda: service_pids(system.supervisor_pid).get("intake"), what="intake running")
    os.kill(intake, signal.SIGSTOP)
    try:
        burst = [unique_email() for _ in range(BURST)]
        for email in burst:
            publish_confirmed(system.amqp_uri, json.dumps(lead(email)).encode(), f"fault-burst-{uuid.uuid4()}")
        queued = broker.queue_messages().get(INTAKE_QUEUE, 0)
        down = time.monotonic()
        broker.restart()  # every connection goes; durable queues and persistent messages come back
    finally:
        os.kill(intake, signal.SIGCONT)
    assert queued >= BURST, f"the broker went down holding only {queued} inquiries"
    faults.append(f"restarted the broker holding {queued} inquiries ({time.monotonic() - down:.1f} s down)")
    wait_for(lambda: healthy(system.api), timeout=RECOVERY_SECONDS, interval=0.5, what=f"/health 200 after {faults}")
    faults.append(
        f"healthy {time.monotonic() - down:.1f} s after the restart began ({time.monotonic() - began:.0f} s in)"
    )
    publisher.join(timeout=90)
    assert len(published) == INQUIRIES, faults
    emails += burst

    def customers():
        items = get(api, "/customers", limit=200)["items"]
        owned = [c for c in items if c.get("owner_id")]
        return items if len(owned) >= len(emails) else None

    archives = wait_for(customers, timeout=90, interval=1, what=f"{len(emails)} owned customers after {faults}")
    by_email = Counter(contact.get("email") for archive in archives for contact in archive.get("contacts") or [])
    assert all(by_email[email] == 1 for email in emails), "an inquiry lost or filed twice"
    assert len(archives) == len(emails) and all(c["owner_id"] in SALES for c in archives)

    def first_touches():
        counted, whose = Counter(), {}
        for person in SALES:
            reminders = get(api, f"/users/{person}/reminders", limit=200)["items"]
            for reminder in (r for r in reminders if r["kind"] == "first_touch"):
                counted[reminder["customer_id"]] += 1
                whose[reminder["customer_id"]] = person
        return (counted, whose) if len(counted) >= len(emails) else None

    reminded, whose = wait_for(first_touches, timeout=60, interval=1, what="a first-touch reminder for each customer")
    assert set(reminded) == {c["id"] for c in archives} and set(reminded.values()) == {1}
    assert whose == {c["id"]: c["owner_id"] for c in archives}, "a first touch for someone who is not the owner"
    print(f"faults: {faults}; all checked {time.monotonic() - began:.0f} s in")
