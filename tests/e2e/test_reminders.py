"""Reminders through the whole system: an assignment's first touch fires once on time, a
recorded contact sets the next follow-up by cadence; a restart between scheduling and firing,
two notification instances racing, and email and webhook endpoints that fail then recover.

The system's own timer fires by the real clock; these tests drive ``fire_due(now)`` over AMQP
RPC with a clock days ahead, as an operator replaying a schedule would.
"""

import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.local_system import REPO, management
from tests.e2e.helpers import get, inbox_of, lead, new_customer, unique_email
from tests.endpoints import RecordingHttpServer
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.e2e
SECRET = "e2e-webhook-secret-0123456789"


def fire_due(system, now, calls=1):
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri, "serializer": "json"}, timeout=120) as cluster:
        replies = [cluster.notification.fire_due.call_async(now.isoformat()) for _ in range(calls)]
        return [reply.result() for reply in replies]


def reminders(api, user, **query):
    return get(api, f"/users/{user}/reminders", limit=200, **query)["items"]


def reminder_of(api, user, customer_id, kind, **query):
    return next(r for r in reminders(api, user, **query) if r["customer_id"] == customer_id and r["kind"] == kind)


def inbox_entries(api, user, customer_id):
    return [e for e in inbox_of(api, user) if e["customer_id"] == customer_id]


def new_customer_with_first_touch(system, api):
    customer = new_customer(system, api)
    first = wait_for(
        lambda: next((r for r in reminders(api, customer["owner_id"]) if r["customer_id"] == customer["id"]), None),
        timeout=30,
        what="first touch",
    )
    return customer, first


def test_assignment_reminder_fires_once_and_a_recorded_follow_up_sets_the_next_by_cadence(system, api):
    customer, first = new_customer_with_first_touch(system, api)
    owner, due = customer["owner_id"], datetime.fromisoformat(first["due_at"])
    fire_due(system, due - timedelta(minutes=5))
    assert inbox_entries(api, owner, customer["id"]) == []
    fire_due(system, due + timedelta(minutes=1))
    fire_due(system, due + timedelta(minutes=2))
    entries = inbox_entries(api, owner, customer["id"])
    assert [(e["kind"], e["due_at"]) for e in entries] == [("first_touch", first["due_at"])]
    assert reminder_of(api, owner, customer["id"], "first_touch")["status"] == "fired"
    contacted_at = datetime.now(UTC).replace(microsecond=0)
    note = {
        "at": contacted_at.isoformat(),
        "method": "phone",
        "by": owner,
        "summary": "phone call, customer confirmed 2,000 pcs, quote sent",
        "result": "quote requested",
    }
    recorded = api.post(f"/customers/{customer['id']}/communications", json=note, timeout=10)
    assert recorded.status_code == 201, recorded.text
    follow_up = wait_for(
        lambda: next(
            (r for r in reminders(api, owner) if r["customer_id"] == customer["id"] and r["kind"] == "follow_up"), None
        ),
        timeout=30,
        what="the next follow-up",
    )
    # intent grade A ("2,000 pcs … by March"): 2-3 times a week, so 3 days after the contact
    assert datetime.fromisoformat(follow_up["due_at"]) == contacted_at + timedelta(days=3)
    done = reminder_of(api, owner, customer["id"], "first_touch", status="done")
    assert done["close_reason"].startswith(f"contacted by {owner} (phone)")
    # the follow-up's reminder_scheduled reaches profile's timeline by an event of its own
    wait_for(
        lambda: (
            [e["kind"] for e in get(api, f"/customers/{customer['id']}/timeline", include="reminders")["items"]].count(
                "reminder_scheduled"
            )
            == 2
        ),
        timeout=30,
        what="both reminders on the timeline",
    )


