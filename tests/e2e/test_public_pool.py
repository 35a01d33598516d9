"""The public pool (公海) over HTTP, as salespeople and managers use it, on the real system."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.helpers import get, new_customer
from tests.integration.helpers import wait_for

pytestmark = pytest.mark.e2e
SALESPEOPLE = {"alice", "bob", "carol"}


def post(client, path, body, status=200):
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_a_released_customer_is_claimed_by_a_colleague_and_its_history_says_so(system, api, people):
    customer = new_customer(system, api)
    path, owner = f"/customers/{customer['id']}", customer["owner_id"]
    colleague = sorted(SALESPEOPLE - {owner})[0]
    blank = people[owner].post(f"{path}/release", json={"reason": ""})
    assert blank.status_code == 400 and blank.json()["error"]["details"]["fields"] == {
        "reason": ["A reason is required."]
    }
    not_theirs = people[colleague].post(f"{path}/release", json={"reason": "mine now"})
    assert not_theirs.status_code == 403 and f"owned by {owner}" in not_theirs.json()["error"]["message"]
    released = post(people[owner], f"{path}/release", {"reason": "no answer to 4 mails since June"})
    assert (released["state"], released["owner_id"]) == ("public_pool", None)
    pooled = get(people[colleague], "/pool", reason="released", limit=200)["items"]
    assert any(item["customer_id"] == customer["id"] for item in pooled)
    again = people[owner].post(f"{path}/claim", json={})
    assert again.status_code == 409 and again.json()["error"]["details"]["limit"] == "release_protection"
    assert post(people[colleague], f"{path}/claim", {})["owner_id"] == colleague
    mine = get(people[colleague], "/pool", state="owned", owner_id=colleague, limit=200)["items"]
    assert customer["id"] in [item["customer_id"] for item in mine]
    wait_for(lambda: get(api, path)["owner_id"] == colleague, what="profile to follow the claim")
    summaries = [e["summary"] for e in get(people[colleague], f"{path}/timeline")["items"]]
    assert any(f"Moved from {owner} to the public pool" in s and "no answer to 4 mails" in s for s in summaries)
    assert any(s.startswith(f"Assigned to {colleague} (claimed") for s in summaries)
    assert people[owner].get(path).status_code == 403  # no longer theirs, and not in the pool


def test_two_salespeople_claiming_at_once_get_one_winner_and_the_loser_is_told_who(system, api, people):
    customer = new_customer(system, api)
    path = f"/customers/{customer['id']}"
    post(people[customer["owner_id"]], f"{path}/release", {"reason": "moving to key accounts"})
    claimers = sorted(SALESPEOPLE - {customer["owner_id"]})
    with ThreadPoolExecutor(len(claimers)) as threads:
        answers = list(threads.map(lambda who: people[who].post(f"{path}/claim", json={}), claimers))
    assert sorted(a.status_code for a in answers) == [200, 409]
    winner = next(a.json()["owner_id"] for a in answers if a.status_code == 200)
    loser = next(a.json()["error"] for a in answers if a.status_code == 409)
    assert loser["details"]["owner_id"] == winner and winner in loser["message"]
    assert get(api, f"{path}/owner")["owner_id"] == winner


def test_a_rejected_customer_is_on_the_do_not_contact_list_until_reactivated(system, api, people):
    customer = new_customer(system, api)
    path, manager = f"/customers/{customer['id']}", people["meier"]
    outsider = sorted(SALESPEOPLE - {customer["owner_id"]})[0]
    assert people[outsider].post(f"{path}/reject", json={"reason": "not mine to say"}).status_code == 403
    post(manager, f"{path}/reject", {"reason": "need mismatch: wants retail packs"})
    status = post(people["mia"], "/pool/contact-status", {"customer_ids": [customer["id"], "cus_unknown"]})["items"]
    assert status == [
        {
            "customer_id": customer["id"],
            "state": "rejected",
            "do_not_contact": True,
            "reason": "rejected: need mismatch: wants retail packs",
        }
    ]
    email = customer["contacts"][0]["email"]
    checked = wait_for(
        lambda: [
            c
            for c in get(people["mia"], "/customers/check", email=email)["candidates"]
            if c["pool_status"] == "rejected"
        ],
        what="check before create to show the rejection",
    )
    assert checked[0]["customer_id"] == customer["id"]
    review = get(manager, "/pool/rejected", limit=200)["items"]
    assert any(r["customer_id"] == customer["id"] and r["review_due_at"] for r in review)
    assert people["alice"].get("/pool/rejected").status_code == 403
    assert people["alice"].post(f"{path}/claim", json={}).status_code == 409
    assert people["alice"].post(f"{path}/reactivate", json={"reason": "new price list"}).status_code == 403
    assert post(manager, f"{path}/reactivate", {"reason": "new price list"})["state"] == "public_pool"
    assert (
        post(people["mia"], "/pool/contact-status", {"customer_ids": [customer["id"]]})["items"][0]["do_not_contact"]
        is False
    )
    bad = people["mia"].post("/pool/contact-status", json={"customer_ids": {"$gt": ""}})
    assert bad.status_code == 400 and "customer_ids" in bad.json()["error"]["details"]["fields"]


def test_salespeople_are_listed_and_only_managers_change_them(people):
    listed = {p["id"]: p for p in get(people["alice"], "/salespeople")["items"]}
    assert set(listed) >= SALESPEOPLE
    assert {listed[p]["weight"] for p in SALESPEOPLE} <= {1, 2, 3} and all(listed[p]["active"] for p in SALESPEOPLE)
    assert people["alice"].patch("/salespeople/alice", json={"weight_override": 9}).status_code == 403
    refused = people["meier"].patch("/salespeople/alice", json={"weight_override": -1})
    assert refused.status_code == 400 and "weight_override" in refused.json()["error"]["details"]["fields"]
