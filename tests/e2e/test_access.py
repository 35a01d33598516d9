"""Access as people meet it: records by department and role, hidden prices, the audit trail."""

import uuid
from datetime import UTC, datetime

import pytest

from tests.e2e.helpers import get, marketing_lead, new_customer, unique_email
from tests.integration.helpers import ApiClient, canonical_inquiry, publish_inquiry, wait_for

pytestmark = pytest.mark.e2e


def test_each_department_sees_what_it_holds_and_prices_only_where_allowed(system, api, people):
    customer = new_customer(system, api)
    owner, path = people[customer["owner_id"]], f"/customers/{customer['id']}"
    other = next(name for name in ("alice", "bob", "carol") if name != customer["owner_id"])
    quote = {"at": datetime.now(UTC).isoformat(), "product": "X-200", "unit_price": 4.2, "currency": "USD"}
    assert owner.post(f"{path}/quotes", json=quote).status_code == 201
    assert owner.patch(path, json={"target_price": "USD 4.00 FOB"}).status_code == 200
    seen_by_owner = get(owner, path)
    assert (seen_by_owner["quotes"][0]["unit_price"], seen_by_owner["target_price"]) == (4.2, "USD 4.00 FOB")
    seen_by_marketing = get(people["mia"], path)
    assert (seen_by_marketing["quotes"][0]["unit_price"], seen_by_marketing["target_price"]) == (None, None)
    assert seen_by_marketing["quotes"][0]["product"] == "X-200"
    refused = people[other].get(path)
    assert refused.status_code == 403 and customer["id"] in refused.json()["error"]["message"]
    assert (
        people[other]
        .post(
            f"{path}/communications", json={"at": datetime.now(UTC).isoformat(), "method": "phone", "summary": "called"}
        )
        .status_code
        == 403
    )
    assert all(c["id"] != customer["id"] for c in get(people[other], "/customers", limit=200)["items"])
    assert any(c["id"] == customer["id"] for c in get(people[customer["owner_id"]], "/customers", limit=200)["items"])
    assert people["sam"].get(path).status_code == 403  # service: not handed over yet
    assert people["svc-lead"].get(path).status_code == 403
    assert people["meier"].get(path).status_code == 200  # the sales manager sees every customer
    timeline = " ".join(e["summary"] for e in get(people["mia"], f"{path}/timeline")["items"])
    assert "4.2" not in timeline and "USD 4.00" not in timeline


def test_a_member_acts_only_as_themselves_and_a_manager_may_name_someone(system, api, people):
    customer = new_customer(system, api)
    owner, path = customer["owner_id"], f"/customers/{customer['id']}"
    note = {"at": datetime.now(UTC).isoformat(), "method": "email", "summary": "sent the catalogue"}
    impersonating = people[owner].post(f"{path}/communications", json={**note, "by": "meier"})
    assert impersonating.status_code == 403 and "as meier" in impersonating.json()["error"]["message"]
    recorded = people[owner].post(f"{path}/communications", json=note).json()
    assert recorded["communications"][-1]["by"] == owner
    on_behalf = people["meier"].post(f"{path}/communications", json={**note, "by": owner, "summary": "called back"})
    assert on_behalf.status_code == 201


def test_every_change_is_in_the_audit_trail_with_who_and_before_and_after(system, api, people):
    customer = new_customer(system, api)
    owner, path = customer["owner_id"], f"/customers/{customer['id']}"
    assert people[owner].patch(path, json={"city": "Bremen"}).status_code == 200
    entries = wait_for(
        lambda: [
            e
            for e in get(people["meier"], "/audit", resource_id=customer["id"])["items"]
            if e["action"] == "update_customer"
        ],
        what="the change in the audit trail",
    )
    assert entries[0]["actor"] == owner and entries[0]["service"] == "profile"
    assert entries[0]["changes"]["city"] == {"before": None, "after": "Bremen"}
    created = [
        e for e in get(api, "/audit", resource_id=customer["id"], limit=200)["items"] if e["changes"].get("company")
    ]
    assert created and created[-1]["changes"]["company"]["before"] is None
    assert people[owner].get("/audit").status_code == 403
    assert people["meier"].post(f"{path}/reject", json={"reason": "wants retail packs only"}).status_code == 200
    rejected = wait_for(
        lambda: [
            e
            for e in get(api, "/audit", resource_id=customer["id"])["items"]
            if e["service"] == "pool" and e["action"] == "reject"
        ],
        what="the rejection",
    )
    assert rejected[0]["actor"] == "meier" and rejected[0]["changes"]["state"] == {
        "before": "owned",
        "after": "rejected",
    }
    issued = api.post("/users/mia/tokens", json={"label": "audit check"}).json()
    token_entries = get(api, "/audit", resource_id=issued["id"])["items"]
    assert [(e["service"], e["actor"], e["resource"]) for e in token_entries] == [("gateway", "root", "token")]


