"""Notices people can cope with and a timeline that tells each event once, over HTTP: an import's
first touches arrive as one digest entry naming the companies (each notice still reachable), a
manager gets the team's daily summary, and a customer's timeline shows handoff submissions,
acceptances (once, in the handoff view too), requirement changes and step starts in order, its
reminder bookkeeping only when asked for."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import customer_by_email, get, lead, unique_email
from tests.e2e.test_handoff_journeys import post, record_contact
from tests.e2e.test_reminders import fire_due, reminders
from tests.integration.helpers import publish_inquiry, wait_for

pytestmark = pytest.mark.e2e
IMPORTED = 12  # rotation 3:2:1 over alice, bob and carol: alice gets 6, above digest_min_count (5)


def test_an_imports_first_touches_become_one_digest_naming_the_companies_and_the_manager_gets_a_summary(
    system, api, people
):
    emails = [unique_email() for _ in range(IMPORTED)]
    for email in emails:
        publish_inquiry(system.amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    customers = [customer_by_email(api, email) for email in emails]
    alices = {c["id"]: c["company"] for c in customers if c["owner_id"] == "alice"}
    assert len(alices) >= 5, customers
    firsts = [
        wait_for(
            lambda c=c: next((r for r in reminders(api, "alice") if r["customer_id"] == c), None),
            timeout=30,
            what="a first touch",
        )
        for c in alices
    ]
    # one firing pass after every first touch is due, in a window of its own (minutes no other test uses)
    latest = max(datetime.fromisoformat(r["due_at"]) for r in firsts)
    now = latest.replace(minute=0, second=0, microsecond=0) + timedelta(hours=7, minutes=13)
    fire_due(system, now)
    fire_due(system, now + timedelta(minutes=1))  # again: the same digest, nothing new

    inbox = get(people["alice"], "/users/alice/inbox", limit=200)["items"]
    assert not [e for e in inbox if e["customer_id"] in alices]  # not one line per customer
    digests = [
        e
        for e in inbox
        if e["kind"] == "inbox_digest"
        and e["details"]["of_kind"] == "first_touch"
        and set(alices) <= {c["customer_id"] for c in e["details"]["customers"]}
    ]
    assert len(digests) == 1, inbox
    digest = digests[0]
    assert digest["title"].startswith(f"{digest['details']['count']} new customers assigned to you")
    named = {c["customer_id"]: c["customer_name"] for c in digest["details"]["customers"]}
    assert all(named[cid] == company for cid, company in alices.items())
    assert all(company in digest["body"] for company in alices.values())
    assert digest["read"] is False and len(digest["items"]) == digest["details"]["count"]
    # each notice stays reachable from the digest
    listed = get(people["alice"], "/users/alice/inbox", digest=digest["id"], limit=200)["items"]
    assert {e["id"] for e in listed} == set(digest["items"])
    assert set(alices) <= {e["customer_id"] for e in listed}
    assert {e["grouped_in"] for e in listed} == {digest["id"]}
    # reading the digest reads what it stands for
    post(people["alice"], f"/users/alice/inbox/{digest['id']}/read", {}, 200)
    assert all(e["read"] for e in get(people["alice"], "/users/alice/inbox", digest=digest["id"], limit=200)["items"])

    # the next day at 09:00 in meier's zone: the team's summary names alice's overdue first touches
    shanghai = ZoneInfo("Asia/Shanghai")
    next_day = (now + timedelta(days=41)).astimezone(shanghai).replace(hour=9, minute=0, second=0, microsecond=0)
    fire_due(system, next_day)
    fire_due(system, next_day + timedelta(minutes=5))
    summaries = [
        e
        for e in get(people["meier"], "/users/meier/inbox", limit=200)["items"]
        if e["kind"] == "manager_summary" and e["details"]["day"] == next_day.date().isoformat()
    ]
    assert len(summaries) == 1, summaries
    overdue = {row["user_id"]: row["count"] for row in summaries[0]["details"]["overdue"]}
    assert overdue["alice"] >= len(alices) and "dora" not in overdue  # dora sells in another team
    assert "alice" in summaries[0]["body"]


def test_the_timeline_tells_every_event_once_in_order_and_reminders_only_when_asked(system, api, people):
    email = unique_email()
    publish_inquiry(system.amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    customer = customer_by_email(api, email)
    cid, first_owner = customer["id"], customer["owner_id"]
    first = wait_for(
        lambda: next((r for r in reminders(api, first_owner) if r["customer_id"] == cid), None),
        timeout=30,
        what="a first touch",
    )
    post(
        people[first_owner], f"/reminders/{first['id']}/snooze", {"minutes": 120, "reason": "customer travelling"}, 200
    )

    # the deal: contacts, the order, its step started; the customer handed to service, who signs
    seller = people[first_owner]
    record_contact(seller, cid, 2, "phone call, customer confirmed 2,000 pcs of model X", result="asked for a quote")
    record_contact(seller, cid, 1, "video call, walked through the X-200 spec sheet", result="sample approved")
    record_contact(seller, cid, 0, "phone call, order confirmed\n【特殊】needs CE marking", result="order placed")
    post(
        seller,
        f"/customers/{cid}/orders",
        {
            "at": datetime.now(UTC).isoformat(),
            "amount": 9000,
            "currency": "USD",
            "delivery_date": "2027-03-01",
            "payment_method": "30% T/T deposit, 70% before shipment",
        },
    )
    post(seller, f"/customers/{cid}/steps/order_confirmed", {}, 200)
    handed = post(
        seller,
        "/handoffs",
        {
            "kind": "sales_to_service",
            "customer_id": cid,
            "to": ["sam"],
            "package": {
                "pain_points": ["their last supplier shipped late twice"],
                "solution": "X-200 with spare parts",
                "open_items": ["send the CE declaration"],
                "cautions": ["dislikes hard discount pitches"],
            },
        },
    )
    assert handed["state"] == "submitted", handed["checklist"]
    assert post(people["sam"], f"/handoffs/{handed['id']}/signatures", {}, 200)["state"] == "accepted"
    post(seller, f"/customers/{cid}/requirements/voltage", {"value": "110V", "note": "US plant"}, 200, method="PUT")

    wanted = {"handoff_submitted", "handoff_accepted", "step_started", "requirement_changed"}
    entries = wait_for(
        lambda: (
            (items := get(seller, f"/customers/{cid}/timeline", limit=200)["items"])
            and wanted <= {e["kind"] for e in items}
            and items
        ),
        timeout=30,
        what="handoff's events",
    )
    kinds = [e["kind"] for e in entries]
    assert all(kinds.count(kind) == 1 for kind in wanted - {"requirement_changed"}), kinds
    # the call's 【特殊】 line states a certification: a change of its own; the voltage once
    assert [e["details"]["field"] for e in entries if e["kind"] == "requirement_changed"].count("voltage") == 1
    assert not {"reminder_scheduled", "reminder_snoozed", "reminder_done"} & set(kinds)  # off by default
    assert all(
        datetime.fromisoformat(a["at"]) <= datetime.fromisoformat(b["at"])
        for a, b in zip(entries, entries[1:], strict=False)
    )
    changed = next(e for e in entries if e["kind"] == "requirement_changed" and e["details"]["field"] == "voltage")
    assert (changed["details"]["field"], changed["details"]["after"], changed["details"]["note"]) == (
        "voltage",
        "110V",
        "US plant",
    )
    submitted = next(e for e in entries if e["kind"] == "handoff_submitted")
    assert submitted["details"]["to"] == ["sam"] and submitted["details"]["from"] == first_owner

    # the reminder bookkeeping, when asked for
    with_reminders = wait_for(
        lambda: (
            (items := get(seller, f"/customers/{cid}/timeline", include="reminders", limit=200)["items"])
            and "reminder_snoozed" in {e["kind"] for e in items}
            and items
        ),
        timeout=30,
        what="the snooze on the timeline",
    )
    snoozed = next(e for e in with_reminders if e["kind"] == "reminder_snoozed")
    assert snoozed["details"]["reason"] == "customer travelling" and snoozed["details"]["user"] == first_owner
    assert "reminder_scheduled" in {e["kind"] for e in with_reminders}
    only = get(seller, f"/customers/{cid}/timeline", kinds="step_started,requirement_changed")["items"]
    assert {e["kind"] for e in only} == {"requirement_changed", "step_started"}
    assert len(only) == kinds.count("requirement_changed") + 1
    refused = seller.get(f"/customers/{cid}/timeline", params={"kinds": "step_started,coffee_break"})
    assert refused.status_code == 400, refused.text
    assert "coffee_break" in " ".join(refused.json()["error"]["details"]["fields"]["kinds"])

    # the handoff view: the acceptance once (it used to come from profile and from handoff both)
    view = get(seller, f"/handoffs/{handed['id']}")["timeline"]
    view_kinds = [e["kind"] for e in view]
    assert view_kinds.count("handoff_accepted") == 1 and view_kinds.count("handoff_submitted") == 1, view_kinds
    assert view_kinds.count("step_started") == 1, view_kinds
    assert view_kinds.count("requirement_changed") == kinds.count("requirement_changed"), view_kinds
