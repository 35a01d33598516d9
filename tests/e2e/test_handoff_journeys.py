"""Handoffs through the whole system, as people use them over HTTP: a customer's journey from
marketing to sales to service, a vague lead refused, info pending that expires, a return and a
resubmission, a team that signs one by one, a gate that refuses a step."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.e2e.test_inquiry_flow import customer_by_email, get, lead, unique_email
from tests.integration.helpers import publish_inquiry, wait_for

pytestmark = pytest.mark.e2e
SALES = ("alice", "bob", "carol")


def post(api, path, body, expected=201, method="POST", **headers):
    response = requests.request(method, f"{api}{path}", json=body, headers=headers, timeout=15)
    assert response.status_code == expected, response.text
    return response.json()


def new_customer(system, message=None):
    email = unique_email()
    inquiry = lead(email) if message is None else {**lead(email), "message": message}
    publish_inquiry(system.amqp_uri, inquiry, message_id=f"e2e-{uuid.uuid4()}")
    return customer_by_email(system.api, email)


def somebody_else(owner):
    return next(person for person in SALES if person != owner)


def record_contact(api, customer_id, by, days_ago, summary, **more):
    at = datetime.now(timezone.utc) - timedelta(days=days_ago)
    post(api, f"/customers/{customer_id}/communications", {
        "at": at.isoformat(), "method": "phone", "by": by, "summary": summary, **more},
        **{"Idempotency-Key": f"{customer_id}-{days_ago}-{by}"})


def reminders_about(api, person, handoff_id, kind, status="open"):
    return [r for r in get(api, f"/users/{person}/reminders", kind=kind, status=status, limit=200)["items"]
            if r["subject_id"] == handoff_id]


def owner_becomes(api, customer_id, person):
    return wait_for(lambda: get(api, f"/customers/{customer_id}/owner")["owner_id"] == person
                    and get(api, f"/customers/{customer_id}")["owner_id"] == person, timeout=30,
                    what=f"{person} to own {customer_id}")


def test_a_customer_travels_from_marketing_to_sales_to_service(system):
    api = system.api
    customer = new_customer(system)
    salesperson = somebody_else(customer["owner_id"])
    record_contact(api, customer["id"], "mia", 2, "phone call, customer confirmed 2,000 pcs of model X",
                   result="asked for a quote by Friday")
    assert get(api, f"/customers/{customer['id']}/checklists/marketing_to_sales")["passed"] is True
    handed = post(api, "/handoffs", {"kind": "marketing_to_sales", "customer_id": customer["id"], "by": "mia",
                                     "to": [salesperson], "package": {"notes": "met at the Canton Fair"}},
                  **{"Idempotency-Key": f"m2s-{customer['id']}"})
    assert handed["state"] == "submitted"
    waiting = get(api, f"/users/{salesperson}/handoffs/waiting")["items"]
    assert handed["id"] in [h["id"] for h in waiting]
    first_view = get(api, f"/handoffs/{handed['id']}")
    assert first_view["package"]["notes"] == "met at the Canton Fair"
    assert first_view["package"]["core_needs"] == [lead("x@y.de")["message"]]
    assert {"inquiry_received", "customer_created", "communication_recorded", "handoff_submitted"} <= {
        e["kind"] for e in first_view["timeline"]}
    assert post(api, f"/handoffs/{handed['id']}/signatures", {"by": salesperson}, 200)["state"] == "accepted"
    owner_becomes(api, customer["id"], salesperson)

    # sales follows up, closes the deal and hands the customer to service
    record_contact(api, customer["id"], salesperson, 1, "video call, walked through the X-200 spec sheet",
                   result="sample approved")
    record_contact(api, customer["id"], salesperson, 0, "phone call, order confirmed\n【特殊】needs CE marking",
                   result="order placed")
    post(api, f"/customers/{customer['id']}/orders", {
        "at": datetime.now(timezone.utc).isoformat(), "by": salesperson, "amount": 48000, "currency": "USD",
        "delivery_date": "2027-03-01", "payment_method": "30% T/T deposit, 70% before shipment"},
         **{"Idempotency-Key": f"order-{customer['id']}"})
    to_service = post(api, "/handoffs", {
        "kind": "sales_to_service", "customer_id": customer["id"], "by": salesperson, "to": ["sam"],
        "package": {"pain_points": ["their last supplier shipped late twice"],
                    "solution": "X-200 with a spare parts kit", "open_items": ["send the CE declaration"],
                    "cautions": ["dislikes hard discount pitches"]}})
    assert to_service["state"] == "submitted", to_service["checklist"]
    assert to_service["package"]["special_requirements"] == ["needs CE marking"]
    assert post(api, f"/handoffs/{to_service['id']}/signatures", {"by": "sam"}, 200)["state"] == "accepted"
    wait_for(lambda: "sam" in get(api, f"/customers/{customer['id']}/owner")["collaborators"], timeout=30,
             what="service to work on the customer")
    assert get(api, f"/customers/{customer['id']}/owner")["owner_id"] == salesperson
    assert get(api, f"/customers/{customer['id']}")["cautions"] == ["dislikes hard discount pitches"]
    handoffs = get(api, f"/customers/{customer['id']}/handoffs")["items"]
    assert {(h["kind"], h["state"]) for h in handoffs} == {("marketing_to_sales", "accepted"),
                                                           ("sales_to_service", "accepted")}
    people = {p["name"]: p for p in get(api, "/measures/handoffs")["people"]}
    assert people["mia"]["sent"] >= 1 and people["sam"]["signed"] >= 1


def test_a_lead_with_a_vague_need_is_refused_naming_what_is_missing(system):
    customer = new_customer(system, message="Hi, we are interested in your products.")
    response = requests.post(f"{system.api}/handoffs", json={
        "kind": "marketing_to_sales", "customer_id": customer["id"], "by": "mia",
        "to": [somebody_else(customer["owner_id"])]}, timeout=15)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "refused" and "need_is_specific" in error["details"]["missing"]
    reasons = {i["name"]: i["reason"] for i in error["details"]["items"]}
    assert "'interested'" in reasons["need_is_specific"]
    assert get(system.api, f"/customers/{customer['id']}/handoffs")["total"] == 0


def test_info_pending_that_expires_is_overdue_for_both_sides(system):
    api = system.api
    customer = new_customer(system, message="wants to cooperate")
    receiver = somebody_else(customer["owner_id"])
    deadline = datetime.now(timezone.utc) + timedelta(seconds=3)
    pending = post(api, "/handoffs", {"kind": "marketing_to_sales", "customer_id": customer["id"], "by": "mia",
                                      "to": [receiver], "info_pending": True, "pending_until": deadline.isoformat()})
    assert (pending["state"], pending["missing"]) == ("info_pending", ["need_is_specific", "contact_attempted"])
    refused = requests.post(f"{api}/handoffs/{pending['id']}/signatures", json={"by": receiver}, timeout=15)
    assert refused.status_code == 409 and "Information is pending" in refused.json()["error"]["message"]
    overdue = wait_for(lambda: [h for h in get(api, "/handoffs", overdue="true", limit=200)["items"]
                                if h["id"] == pending["id"]], timeout=30, what="the handoff to be overdue")
    assert overdue[0]["overdue"] is True
    assert pending["id"] in get(api, "/measures/handoffs")["overdue"]
    assert get(api, f"/handoffs/{pending['id']}")["overdue"] is True
    for person in ("mia", receiver):      # notification tells both sides once the deadline passes
        wait_for(lambda: reminders_about(api, person, pending["id"], "info_pending", status="fired"), timeout=90,
                 what=f"{person} to be told the info-pending deadline passed")


def test_a_returned_handoff_keeps_its_history_and_is_signed_when_resubmitted(system):
    api = system.api
    customer = new_customer(system)
    receiver = somebody_else(customer["owner_id"])
    record_contact(api, customer["id"], "mia", 1, "email sent with the catalogue", result="customer replied")
    handed = post(api, "/handoffs", {"kind": "marketing_to_sales", "customer_id": customer["id"], "by": "mia",
                                     "to": [receiver]})
    returned = post(api, f"/handoffs/{handed['id']}/returns",
                    {"by": receiver, "reasons": ["which voltage do they need?"]}, 200)
    assert returned["state"] == "returned" and returned["returns"][0]["reasons"] == ["which voltage do they need?"]
    told = wait_for(lambda: reminders_about(api, "mia", handed["id"], "handoff_returned", status="fired"), timeout=90,
                    what="the sender to be told of the return")
    assert "which voltage do they need?" in told[0]["message"]
    assert get(api, f"/users/mia/handoffs/sent", state="returned")["total"] >= 1
    again = post(api, f"/handoffs/{handed['id']}/resubmissions",
                 {"by": "mia", "package": {"notes": "they need 110V, confirmed by email"}}, 200,
                 **{"Idempotency-Key": f"again-{handed['id']}"})
    assert (again["state"], again["attempt"]) == ("resubmitted", 2)
    signed = post(api, f"/handoffs/{handed['id']}/signatures", {"by": receiver}, 200)
    assert [h["action"] for h in signed["history"]] == ["submitted", "returned", "resubmitted", "signed", "accepted"]
    owner_becomes(api, customer["id"], receiver)


def test_a_high_value_team_handoff_waits_for_its_last_member(system):
    api = system.api
    customer = new_customer(system)
    owner = customer["owner_id"]
    lead_member = somebody_else(owner)
    for days_ago, summary in ((3, "first call about the machining line"), (2, "tech call about tolerances"),
                              (1, "visit planned for the factory audit")):
        record_contact(api, customer["id"], owner, days_ago, summary, result="next step agreed")
    team = post(api, "/handoffs", {
        "kind": "high_value_team", "customer_id": customer["id"], "by": owner, "to": [lead_member, "tom", "sue"],
        "package": {"expected_annual_value": 5_000_000, "pain_points": ["machines must hold ±0.01 mm"],
                    "cautions": ["never propose ordinary spare parts"], "no_special_requirements": True,
                    "no_open_items": True}})
    assert team["state"] == "submitted" and team["new_owner_id"] == lead_member
    post(api, f"/handoffs/{team['id']}/signatures", {"by": "tom"}, 200)
    partial = post(api, f"/handoffs/{team['id']}/signatures", {"by": lead_member}, 200)
    assert (partial["state"], partial["awaiting"]) == ("submitted", ["sue"])
    assert get(api, f"/customers/{customer['id']}/owner")["owner_id"] == owner
    assert team["id"] in [h["id"] for h in get(api, "/users/sue/handoffs/waiting")["items"]]
    wait_for(lambda: reminders_about(api, "sue", team["id"], "handoff_waiting"), timeout=30,
             what="sue to be told the handoff waits for her")
    post(api, f"/handoffs/{team['id']}/signatures", {"by": "sue"}, 200)
    owner_becomes(api, customer["id"], lead_member)
    wait_for(lambda: not reminders_about(api, "sue", team["id"], "handoff_acceptance"), timeout=30,
             what="sue's acceptance reminder to close")
    assert get(api, f"/customers/{customer['id']}/owner")["collaborators"] == [owner, "tom", "sue"]


def test_production_is_refused_until_the_voltage_is_recorded(system):
    api = system.api
    customer = new_customer(system)
    owner = customer["owner_id"]
    post(api, f"/customers/{customer['id']}/orders", {
        "at": datetime.now(timezone.utc).isoformat(), "by": owner, "amount": 9000, "currency": "USD",
        "delivery_date": "2027-01-15", "payment_method": "L/C at sight"})
    post(api, f"/customers/{customer['id']}/steps/order_confirmed", {"by": owner}, 200)
    refused = requests.post(f"{api}/customers/{customer['id']}/steps/production_start", json={"by": "pete"}, timeout=15)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["missing_fields"] == ["voltage"]
    assert "voltage is not recorded" in refused.json()["error"]["message"]
    post(api, f"/customers/{customer['id']}/requirements/voltage", {"value": "110V", "by": owner}, 200, method="PUT")
    steps = {s["step"]: s for s in post(api, f"/customers/{customer['id']}/steps/production_start", {"by": "pete"},
                                        200)["steps"]}
    assert steps["production_start"]["started"]["by"] == "pete"
    assert get(api, f"/customers/{customer['id']}/requirements")["fields"]["voltage"]["value"] == "110V"
