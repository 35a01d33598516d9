"""Anti-hoarding over HTTP (issue 15, item 4): no contacts dated ahead, no claiming back a customer
recycled for neglect, its owner told when it returns to the pool, claim limits that hold under
parallel clicks, and claims only within the claimer's own team's pool.

These tests run the recycling sweep with a clock weeks ahead, which would recycle every other
test's customers too: they get a system of their own."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from deploy.local_system import local_system, provision_users
from tests.e2e.helpers import customer_by_email, get, inbox_of, lead, unique_email
from tests.e2e.test_reminders import fire_due
from tests.integration.helpers import ApiClient, publish_inquiry, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_system(tmp_path_factory, mail_server):
    with local_system(
        tmp_path_factory.mktemp("baton-hoarding"),
        env={"BATON_SMTP_PORT": str(mail_server.port), "BATON_TEST_CLOCK": "1"},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def admin(own_system):
    return ApiClient(own_system.api, provision_users(own_system, {"root": ("admin", None, None)})["root"])


def salesperson(system, admin, team="default"):
    """A sales member of their own (no claims yet), once the pool knows them."""
    user_id = f"sales-{uuid.uuid4().hex[:8]}"
    token = provision_users(system, {user_id: ("member", "sales", team)})[user_id]
    wait_for(lambda: admin.get(f"/users/{user_id}/claims").status_code == 200, what=f"pool to know {user_id}")
    return user_id, ApiClient(system.api, token)


def pool_customer(system, admin):
    """A customer waiting in the public pool (its inquiry asked for the pool)."""
    email = unique_email()
    publish_inquiry(system.amqp_uri, {**lead(email), "allocate": False}, message_id=f"e2e-{uuid.uuid4()}")
    customer = customer_by_email(admin, email, owned=False)
    wait_for(lambda: admin.get(f"/customers/{customer['id']}/owner").status_code == 200, what="pool to hold it")
    return customer


def claim(client, customer):
    return client.post(f"/customers/{customer['id']}/claim", json={})


def contact(at, **extra):
    return {"at": at.isoformat(), "method": "phone", "summary": "call: confirmed 500 pcs", **extra}


def test_a_contact_dated_ahead_is_refused_naming_at(own_system, admin):
    user_id, client = salesperson(own_system, admin)
    customer = pool_customer(own_system, admin)
    assert claim(client, customer).status_code == 200
    path, now = f"/customers/{customer['id']}/communications", datetime.now(UTC)
    ahead = client.post(path, json=contact(now + timedelta(days=182), summary="【特殊】note for the summer"))
    assert ahead.status_code == 422, ahead.text
    error = ahead.json()["error"]
    assert error["code"] == "refused" and list(error["details"]["fields"]) == ["at"]
    assert "later than now plus 10 minutes" in error["details"]["fields"]["at"][0]
    assert client.post(path, json=contact(now + timedelta(minutes=11))).status_code == 422
    assert client.post(path, json=contact(now + timedelta(minutes=5))).status_code == 201  # clocks differ a little
    archive = get(client, f"/customers/{customer['id']}")
    assert len(archive["communications"]) == 1 and archive["special_requirements"] == []


def test_parallel_claims_by_one_person_win_exactly_the_daily_limit(own_system, admin):
    user_id, client = salesperson(own_system, admin)
    per_day = get(admin, f"/users/{user_id}/claims")["limits"][0]
    assert (per_day["period"], per_day["used"]) == ("day", 0)
    customers = [pool_customer(own_system, admin) for _ in range(per_day["limit"] + 4)]
    with ThreadPoolExecutor(len(customers)) as threads:
        answers = list(threads.map(lambda c: claim(client, c), customers))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * per_day["limit"] + [409] * 4, [a.text for a in answers]
    refusals = [a.json()["error"]["details"] for a in answers if a.status_code == 409]
    assert all(r["limit"] == "per_day" and r["resets_at"] and r["used"] == per_day["limit"] for r in refusals)
    left = get(admin, f"/users/{user_id}/claims")
    assert (left["limits"][0]["used"], left["held"]) == (per_day["limit"], per_day["limit"])
    owned = get(admin, "/pool", state="owned", owner_id=user_id, limit=200)["total"]
    assert owned == per_day["limit"]


def test_a_salesperson_claims_only_from_their_own_team_s_pool(own_system, admin):
    _outsider, other_team = salesperson(own_system, admin, team="export-2")
    customer = pool_customer(own_system, admin)  # in the default team's pool
    refused = claim(other_team, customer)
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["details"]["limit"] == "pool_scope" and error["details"]["team"] == "default"
    assert "public pool of team default" in error["message"]
    assert get(admin, f"/customers/{customer['id']}/owner")["state"] == "public_pool"
    _insider, same_team = salesperson(own_system, admin)
    assert claim(same_team, customer).status_code == 200


def test_a_customer_recycled_for_neglect_is_not_claimed_back_and_its_owner_is_told(own_system, admin):
    owner, owner_client = salesperson(own_system, admin)
    colleague, colleague_client = salesperson(own_system, admin)
    customer = pool_customer(own_system, admin)
    assert claim(owner_client, customer).status_code == 200
    now = datetime.now(UTC)

    def sweep(at):
        answer = admin.post("/pool/sweep", json={"now": at.isoformat()}, timeout=120)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert sweep(now + timedelta(days=13))["warned"] >= 1
    returned_at = now + timedelta(days=16, hours=1)
    assert sweep(returned_at)["returned"] >= 1
    holding = get(admin, f"/customers/{customer['id']}/owner")
    assert (holding["state"], holding["reason"]) == ("public_pool", "recycled: no follow-up recorded for 15 days")

    again = claim(owner_client, customer)
    assert again.status_code == 409, again.text
    details = again.json()["error"]["details"]
    assert details["limit"] == "recycle_protection" and details["reason"] == "no follow-up recorded for 15 days"
    assert details["allowed"] == 15
    assert datetime.fromisoformat(details["resets_at"]) == returned_at.replace(
        microsecond=returned_at.microsecond // 1000 * 1000
    ) + timedelta(days=15)
    assert "may not be claimed back by you for 15 days" in again.json()["error"]["message"]

    def told():
        items = get(owner_client, f"/users/{owner}/reminders", status="pending", kind="returned_to_pool")["items"]
        return [r for r in items if r["customer_id"] == customer["id"]]

    reminder = wait_for(told, what="the owner's notice to be scheduled")[0]
    assert reminder["details"]["reason"] == "recycled: no follow-up recorded for 15 days"
    fire_due(own_system, returned_at + timedelta(minutes=1))
    inbox = [
        e
        for e in inbox_of(owner_client, owner)
        if e["customer_id"] == customer["id"] and e["kind"] == "returned_to_pool"
    ]
    assert len(inbox) == 1 and "public pool" in inbox[0]["title"] and inbox[0]["details"]["by"] == "pool"
    assert "no follow-up recorded for 15 days" in inbox[0]["body"]
    assert claim(colleague_client, customer).status_code == 200
