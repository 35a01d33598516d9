"""Handoffs through the whole system, as people use them over HTTP: a customer's journey from
marketing to sales to service, a vague lead refused, info pending that expires, a return and a
resubmission, a handoff withdrawn and sent again, a team that signs one by one, a gate that refuses a step."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import get, lead, marketing_lead, new_customer, unique_email
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.e2e
SALES = ("alice", "bob", "carol")


def post(client, path, body, expected=201, method="POST", **headers):
    """As the person ``client`` is: every call acts as its caller, so bodies name nobody."""
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == expected, response.text
    return response.json()


def somebody_else(owner):
    return next(person for person in SALES if person != owner)


def record_contact(client, customer_id, days_ago, summary, **more):
    at = datetime.now(UTC) - timedelta(days=days_ago)
    post(
        client,
        f"/customers/{customer_id}/communications",
        {"at": at.isoformat(), "method": "phone", "summary": summary, **more},
        **{"Idempotency-Key": f"{customer_id}-{days_ago}-{client.token[-8:]}"},
    )


def reminders_about(api, person, handoff_id, kind, status="open"):
    return [
        r
        for r in get(api, f"/users/{person}/reminders", kind=kind, status=status, limit=200)["items"]
        if r["subject_id"] == handoff_id
    ]


def owner_becomes(api, customer_id, person):
    return wait_for(
        lambda: (
            get(api, f"/customers/{customer_id}/owner")["owner_id"] == person
            and get(api, f"/customers/{customer_id}")["owner_id"] == person
        ),
        timeout=30,
        what=f"{person} to own {customer_id}",
    )


def test_a_customer_travels_from_marketing_to_sales_to_service(system, api, people):
    customer = marketing_lead(system, api)
    salesperson = somebody_else(customer["owner_id"])
    mia, seller, sam = people["mia"], people[salesperson], people["sam"]
    record_contact(
        mia,
        customer["id"],
        2,
        "phone call, customer confirmed 2,000 pcs of model X",
        result="asked for a quote by Friday",
    )
    assert get(mia, f"/customers/{customer['id']}/checklists/marketing_to_sales")["passed"] is True
    handed = post(
        mia,
        "/handoffs",
        {
            "kind": "marketing_to_sales",
            "customer_id": customer["id"],
            "to": [salesperson],
            "package": {"notes": "met at the Canton Fair"},
        },
        **{"Idempotency-Key": f"m2s-{customer['id']}"},
    )
    assert handed["state"] == "submitted" and handed["submitted_by"] == "mia"
    waiting = get(seller, f"/users/{salesperson}/handoffs/waiting")["items"]
    assert handed["id"] in [h["id"] for h in waiting]
    first_view = get(seller, f"/handoffs/{handed['id']}")  # before they own it: the receiver reads the package
    assert first_view["package"]["notes"] == "met at the Canton Fair"
    assert first_view["package"]["core_needs"] == [lead(unique_email())["message"]]
    assert {"inquiry_received", "customer_created", "communication_recorded", "handoff_submitted"} <= {
        e["kind"] for e in first_view["timeline"]
    }
    assert people["erik" if salesperson != "erik" else "dora"].get(f"/handoffs/{handed['id']}").status_code == 403
    assert post(seller, f"/handoffs/{handed['id']}/signatures", {}, 200)["state"] == "accepted"
    owner_becomes(api, customer["id"], salesperson)

    # sales follows up, closes the deal and hands the customer to service
    record_contact(
        seller, customer["id"], 1, "video call, walked through the X-200 spec sheet", result="sample approved"
    )
    record_contact(
        seller, customer["id"], 0, "phone call, order confirmed\n【特殊】needs CE marking", result="order placed"
    )
    post(
        seller,
        f"/customers/{customer['id']}/orders",
        {
            "at": datetime.now(UTC).isoformat(),
            "amount": 48000,
            "currency": "USD",
            "delivery_date": "2027-03-01",
            "payment_method": "30% T/T deposit, 70% before shipment",
        },
        **{"Idempotency-Key": f"order-{customer['id']}"},
    )
    assert sam.get(f"/customers/{customer['id']}").status_code == 403  # not service's yet
    to_service = post(
        seller,
        "/handoffs",
        {
            "kind": "sales_to_service",
            "customer_id": customer["id"],
            "to": ["sam"],
            "package": {
                "pain_points": ["their last supplier shipped late twice"],
                "solution": "X-200 with a spare parts kit",
                "open_items": ["send the CE declaration"],
                "cautions": ["dislikes hard discount pitches"],
            },
        },
    )
    assert to_service["state"] == "submitted", to_service["checklist"]
    assert to_service["package"]["special_requirements"] == ["needs CE marking"]
    assert post(sam, f"/handoffs/{to_service['id']}/signatures", {}, 200)["state"] == "accepted"
    wait_for(
        lambda: "sam" in get(api, f"/customers/{customer['id']}/owner")["collaborators"],
        timeout=30,
        what="service to work on the customer",
    )
    assert get(api, f"/customers/{customer['id']}/owner")["owner_id"] == salesperson
    served = wait_for(
        lambda: (c := sam.get(f"/customers/{customer['id']}")).status_code == 200 and c.json(),
        timeout=30,
        what="service to see the customer it works on",
    )
    assert served["cautions"] == ["dislikes hard discount pitches"] and "service" in served["departments"]
    assert served["orders"][0]["amount"] is None  # prices stay with sales
    assert get(people["svc-lead"], f"/customers/{customer['id']}")["id"] == customer["id"]
    handoffs = get(seller, f"/customers/{customer['id']}/handoffs")["items"]
    assert {(h["kind"], h["state"]) for h in handoffs} == {
        ("marketing_to_sales", "accepted"),
        ("sales_to_service", "accepted"),
    }
    measured = {p["name"]: p for p in get(people["meier"], "/measures/handoffs")["people"]}
    assert measured["mia"]["sent"] >= 1 and measured["sam"]["signed"] >= 1
    assert seller.get("/measures/handoffs").status_code == 403
    # centuries of months are refused naming the field, not counted until the gateway gives up
    ancient = people["meier"].get("/measures/handoffs", params={"since": "0514-07-02T07:46:24Z"})
    assert ancient.status_code in (400, 422) and "since" in ancient.json()["error"]["details"]["fields"]


def test_a_lead_with_a_vague_need_is_refused_naming_what_is_missing(system, api, people):
    customer = marketing_lead(system, api, message="Hi, we are interested in your products.")
    response = people["mia"].post(
        "/handoffs",
        json={"kind": "marketing_to_sales", "customer_id": customer["id"], "to": [somebody_else(customer["owner_id"])]},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "refused" and "need_is_specific" in error["details"]["missing"]
    reasons = {i["name"]: i["reason"] for i in error["details"]["items"]}
    assert "'interested'" in reasons["need_is_specific"]
    assert get(api, f"/customers/{customer['id']}/handoffs")["total"] == 0


def test_info_pending_that_expires_is_overdue_for_both_sides(system, api, people):
    customer = marketing_lead(system, api, message="wants to cooperate")
    receiver = somebody_else(customer["owner_id"])
    deadline = datetime.now(UTC) + timedelta(seconds=3)
    pending = post(
        people["mia"],
        "/handoffs",
        {
            "kind": "marketing_to_sales",
            "customer_id": customer["id"],
            "to": [receiver],
            "info_pending": True,
            "pending_until": deadline.isoformat(),
        },
    )
    assert (pending["state"], pending["missing"]) == ("info_pending", ["need_is_specific", "contact_attempted"])
    refused = people[receiver].post(f"/handoffs/{pending['id']}/signatures", json={})
    assert refused.status_code == 409 and "Information is pending" in refused.json()["error"]["message"]
    overdue = wait_for(
        lambda: [h for h in get(api, "/handoffs", overdue="true", limit=200)["items"] if h["id"] == pending["id"]],
        timeout=30,
        what="the handoff to be overdue",
    )
    assert overdue[0]["overdue"] is True
    assert pending["id"] in get(api, "/measures/handoffs")["overdue"]
    assert get(people[receiver], f"/handoffs/{pending['id']}")["overdue"] is True
    for person in ("mia", receiver):  # notification tells both sides once the deadline passes
        wait_for(
            lambda person=person: reminders_about(
                people[person], person, pending["id"], "info_pending", status="fired"
            ),
            timeout=90,
            what=f"{person} to be told the info-pending deadline passed",
        )


def test_a_returned_handoff_keeps_its_history_and_is_signed_when_resubmitted(system, api, people):
    customer = marketing_lead(system, api)
    receiver = somebody_else(customer["owner_id"])
    mia = people["mia"]
    record_contact(mia, customer["id"], 1, "email sent with the catalogue", result="customer replied")
    handed = post(mia, "/handoffs", {"kind": "marketing_to_sales", "customer_id": customer["id"], "to": [receiver]})
    assert people[receiver].post(f"/handoffs/{handed['id']}/resubmissions", json={}).status_code == 403
    returned = post(
        people[receiver], f"/handoffs/{handed['id']}/returns", {"reasons": ["which voltage do they need?"]}, 200
    )
    assert returned["state"] == "returned" and returned["returns"][0]["reasons"] == ["which voltage do they need?"]
    told = wait_for(
        lambda: reminders_about(mia, "mia", handed["id"], "handoff_returned", status="fired"),
        timeout=90,
        what="the sender to be told of the return",
    )
    assert "which voltage do they need?" in told[0]["message"]
    assert get(mia, "/users/mia/handoffs/sent", state="returned")["total"] >= 1
    again = post(
        mia,
        f"/handoffs/{handed['id']}/resubmissions",
        {"package": {"notes": "they need 110V, confirmed by email"}},
        200,
        **{"Idempotency-Key": f"again-{handed['id']}"},
    )
    assert (again["state"], again["attempt"]) == ("resubmitted", 2)
    signed = post(people[receiver], f"/handoffs/{handed['id']}/signatures", {}, 200)
    assert [h["action"] for h in signed["history"]] == ["submitted", "returned", "resubmitted", "signed", "accepted"]
    owner_becomes(api, customer["id"], receiver)


def test_a_handoff_sent_to_the_wrong_person_is_withdrawn_and_sent_again(system, api, people):
    customer = marketing_lead(system, api)
    wrong, right = [p for p in SALES if p != customer["owner_id"]][:2]
    mia = people["mia"]
    record_contact(mia, customer["id"], 1, "email sent with the catalogue", result="customer replied")
    handed = post(mia, "/handoffs", {"kind": "marketing_to_sales", "customer_id": customer["id"], "to": [wrong]})
    assert people[wrong].post(f"/handoffs/{handed['id']}/withdrawal", json={"reason": "x"}).status_code == 403
    withdrawn = post(mia, f"/handoffs/{handed['id']}/withdrawal", {"reason": "meant for the German desk"}, 200)
    assert withdrawn["state"] == "withdrawn" and withdrawn["history"][-1]["by"] == "mia"
    told = wait_for(
        lambda: reminders_about(people[wrong], wrong, handed["id"], "handoff_withdrawn", status="fired"),
        timeout=90,
        what="the receiver to be told of the withdrawal",
    )
    assert "meant for the German desk" in told[0]["message"]
    assert handed["id"] not in [h["id"] for h in get(people[wrong], f"/users/{wrong}/handoffs/waiting")["items"]]
    again = post(mia, "/handoffs", {"kind": "marketing_to_sales", "customer_id": customer["id"], "to": [right]})
    post(people[right], f"/handoffs/{again['id']}/signatures", {}, 200)
    owner_becomes(api, customer["id"], right)


def test_a_high_value_team_handoff_waits_for_its_last_member(system, api, people):
    customer = new_customer(system, api)
    owner = customer["owner_id"]
    lead_member = somebody_else(owner)
    for days_ago, summary in (
        (3, "first call about the machining line"),
        (2, "tech call about tolerances"),
        (1, "visit planned for the factory audit"),
    ):
        record_contact(people[owner], customer["id"], days_ago, summary, result="next step agreed")
    team = post(
        people[owner],
        "/handoffs",
        {
            "kind": "high_value_team",
            "customer_id": customer["id"],
            "to": [lead_member, "tom", "sue"],
            "package": {
                "expected_annual_value": 5_000_000,
                "pain_points": ["machines must hold ±0.01 mm"],
                "cautions": ["never propose ordinary spare parts"],
                "no_special_requirements": True,
                "no_open_items": True,
            },
        },
    )
    assert team["state"] == "submitted" and team["new_owner_id"] == lead_member
    post(people["tom"], f"/handoffs/{team['id']}/signatures", {}, 200)
    partial = post(people[lead_member], f"/handoffs/{team['id']}/signatures", {}, 200)
    assert (partial["state"], partial["awaiting"]) == ("submitted", ["sue"])
    assert get(api, f"/customers/{customer['id']}/owner")["owner_id"] == owner
    assert team["id"] in [h["id"] for h in get(people["sue"], "/users/sue/handoffs/waiting")["items"]]
    wait_for(
        lambda: reminders_about(people["sue"], "sue", team["id"], "handoff_waiting"),
        timeout=30,
        what="sue to be told the handoff waits for her",
    )
    post(people["sue"], f"/handoffs/{team['id']}/signatures", {}, 200)
    owner_becomes(api, customer["id"], lead_member)
    wait_for(
        lambda: not reminders_about(people["sue"], "sue", team["id"], "handoff_acceptance"),
        timeout=30,
        what="sue's acceptance reminder to close",
    )
    assert get(api, f"/customers/{customer['id']}/owner")["collaborators"] == [owner, "tom", "sue"]


def test_production_is_refused_until_the_voltage_is_recorded(system, api, people):
    customer = new_customer(system, api)
    owner, pete = people[customer["owner_id"]], people["pete"]
    post(
        owner,
        f"/customers/{customer['id']}/orders",
        {
            "at": datetime.now(UTC).isoformat(),
            "amount": 9000,
            "currency": "USD",
            "delivery_date": "2027-01-15",
            "payment_method": "L/C at sight",
        },
    )
    post(owner, f"/customers/{customer['id']}/steps/order_confirmed", {}, 200)
    assert owner.post(f"/customers/{customer['id']}/steps/production_start", json={}).status_code == 403
    refused = pete.post(f"/customers/{customer['id']}/steps/production_start", json={})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["missing_fields"] == ["voltage"]
    assert "voltage is not recorded" in refused.json()["error"]["message"]
    post(owner, f"/customers/{customer['id']}/requirements/voltage", {"value": "110V"}, 200, method="PUT")
    steps = {s["step"]: s for s in post(pete, f"/customers/{customer['id']}/steps/production_start", {}, 200)["steps"]}
    assert steps["production_start"]["started"]["by"] == "pete"
    assert get(owner, f"/customers/{customer['id']}/requirements")["fields"]["voltage"]["value"] == "110V"
