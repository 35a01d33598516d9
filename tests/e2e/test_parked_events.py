"""An event no handler can take, on the real system: it is given again a few times, then parked
with the error where an admin finds it, and the queue goes on; retried, it is handled or parked again."""

from nameko.standalone.events import event_dispatcher

from tests.e2e.helpers import baton, new_customer
from tests.integration.helpers import wait_for


def parked_allocations(api):
    page = api.get("/parked-events", params={"event_type": "customer_allocated"}).json()
    return sorted(f"{p['service']}.{p['handler']}" for p in page["items"]), page["items"]


def test_a_malformed_event_is_parked_with_its_error_listed_and_retried(system, api, people):
    # A pool that published a customer_allocated without its owner (a bug, a bad deploy).
    event_dispatcher({"AMQP_URI": system.amqp_uri})("pool", "customer_allocated", {"customer_id": "cus_ghost"})
    handlers = [
        "handoff.on_customer_allocated",
        "notification.on_customer_allocated",
        "profile.on_customer_allocated",
    ]
    _, items = wait_for(
        lambda: (found := parked_allocations(api))[0] == handlers and found,
        timeout=60,
        what="the event parked by each service that handles it",
    )
    assert all(
        p["attempts"] == 8 and "owner_id" in p["error"] and p["payload"] == {"customer_id": "cus_ghost"} for p in items
    )
    # the queues went on: the next inquiry is filed, allocated and reminded as usual
    assert new_customer(system, api)["owner_id"]
    # only an admin sees or retries them, through the API or the command line
    assert people["meier"].get("/parked-events").status_code == 403
    listed = baton(system, "events", "parked", "--service", "profile")
    assert "profile.on_customer_allocated (pool customer_allocated, 8 attempts)" in listed and "owner_id" in listed
    by_service = {p["service"]: p["id"] for p in items}
    assert api.post("/parked-events/retry", json={"ids": [by_service["notification"]]}).json()["retried"] == [
        by_service["notification"]
    ]
    assert f"1 handed to their handlers again\n  {by_service['profile']}" in baton(
        system, "events", "retry", "--id", by_service["profile"]
    )
    # back on their queues, each fails its 8 attempts again and is parked anew
    first_parked = {p["id"]: p["parked_at"] for p in items}
    wait_for(
        lambda: (
            (again := [p for p in parked_allocations(api)[1] if p["service"] in ("notification", "profile")])
            and len(again) == 2
            and all(p["parked_at"] > first_parked[p["id"]] for p in again)
        ),
        timeout=60,
        what="the still-malformed event parked again",
    )
