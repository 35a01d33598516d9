"""A salesperson leaves, played over HTTP: serving notice, their customers are handed over (a lead
nobody has contacted yet too: the checklist says "no contact yet"); then they are gone at once —
their open leaving handoffs close (info-pending ones too), the customers move, their reminders go
with the customers, and their sign-in ends with the last customer moved."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import get, new_customer
from tests.integration.helpers import ApiClient, wait_for

pytestmark = pytest.mark.e2e
PASSWORD = "leaving-day-42-Pass"


def send(client, method, path, body, expected):
    response = client.request(method, path, json=body)
    assert response.status_code == expected, response.text
    return response.json()


def new_salesperson(system, api, name):
    """A salesperson an admin adds (with a password and a token), known to the pool."""
    user_id = f"{name}-{uuid.uuid4().hex[:6]}"
    send(
        api,
        "POST",
        "/users",
        {"id": user_id, "name": name.capitalize(), "role": "member", "department": "sales", "team": "default"},
        201,
    )
    send(api, "PUT", f"/users/{user_id}/password", {"password": PASSWORD}, 200)
    token = send(api, "POST", f"/users/{user_id}/tokens", {"label": "laptop"}, 201)["token"]
    wait_for(
        lambda: user_id in {p["id"] for p in get(api, "/salespeople")["items"]},
        timeout=30,
        what=f"{user_id} to join the salespeople",
    )
    return user_id, ApiClient(system.api, token)


def claimed_by(system, api, people, user_id, client):
    """A customer of its own, released by its owner and claimed by ``user_id``."""
    customer = new_customer(system, api)
    if customer["owner_id"] != user_id:
        send(
            people[customer["owner_id"]],
            "POST",
            f"/customers/{customer['id']}/release",
            {"reason": "moving to key accounts"},
            200,
        )
        send(client, "POST", f"/customers/{customer['id']}/claim", {}, 200)
    wait_for(
        lambda: get(api, f"/customers/{customer['id']}")["owner_id"] == user_id,
        timeout=30,
        what=f"{user_id} to own {customer['id']}",
    )
    return customer["id"]


def user(api, user_id):
    """The user as admins list them."""
    return next(u for u in get(api, "/users", limit=200)["items"] if u["id"] == user_id)


def open_reminders(api, user_id, customer_id):
    return [r for r in get(api, f"/users/{user_id}/reminders", customer_id=customer_id, limit=100)["items"]]


def test_a_leaver_gone_at_once_leaves_no_open_handoff_no_reminder_and_no_sign_in(system, api, people):
    lena, as_lena = new_salesperson(system, api, "lena")
    lead = claimed_by(system, api, people, lena, as_lena)  # nobody has contacted it yet
    talked = claimed_by(system, api, people, lena, as_lena)
    send(
        as_lena,
        "POST",
        f"/customers/{talked}/communications",
        {
            "at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
            "method": "phone",
            "summary": "Jane wants 500 pcs of model X",
            "result": "no answer",
        },
        201,
    )
    wait_for(
        lambda: open_reminders(api, lena, lead) and open_reminders(api, lena, talked),
        timeout=30,
        what="lena's reminders: the lead's first touch, a second try of the unanswered call",
    )
    meier = people["meier"]

    # serving notice: each customer goes to bob by a handoff he signs
    serving = send(meier, "POST", f"/users/{lena}/leaving", {"to": "bob"}, 201)
    by_customer = {h["customer_id"]: h for h in serving["handoffs"]}
    lead_handoff, talked_handoff = by_customer[lead], by_customer[talked]
    history = {i["name"]: i for i in lead_handoff["checklist"]}["history_recorded"]
    assert (lead_handoff["state"], history["passed"]) == ("submitted", True)
    assert history["reason"].startswith("no contact yet")
    assert (talked_handoff["state"], talked_handoff["missing"]) == ("info_pending", ["open_items_listed"])
    assert serving["sign_in_ends_at"] is None  # she still holds both customers
    assert as_lena.get("/me").status_code == 200

    # then she is gone at once: the customers move, the open leaving handoffs close
    gone = send(
        meier,
        "POST",
        f"/users/{lena}/leaving",
        {"effective": "now", "packages": {talked: {"open_items": ["call Jane back about the 500 pcs"]}}},
        201,
    )
    states = {(h["customer_id"], h["state"]) for h in gone["handoffs"]}
    assert {(lead, "withdrawn"), (talked, "withdrawn"), (lead, "submitted"), (talked, "submitted")} == states
    for old in (lead_handoff, talked_handoff):
        assert get(api, f"/handoffs/{old['id']}")["state"] == "withdrawn"
    for customer_id in (lead, talked):
        wait_for(
            lambda c=customer_id: get(api, f"/customers/{c}")["owner_id"] == "bob",
            timeout=30,
            what=f"bob to own {customer_id}",
        )

    # her reminders go with the customers: nothing fires into a leaver's inbox
    for customer_id in (lead, talked):
        wait_for(
            lambda c=customer_id: not open_reminders(api, lena, c),
            timeout=30,
            what=f"lena's reminders of {customer_id} to close",
        )
    wait_for(
        lambda: [r for r in open_reminders(api, "bob", lead) if r["kind"] == "first_touch"],
        timeout=30,
        what="bob's first touch of the lead",
    )

    # and with her last customer moved, her sign-in ends
    assert gone["sign_in_ends_at"] is not None
    wait_for(lambda: as_lena.get("/me").status_code == 401, timeout=30, what="lena's token to stop working")
    refused = ApiClient(system.api).post("/sessions", json={"user_id": lena, "password": PASSWORD})
    assert refused.status_code == 401 and "has left" in refused.json()["error"]["message"]
    assert user(api, lena)["sign_in_ends_at"] is not None


def test_a_leaver_serving_notice_signs_in_until_the_date_given(system, api, people):
    leo, as_leo = new_salesperson(system, api, "leo")
    customer = claimed_by(system, api, people, leo, as_leo)
    last_day = (datetime.now(UTC) + timedelta(days=14)).replace(microsecond=0)
    result = send(
        people["meier"], "POST", f"/users/{leo}/leaving", {"to": "carol", "sign_in_until": last_day.isoformat()}, 201
    )
    assert datetime.fromisoformat(result["sign_in_ends_at"]) == last_day
    wait_for(
        lambda: user(api, leo)["sign_in_ends_at"] is not None, timeout=30, what="the gateway to know leo's last day"
    )
    assert as_leo.get("/me").status_code == 200  # until then he works on
    signed_in = ApiClient(system.api).post("/sessions", json={"user_id": leo, "password": PASSWORD})
    assert signed_in.status_code == 201, signed_in.text
    # carol signs for the customer: his last one has moved, so his sign-in ends now, before the date
    handoff = result["handoffs"][0]
    assert handoff["customer_id"] == customer
    send(people["carol"], "POST", f"/handoffs/{handoff['id']}/signatures", {}, 200)
    wait_for(lambda: as_leo.get("/me").status_code == 401, timeout=30, what="leo's token to stop working")
    assert datetime.fromisoformat(user(api, leo)["sign_in_ends_at"]) < last_day
