"""Requirement changes that reach the order, as people make them over HTTP: a salesperson logs a call
whose 【特殊】 lines state the voltage and plug (production may start on them, nobody types them
again); the customer then asks to deliver 10 days earlier — the order's date moves, the gate and
the timeline read the new one, and everyone holding part of the customer (production who started,
service with an open case, the owner's manager) is told, the note with it."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import get, new_customer
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.e2e


def send(client, method, path, body, expected):
    response = client.request(method, path, json=body)
    assert response.status_code == expected, response.text
    return response.json()


def told(api, person, customer_id):
    """``person``'s requirement_changed reminders about the customer (open or already fired)."""
    return [
        r
        for r in get(api, f"/users/{person}/reminders", kind="requirement_changed", customer_id=customer_id, limit=100)[
            "items"
        ]
    ]


def test_a_special_line_counts_as_the_requirement_and_a_change_moves_the_order_and_reaches_everyone(
    system, api, people
):
    customer = new_customer(system, api)
    cid, owner_id = customer["id"], customer["owner_id"]
    owner, pete = people[owner_id], people["pete"]
    now = datetime.now(UTC)

    # the order, as sales records it
    archive = send(
        owner,
        "POST",
        f"/customers/{cid}/orders",
        {
            "at": (now - timedelta(hours=1)).isoformat(),
            "amount": 12000,
            "currency": "USD",
            "products": ["LED panel 60x60"],
            "delivery_date": "2027-01-15",
            "payment_method": "30% T/T, 70% before shipment",
        },
        201,
    )
    order_id = archive["orders"][-1]["id"]

    # a call logged in the notes convention: its 【特殊】 lines state the voltage, plug and certification
    send(
        owner,
        "POST",
        f"/customers/{cid}/communications",
        {
            "at": (now - timedelta(minutes=5)).isoformat(),
            "method": "phone",
            "result": "order confirmed",
            "summary": "Confirmed the order with Jane.\n【特殊】needs 110V\n【特殊】美规插头，需要UL认证",
        },
        201,
    )
    fields = wait_for(
        # the three stated requirements are written one after another: wait for all of them
        lambda: (
            (f := get(owner, f"/customers/{cid}/requirements")["fields"]).keys()
            >= {"voltage", "plug_type", "certification"}
            and f
        ),
        timeout=30,
        what="the voltage, plug and certification read from the call",
    )
    assert {name: fields[name]["value"] for name in ("voltage", "plug_type", "certification")} == {
        "voltage": "110V",
        "plug_type": "US",
        "certification": "UL",
    }
    assert fields["voltage"]["note"] == "needs 110V" and fields["voltage"]["by"] == owner_id
    assert "needs 110V" in get(owner, f"/customers/{cid}")["special_requirements"]  # still kept in words

    # production may start on it: nothing typed twice
    send(owner, "POST", f"/customers/{cid}/steps/order_confirmed", {}, 200)
    steps = {s["step"]: s for s in send(pete, "POST", f"/customers/{cid}/steps/production_start", {}, 200)["steps"]}
    assert steps["production_start"]["started"]["by"] == "pete"

    # service holds part of the customer through an open case
    send(
        owner,
        "POST",
        "/handoffs",
        {
            "kind": "repair_case",
            "customer_id": cid,
            "to": ["sam"],
            "package": {
                "case": {"order_id": order_id, "fault": "two panels flicker", "address": "Jane Doe, 1 Main St, Ohio"}
            },
        },
        201,
    )

    # the customer asks on WhatsApp to deliver 10 days earlier
    register = send(
        owner,
        "PUT",
        f"/customers/{cid}/requirements/delivery_date",
        {"shift_days": -10, "note": "deliver 10 days earlier", "source": "whatsapp"},
        200,
    )
    change = register["changes"][-1]
    assert (change["field"], change["before"], change["after"], change["order_id"], change["note"]) == (
        "delivery_date",
        "2027-01-15",
        "2027-01-05",
        order_id,
        "deliver 10 days earlier",
    )
    assert sorted(change["notified"]) == sorted({"pete", "sam"} - {owner_id})

    # the order has the new date, and what reads it does too
    order = get(owner, f"/customers/{cid}")["orders"][-1]
    assert (order["id"], order["delivery_date"]) == (order_id, "2027-01-05")
    timeline = get(owner, f"/customers/{cid}/timeline", limit=100)["items"]
    amended = [e for e in timeline if e["kind"] == "order_amended"]
    assert len(amended) == 1 and amended[0]["details"]["before"] == "2027-01-15"
    assert amended[0]["details"]["after"] == "2027-01-05" and amended[0]["details"]["note"] == "deliver 10 days earlier"
    confirmed = {s["step"]: s for s in get(owner, f"/customers/{cid}/steps")["steps"]}["order_confirmed"]
    assert confirmed["open"] is True

    # production, service and the owner's manager are told, with the note; the owner who changed it is not
    for person in ("pete", "sam", "meier"):
        reminders = wait_for(lambda person=person: told(api, person, cid), timeout=30, what=f"{person} to be told")
        details = [r for r in reminders if r["details"].get("field") == "delivery_date"][0]["details"]
        assert (details["before"], details["after"], details["note"], details["order_id"]) == (
            "2027-01-15",
            "2027-01-05",
            "deliver 10 days earlier",
            order_id,
        )
    assert not [r for r in told(api, owner_id, cid) if r["details"].get("field") == "delivery_date"]

    # asked again, nothing changes twice
    again = send(owner, "PUT", f"/customers/{cid}/requirements/delivery_date", {"value": "2027-01-05"}, 200)
    assert len(again["changes"]) == len(register["changes"])


def test_a_requirement_change_that_cannot_be_made_names_the_field_and_the_reason(system, api, people):
    customer = new_customer(system, api)
    cid, owner = customer["id"], people[customer["owner_id"]]
    path = f"/customers/{cid}/requirements"
    cases = [
        ("delivery_date", {"shift_days": -10}, "shift_days", "no date yet"),
        ("delivery_date", {"value": "next week"}, "value", "YYYY-MM-DD"),
        ("voltage", {"shift_days": 3}, "shift_days", "not a date"),
        ("delivery_date", {"value": "2027-02-01", "order_id": "ord_nope"}, "order_id", "no order ord_nope"),
        ("delivery_date", {"value": "2027-02-01", "shift_days": 2}, "value", "either value or shift_days"),
    ]
    for field, body, named, reason in cases:
        response = owner.put(f"{path}/{field}", json=body)
        assert response.status_code == 400, (body, response.text)
        error = response.json()["error"]
        assert named in error["details"]["fields"], (body, error)
        assert reason in " ".join(error["details"]["fields"][named]), (body, error)
    assert get(owner, path)["changes"] == []