def notification_pid(system):
    found = subprocess.run(
        ["pgrep", "-P", str(system.supervisor_pid), "-f", "services.notification.service"],
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(found[0]) if found else None


def test_a_restart_between_scheduling_and_firing_fires_the_reminder_once(system, api):
    customer, first = new_customer_with_first_touch(system, api)
    killed = notification_pid(system)
    os.kill(killed, signal.SIGKILL)
    wait_for(lambda: notification_pid(system) not in (None, killed), timeout=60, what="notification to restart")
    wait_for(lambda: _consumers(system, "rpc-notification") >= 1, timeout=60, what="notification to listen")
    due = datetime.fromisoformat(first["due_at"]) + timedelta(minutes=1)
    fire_due(system, due)
    fire_due(system, due + timedelta(minutes=1))
    assert len(inbox_entries(api, customer["owner_id"], customer["id"])) == 1


def _consumers(system, queue):
    vhost = system.amqp_uri.rsplit("/", 1)[1]
    return management("GET", f"/queues/{vhost}/{queue}").get("consumers", 0)


@pytest.fixture
def second_instance(system, tmp_path):
    """Another notification process on the same broker and store, as a second machine would run."""
    env = {
        **os.environ,
        "BATON_AMQP_URI": system.amqp_uri,
        "BATON_MONGO_URI": system.mongo_uri,
        "BATON_TEST_CLOCK": "1",  # as the system under test runs: fire_due is given the time
    }
    log = open(tmp_path / "notification-2.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "nameko", "run", "--config", "deploy/config.yaml", "services.notification.service"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: _consumers(system, "rpc-notification") >= 2, timeout=60, what="a second instance")
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_two_notification_instances_racing_fire_each_reminder_once(system, api, second_instance):
    made = [new_customer_with_first_touch(system, api) for _ in range(5)]
    latest = max(datetime.fromisoformat(first["due_at"]) for _, first in made)
    results = fire_due(system, latest + timedelta(minutes=1), calls=6)  # spread over both instances
    assert len(results) == 6
    for customer, _first in made:
        assert len(inbox_entries(api, customer["owner_id"], customer["id"])) == 1


def test_email_and_webhook_deliveries_fail_then_recover(system, api, mail_server):
    user = f"erin-{uuid.uuid4().hex[:6]}"
    with RecordingHttpServer(answers=(500, 200)) as hook:
        prefs = {
            "channels": ["inbox", "email", "webhook"],
            "time_zone": "Europe/Berlin",
            "addresses": {"email": f"{user}@example.com", "webhook": hook.url},
            "secrets": {"webhook": SECRET},
        }
        saved = api.put(f"/users/{user}/preferences", json=prefs, timeout=10)
        assert saved.status_code == 200, saved.text
        assert saved.json()["secrets_set"] == ["webhook"]
        card = {"created_by": user, "customer": lead(unique_email()) | {"channel": "trade_show"}}
        assert api.post("/customers", json=card, timeout=10).status_code == 201
        first = wait_for(lambda: next(iter(reminders(api, user)), None), timeout=30, what="the first touch")
        mail_server.refusals = 1
        now = datetime.fromisoformat(first["due_at"]) + timedelta(minutes=1)
        fire_due(system, now)
        pending = get(api, "/deliveries", user_id=user, status="pending")["items"]
        assert sorted(d["channel"] for d in pending) == ["email", "webhook"]
        fire_due(system, now + timedelta(seconds=31))
        delivered = get(api, "/deliveries", user_id=user, status="delivered")["items"]
        assert sorted(d["channel"] for d in delivered) == ["email", "inbox", "webhook"]
        by_channel = {d["channel"]: [a["ok"] for a in d["attempts"]] for d in delivered}
        assert by_channel == {"email": [False, True], "inbox": [True], "webhook": [False, True]}
        assert len(hook.received) == 2 and hook.received[1]["json"]["user_id"] == user
    mails = [m for m in mail_server.messages if m["To"] == f"{user}@example.com"]
    assert len(mails) == 1 and "First touch due" in mails[0]["Subject"]
    inbox = get(api, f"/users/{user}/inbox")["items"]
    assert len(inbox) == 1
    read = api.post(f"/users/{user}/inbox/{inbox[0]['id']}/read", json={"by": user}, timeout=10)
    assert read.status_code == 200 and read.json()["read"] is True
    snoozed = api.post(
        f"/reminders/{first['id']}/snooze", json={"by": user, "minutes": 60, "reason": "at a trade show"}, timeout=10
    )
    assert snoozed.status_code == 200 and snoozed.json()["status"] == "pending"
    done = api.post(f"/reminders/{first['id']}/done", json={"by": user}, timeout=10)
    assert done.status_code == 200 and done.json()["status"] == "done"
    refused = api.put(f"/users/{user}/preferences", json={"channels": ["pager"]}, timeout=10)
    assert refused.status_code == 400 and "channels" in refused.json()["error"]["details"]["fields"]
    channels = {c["name"] for c in get(api, "/notification-channels")["channels"]}
    assert channels == {"inbox", "email", "webhook", "chat"}


def test_the_owner_regrades_a_customer_and_is_reminded_a_quarter_later(system, api, people):
    customer = new_customer(system, api)
    owner = people[customer["owner_id"]]
    filed = wait_for(
        lambda: next(iter(reminders(api, customer["owner_id"], kind="regrade", customer_id=customer["id"])), None),
        timeout=30,
        what="the regrade of the filing's grade",
    )
    graded = owner.post(
        f"/customers/{customer['id']}/grades", json={"value_grade": "A", "reason": "three orders, paid on time"}
    )
    assert graded.status_code == 200, graded.text
    body = graded.json()
    assert (body["value_grade"]["grade"], body["value_grade"]["rule"]) == ("A", f"by {customer['owner_id']}")
    due = datetime.fromisoformat(body["graded_at"]) + timedelta(days=90)
    moved = wait_for(
        lambda: [
            r
            for r in reminders(api, customer["owner_id"], kind="regrade", customer_id=customer["id"])
            if r["id"] != filed["id"]
        ],
        timeout=30,
        what="the next quarter's regrade",
    )
    assert [datetime.fromisoformat(r["due_at"]) for r in moved] == [due]
    closed = reminder_of(api, customer["owner_id"], customer["id"], "regrade", status="done")
    assert closed["id"] == filed["id"] and closed["close_reason"].startswith("graded on")
    refused = people["mia"].post(f"/customers/{customer['id']}/grades", json={"value_grade": "B", "reason": "x"})
    assert refused.status_code == 403
    bad = owner.post(f"/customers/{customer['id']}/grades", json={"value_grade": "E", "reason": "x"})
    assert bad.status_code == 400 and "value_grade" in bad.json()["error"]["details"]["fields"]
