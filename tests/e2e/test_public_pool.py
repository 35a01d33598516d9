"""The public pool (公海) over HTTP, as salespeople and managers use it, on the real system."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.helpers import customer_by_email, get, lead, unique_email
from tests.integration.helpers import publish_inquiry, wait_for

pytestmark = pytest.mark.e2e
PEOPLE = {"alice", "bob", "carol"}


def post(api, path, body, status=200):
    response = requests.post(f"{api}{path}", json=body, timeout=10)
    assert response.status_code == status, response.text
    return response.json()


def new_customer(system):
    email = unique_email()
    publish_inquiry(system.amqp_uri, lead(email), message_id=f"e2e-{uuid.uuid4()}")
    return customer_by_email(system.api, email)


def test_a_released_customer_is_claimed_by_a_colleague_and_its_history_says_so(system):
    api = system.api
    customer = new_customer(system)
    path, owner = f"/customers/{customer['id']}", customer["owner_id"]
    colleague = sorted(PEOPLE - {owner})[0]
    blank = requests.post(f"{api}{path}/release", json={"by": owner, "reason": ""}, timeout=10)
    assert blank.status_code == 400 and blank.json()["error"]["details"]["fields"] == {"reason": ["A reason is required."]}
    released = post(api, f"{path}/release", {"by": owner, "reason": "no answer to 4 mails since June"})
    assert (released["state"], released["owner_id"]) == ("public_pool", None)
    pooled = get(api, "/pool", reason="released", limit=200)["items"]
    assert any(item["customer_id"] == customer["id"] for item in pooled)
    again = requests.post(f"{api}{path}/claim", json={"by": owner}, timeout=10)
    assert again.status_code == 409 and again.json()["error"]["details"]["limit"] == "release_protection"
    assert post(api, f"{path}/claim", {"by": colleague})["owner_id"] == colleague
    wait_for(lambda: get(api, path)["owner_id"] == colleague, what="profile to follow the claim")
    summaries = [e["summary"] for e in get(api, f"{path}/timeline")["items"]]
    assert any(f"Moved from {owner} to the public pool" in s and "no answer to 4 mails" in s for s in summaries)
    assert any(s.startswith(f"Assigned to {colleague} (claimed") for s in summaries)


def test_two_salespeople_claiming_at_once_get_one_winner_and_the_loser_is_told_who(system):
    api = system.api
    customer = new_customer(system)
    path = f"/customers/{customer['id']}"
    post(api, f"{path}/release", {"by": customer["owner_id"], "reason": "moving to key accounts"})
    claimers = sorted(PEOPLE - {customer["owner_id"]})
    with ThreadPoolExecutor(len(claimers)) as threads:
        answers = list(threads.map(lambda who: requests.post(f"{api}{path}/claim", json={"by": who}, timeout=10),
                                   claimers))
    assert sorted(a.status_code for a in answers) == [200, 409]
    winner = next(a.json()["owner_id"] for a in answers if a.status_code == 200)
    loser = next(a.json()["error"] for a in answers if a.status_code == 409)
    assert loser["details"]["owner_id"] == winner and winner in loser["message"]
    assert get(api, f"{path}/owner")["owner_id"] == winner


def test_a_rejected_customer_is_on_the_do_not_contact_list_until_reactivated(system):
    api = system.api
    customer = new_customer(system)
    path = f"/customers/{customer['id']}"
    post(api, f"{path}/reject", {"by": "manager", "reason": "need mismatch: wants retail packs"})
    status = post(api, "/pool/contact-status", {"customer_ids": [customer["id"], "cus_unknown"]})["items"]
    assert status == [{"customer_id": customer["id"], "state": "rejected", "do_not_contact": True,
                       "reason": "rejected: need mismatch: wants retail packs"}]
    email = customer["contacts"][0]["email"]
    checked = wait_for(lambda: [c for c in get(api, "/customers/check", email=email)["candidates"]
                                if c["pool_status"] == "rejected"], what="check before create to show the rejection")
    assert checked[0]["customer_id"] == customer["id"]
    review = get(api, "/pool/rejected", limit=200)["items"]
    assert any(r["customer_id"] == customer["id"] and r["review_due_at"] for r in review)
    refused = requests.post(f"{api}{path}/claim", json={"by": "alice"}, timeout=10)
    assert refused.status_code == 409
    assert post(api, f"{path}/reactivate", {"by": "manager", "reason": "new price list"})["state"] == "public_pool"
    assert post(api, "/pool/contact-status", {"customer_ids": [customer["id"]]})["items"][0]["do_not_contact"] is False
    bad = requests.post(f"{api}/pool/contact-status", json={"customer_ids": {"$gt": ""}}, timeout=10)
    assert bad.status_code == 400 and "customer_ids" in bad.json()["error"]["details"]["fields"]


def test_salespeople_are_listed_with_what_they_hold(system):
    people = {p["id"]: p for p in get(system.api, "/salespeople")["items"]}
    assert set(people) >= PEOPLE
    assert {people[p]["weight"] for p in PEOPLE} <= {1, 2, 3} and all(people[p]["active"] for p in PEOPLE)
    refused = requests.patch(f"{system.api}/salespeople/alice", json={"by": "manager", "weight_override": -1}, timeout=10)
    assert refused.status_code == 400 and "weight_override" in refused.json()["error"]["details"]["fields"]
