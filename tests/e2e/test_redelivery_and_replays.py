"""Issue 15, items 9 and 10 on the whole running system: a message the broker hands out again
changes nothing, a refusal's details keep their JSON types over HTTP, and a request refused
under an Idempotency-Key is processed when retried with that key after the fix."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from kombu import Connection, Exchange, Queue

from deploy.local_system import management
from tests.e2e.helpers import get, new_customer
from tests.integration.helpers import wait_for


def copy_queue(channel, service, event_type):
    """A queue of this test's own that gets a copy of every ``event_type`` ``service`` publishes."""
    exchange = Exchange(f"{service}.events", type="topic", no_declare=True)  # the service declared it
    queue = Queue(f"e2e-copy-{uuid.uuid4().hex[:8]}", exchange, routing_key=event_type, auto_delete=True)
    bound = queue(channel)
    bound.declare()
    return bound


def messages_about(bound, customer_id, seen):
    """Every message of ``bound`` so far (kept in ``seen``) that concerns ``customer_id``."""
    while (message := bound.get(no_ack=True)) is not None:
        seen.append(message)
    return [m for m in seen if json.loads(m.body).get("customer_id") == customer_id]


def drained(vhost, queue_name):
    found = management("GET", f"/queues/{quote(vhost, safe='')}/{quote(queue_name, safe='')}")
    return found["messages"] == 0 and found["consumers"] > 0


def test_a_customer_created_delivered_twice_gives_one_first_touch_and_one_assigned_entry(system, api):
    vhost = system.amqp_uri.rsplit("/", 1)[1]
    with Connection(system.amqp_uri) as connection:
        channel = connection.channel()
        created_copies = copy_queue(channel, "profile", "customer_created")
        allocated_copies = copy_queue(channel, "pool", "customer_allocated")
        customer = new_customer(system, api)
        owner, created, allocated = customer["owner_id"], [], []
        [original] = wait_for(lambda: messages_about(created_copies, customer["id"], created), what="customer_created")
        wait_for(lambda: messages_about(allocated_copies, customer["id"], allocated), what="customer_allocated")

        # The broker gives the same message again (a consumer died before its ack): the same bytes.
        connection.Producer(channel).publish(
            original.body,
            exchange=Exchange("profile.events", type="topic", no_declare=True),
            routing_key="customer_created",
            headers=original.headers,
            content_type=original.content_type,
            content_encoding=original.content_encoding,
            delivery_mode=2,
        )
        # pool says the allocation again; the handlers downstream have taken it when their queues are empty
        wait_for(
            lambda: len(messages_about(allocated_copies, customer["id"], allocated)) == 2,
            timeout=30,
            what="the allocation announced again",
        )
    for handler in ("notification.on_customer_allocated", "profile.on_customer_allocated"):
        wait_for(
            lambda handler=handler: drained(vhost, f"evt-pool-customer_allocated--{handler}"),
            timeout=30,
            what=f"{handler} to take it",
        )
    first_touches = get(api, f"/users/{owner}/reminders", customer_id=customer["id"], kind="first_touch")["items"]
    assert len(first_touches) == 1, first_touches
    timeline = get(api, f"/customers/{customer['id']}/timeline", limit=200)["items"]
    assert [e["kind"] for e in timeline].count("owner_assigned") == 1, [e["kind"] for e in timeline]


def test_a_refusal_keeps_its_types_and_a_key_reused_after_the_fix_is_processed(system, api, people):
    customer = new_customer(system, api)
    path, owner = f"/customers/{customer['id']}", people[customer["owner_id"]]
    ahead = (datetime.now(UTC) + timedelta(days=180)).isoformat()
    headers = {"Idempotency-Key": f"contact-{uuid.uuid4().hex[:8]}"}
    note = {"method": "phone", "summary": "called about the CE certificate"}
    refused = owner.post(f"{path}/communications", json={**note, "at": ahead}, headers=headers)
    assert refused.status_code == 422, refused.text
    assert list(refused.json()["error"]["details"]["fields"]) == ["at"]
    now = {**note, "at": datetime.now(UTC).isoformat()}
    fixed = owner.post(f"{path}/communications", json=now, headers=headers)
    assert fixed.status_code in (200, 201), fixed.text  # the refusal was not kept for a replay
    assert "Idempotent-Replay" not in fixed.headers
    again = owner.post(f"{path}/communications", json=now, headers=headers)  # a success is replayed
    assert (again.status_code, again.headers.get("Idempotent-Replay")) == (fixed.status_code, "true")
    assert len(get(api, path)["communications"]) == 1
    # a refusal from another service reaches the caller with its JSON types: booleans, lists, numbers
    handed = owner.post("/handoffs", json={"kind": "sales_to_service", "customer_id": customer["id"], "to": ["sam"]})
    assert handed.status_code == 422, handed.text
    details = handed.json()["error"]["details"]
    assert details["items"] and all(isinstance(item["passed"], bool) for item in details["items"]), details
    assert isinstance(details["missing"], list) and isinstance(details["info_pending_allowed"], bool)