def test_the_owner_corrects_a_contacts_email_and_the_next_inquiry_from_it_joins_the_same_archive(system, api, people):
    customer = new_customer(system, api)
    owner, path = people[customer["owner_id"]], f"/customers/{customer['id']}"
    old_email, new_email = customer["contacts"][0]["email"], unique_email()
    for typo in ("not an email", "jane@acme.invalid"):  # refused by the contract, then by email-validator
        refused = owner.patch(path, json={"contacts": [{**customer["contacts"][0], "email": typo}]})
        assert refused.status_code == 400, refused.text
        assert list(refused.json()["error"]["details"]["fields"]["contacts"]["0"]) == ["email"]
    corrected = owner.patch(path, json={"contacts": [{**customer["contacts"][0], "email": new_email}]})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["contacts"][0]["email"] == new_email
    assert get(api, "/customers", email=old_email)["total"] == 0  # the old address finds it no more
    [entry] = [e for e in get(owner, f"{path}/timeline", limit=200)["items"] if e["kind"] == "details_updated"]
    assert entry["actor"] == customer["owner_id"] and f"email {old_email} → {new_email}" in entry["summary"]
    later = {name: value for name, value in canonical_inquiry(email=new_email).items() if name != "company"}
    publish_inquiry(system.amqp_uri, later, message_id=f"e2e-{uuid.uuid4()}")
    merged = wait_for(lambda: (c := get(api, path))["inquiry_count"] == 2 and c, timeout=30, what="the merge")
    assert merged["owner_id"] == customer["owner_id"]
    assert [c["id"] for c in get(api, "/customers", email=new_email)["items"]] == [customer["id"]]


def test_managers_see_which_plugins_are_installed_and_healthy(people):
    listed = {p["name"]: p for p in get(people["meier"], "/plugins")["plugins"]}
    assert {"default_fields", "intent_grading", "trait_rules", "inbox_channel"} <= set(listed)
    assert listed["intent_grading"]["hooks"] == ["baton_grade_intent"]
    assert all(p["problems"] == [] for p in listed.values())
    assert people["alice"].get("/plugins").status_code == 403


def test_a_salesperson_an_admin_adds_is_allocated_to_and_receives_handoffs_until_deactivated(system, api, people):
    created = api.post(
        "/users", json={"id": "hana", "name": "Hana", "role": "member", "department": "sales", "team": "default"}
    )
    assert created.status_code == 201, created.text
    hana = ApiClient(system.api, api.post("/users/hana/tokens", json={"label": "laptop"}).json()["token"])
    listed = wait_for(
        lambda: {p["id"]: p for p in get(api, "/salespeople")["items"]}.get("hana"),
        timeout=30,
        what="hana to join the salespeople",
    )
    assert (listed["weight"], listed["on_leave"]) == (1, False)
    # on leave for now, so the other tests' customers keep going to the people they know
    assert api.patch("/salespeople/hana", json={"on_leave": True}).status_code == 200
    customer = marketing_lead(system, api)  # nobody owns it yet: marketing's to hand to sales
    mia = people["mia"]
    recorded = mia.post(
        f"/customers/{customer['id']}/communications",
        json={
            "at": datetime.now(UTC).isoformat(),
            "method": "phone",
            "summary": "confirmed 300 pcs of model X",
            "result": "asked for a quote",
        },
    )
    assert recorded.status_code < 300, recorded.text
    handed = mia.post("/handoffs", json={"kind": "marketing_to_sales", "customer_id": customer["id"], "to": ["hana"]})
    assert handed.status_code == 201, handed.text
    assert hana.post(f"/handoffs/{handed.json()['id']}/signatures", json={}).status_code == 200
    wait_for(
        lambda: get(api, f"/customers/{customer['id']}")["owner_id"] == "hana",
        timeout=30,
        what="hana to own the customer",
    )
    assert api.patch("/users/hana", json={"active": False}).status_code == 200
    wait_for(lambda: hana.get("/me").status_code == 401, timeout=30, what="hana's token to stop working")
    wait_for(
        lambda: not {p["id"]: p for p in get(api, "/salespeople")["items"]}["hana"]["active"],
        timeout=30,
        what="the pool to stop allocating to hana",
    )
    another = marketing_lead(system, api)  # no contact yet: a handoff of it fails its checklist (422, nothing kept)
    refused = wait_for(
        lambda: (
            (
                r := mia.post(
                    "/handoffs", json={"kind": "marketing_to_sales", "customer_id": another["id"], "to": ["hana"]}
                )
            ).status_code
            == 400
            and r.text
        ),
        timeout=30,
        what="handoff to refuse hana",
    )  # (a Response with status 400 is falsy: its text is not)
    assert "hana is in no department" in refused
