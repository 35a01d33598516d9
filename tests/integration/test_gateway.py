"""The HTTP API over real services: JSON in and out, errors with one shape, never a trace."""

import json
from datetime import UTC, datetime

import pytest
import requests
from nameko.testing.services import entrypoint_waiter

from deploy.docstore import free_port
from services.gateway.service import GatewayService
from services.handoff.service import HandoffService
from services.intake.service import IntakeService
from services.pool.service import PoolService
from services.profile.service import ProfileService
from tests.integration.helpers import (
    ApiClient,
    call,
    canonical_inquiry,
    provision,
    recorder_of,
    start_downstream_of,
    started,
    wait_for,
)


@pytest.fixture
def gateway(container_factory, config):
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    config["BATON"]["gateway"]["rpc_timeout_seconds"] = 1
    config["BATON"]["access"]["token_cache_seconds"] = 0  # see revocations at once
    start_downstream_of(container_factory, config, "intake", "profile")
    gateway = started(container_factory, GatewayService, config)
    for service in (IntakeService, ProfileService):  # no pool: its calls must time out
        started(container_factory, service, config)
    return gateway


@pytest.fixture
def base(gateway, config):
    return f"http://{config['WEB_SERVER_ADDRESS']}"


@pytest.fixture
def api(gateway, base):
    """An admin: every route is open to them."""
    return ApiClient(base, provision(gateway, "root", "admin"))


def test_a_saved_user_is_announced_even_when_nobody_listened_at_the_time(container_factory, gateway, config):
    call(gateway, "add_user", {"id": "dave", "name": "Dave", "role": "member", "department": "sales"})
    listener = started(container_factory, recorder_of("gateway", "user_saved"), config)  # only now
    with entrypoint_waiter(listener, "record", timeout=20) as announced:
        pass  # the gateway's timer tries again
    assert {k: announced.get()[k] for k in ("user_id", "role", "department", "active", "version")} == {
        "user_id": "dave",
        "role": "member",
        "department": "sales",
        "active": True,
        "version": 0,
    }
    with entrypoint_waiter(listener, "record", timeout=10) as changed:
        call(gateway, "change_user", "dave", {"department": "service"})  # listened to: out at once
    assert (changed.get()["department"], changed.get()["version"]) == ("service", 1)


def test_users_saved_before_announcements_existed_are_announced_once(container_factory, config, db):
    db.users.insert_one(
        {
            "_id": "old",
            "name": "Old Hand",
            "role": "member",
            "department": "sales",
            "team": None,
            "email": None,
            "active": True,
            "created_at": datetime.now(UTC),
            "version": 3,
        }
    )
    listener = started(container_factory, recorder_of("gateway", "user_saved"), config)
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    with entrypoint_waiter(listener, "record", timeout=20) as announced:
        started(container_factory, GatewayService, config)
    assert (announced.get()["user_id"], announced.get()["version"]) == ("old", 3)
    wait_for(lambda: db.users.find_one({"_id": "old"})["announce"] == "done", what="the gateway to note it")


def test_health_names_the_service_that_is_not_running(base):
    answer = requests.get(f"{base}/health")  # no pool, handoff nor notification here
    assert answer.status_code == 503 and answer.json()["status"] == "failing" and "pool" in answer.json()["failing"]
    assert requests.get(f"{base}/ready").json()["status"] == "ready"


def test_a_posted_inquiry_is_accepted_once(api):
    body = json.dumps(canonical_inquiry())
    first = api.post("/inquiries", data=body, headers={"X-Message-Id": "k-1"})
    again = api.post("/inquiries", data=body, headers={"X-Message-Id": "k-1"})
    assert (first.status_code, first.json()["status"], first.json()["duplicate"]) == (202, "accepted", False)
    assert (again.status_code, again.json()["id"], again.json()["duplicate"]) == (200, first.json()["id"], True)


def test_a_write_retried_with_its_idempotency_key_gets_the_first_answer_again(api):
    body = json.dumps(canonical_inquiry(email="retry@acme.de"))
    first = api.post("/inquiries", data=body, headers={"Idempotency-Key": "retry-1"})
    again = api.post("/inquiries", data=body, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == 202 and "Idempotent-Replay" not in first.headers
    assert (again.status_code, again.json(), again.headers["Idempotent-Replay"]) == (202, first.json(), "true")
    other = api.post(
        "/inquiries", data=json.dumps(canonical_inquiry(email="else@acme.de")), headers={"Idempotency-Key": "retry-1"}
    )
    assert other.status_code == 409 and "different request" in other.json()["error"]["message"]
    created = api.post("/users", json={"id": "kim", "name": "Kim", "role": "admin"}, headers={"Idempotency-Key": "u-1"})
    replayed = api.post(
        "/users", json={"id": "kim", "name": "Kim", "role": "admin"}, headers={"Idempotency-Key": "u-1"}
    )
    assert created.status_code == replayed.status_code == 201 and replayed.json() == created.json()


def test_a_bad_inquiry_gets_422_with_field_errors_and_is_kept(api):
    response = api.post("/inquiries", data='{"schema_version": 1, "contact": {"email": "nope"}}')
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"]["fields"]["channel"] == ["Missing data for required field."]
    assert error["details"]["fields"]["contact"]["email"] == ["Not a valid email address."]
    stored = api.get(f"/inquiries/{error['details']['inquiry_id']}").json()
    assert (stored["status"], stored["raw_body"]) == ("rejected", '{"schema_version": 1, "contact": {"email": "nope"}}')


def test_a_website_form_posts_form_encoded_through_its_connector(api):
    response = api.post(
        "/channels/website_form/inquiries",
        data={"name": "Li Wei", "email": "li@wei.cn", "message": "500 sets, target price USD 9"},
    )
    assert response.status_code == 202
    stored = api.get(f"/inquiries/{response.json()['id']}").json()
    assert stored["inquiry"]["contact"] == {"name": "Li Wei", "email": "li@wei.cn"}


def test_errors_have_one_shape(api):
    missing = api.get("/customers/cus_missing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    bad_query = api.get("/customers", params={"limit": "lots", "colour": "red"})
    assert bad_query.status_code == 400
    assert set(bad_query.json()["error"]["details"]["fields"]) == {"limit", "colour"}


def test_a_service_that_does_not_answer_gives_503_naming_it(api):
    response = api.get("/customers/cus_1/owner", timeout=10)
    assert response.status_code == 503
    assert response.json()["error"]["details"] == {"service": "pool"}


def test_contracts_are_served_for_integrations(api):
    assert "inquiry.v1.json" in api.get("/contracts").json()["contracts"]
    schema = api.get("/contracts/inquiry.v1.json").json()
    assert "channel" in schema["required"]
    assert api.get("/contracts/nope.json").status_code == 404


def test_the_api_describes_itself_and_serves_its_docs_page(api):
    document = api.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0" and "/customers/{customer_id}/claim" in document["paths"]
    page = api.get("/docs")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'fetch("/openapi.json")' in page.text


def test_every_call_needs_a_token_of_an_active_user(gateway, base, db):
    nobody = ApiClient(base)
    missing = nobody.get("/customers")
    assert (missing.status_code, missing.json()["error"]["code"]) == (401, "unauthenticated")
    assert "Authorization: Bearer" in missing.json()["error"]["message"]
    assert ApiClient(base, "bt_made-up").get("/customers").status_code == 401
    token = provision(gateway, "alice", "member", "sales", "default")
    alice = ApiClient(base, token)
    me = alice.get("/me").json()
    assert (me["id"], me["role"], me["department"], me["team"]) == ("alice", "member", "sales", "default")
    assert db.api_tokens.count_documents({}) == 1
    assert token not in json.dumps(list(db.api_tokens.find()), default=str)  # only its hash is kept
    call(gateway, "change_user", "alice", {"active": False})
    assert alice.get("/me").status_code == 401


def test_a_route_refuses_roles_it_does_not_serve_and_says_who_it_serves(gateway, base):
    marketing = ApiClient(base, provision(gateway, "mia", "member", "marketing"))
    refused = marketing.post("/customers/cus_1/claim", json={})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert refused.json()["error"]["message"] == (
        "mia (marketing member) may not call POST /customers/<customer_id>/claim; allowed: sales."
    )
    web = ApiClient(base, provision(gateway, "web", "integration"))
    assert web.post("/inquiries", data=json.dumps(canonical_inquiry())).status_code == 202
    assert web.get("/customers").status_code == 403


def test_an_integration_finds_what_became_of_its_inquiry_by_its_own_reference(gateway, base):
    web = ApiClient(base, provision(gateway, "web", "integration"))
    shop = ApiClient(base, provision(gateway, "shop", "integration"))
    sent = web.post("/inquiries", json=canonical_inquiry(external_id="order-form-7"), headers={"X-Message-Id": "w-7"})
    assert sent.status_code == 202
    found = web.get("/inquiries", params={"external_id": "order-form-7"}).json()["items"]
    assert [(i["id"], i["submitted_by"], i["status"]) for i in found] == [(sent.json()["id"], "web", "accepted")]
    assert shop.get("/inquiries", params={"external_id": "order-form-7"}).json()["total"] == 0
    refused = shop.get(f"/inquiries/{sent.json()['id']}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert web.get(f"/inquiries/{sent.json()['id']}").json()["external_id"] == "order-form-7"


def test_users_manage_their_own_tokens_and_admins_everyone_s(gateway, base, api):
    created = api.post(
        "/users", json={"id": "bob", "name": "Bob", "role": "member", "department": "sales", "team": "default"}
    )
    assert created.status_code == 201 and created.json()["active"] is True
    assert api.post("/users", json={"id": "bob", "name": "Bob", "role": "admin"}).status_code == 409
    refused = api.post("/users", json={"id": "x", "name": "X", "role": "manager"})
    assert refused.status_code == 400 and "department" in refused.json()["error"]["details"]["fields"]
    issued = api.post("/users/bob/tokens", json={"label": "laptop"})
    assert issued.status_code == 201 and issued.json()["token"].startswith("bt_")
    bob = ApiClient(base, issued.json()["token"])
    second = bob.post("/users/bob/tokens", json={"label": "phone"}).json()
    assert [t["label"] for t in bob.get("/users/bob/tokens").json()["items"]] == ["laptop", "phone"]
    assert "token" not in bob.get("/users/bob/tokens").json()["items"][0]
    assert bob.get("/users/root/tokens").status_code == 403
    assert bob.get("/users").status_code == 403
    assert bob.delete(f"/tokens/{second['id']}").json()["revoked_at"] is not None
    assert ApiClient(base, second["token"]).get("/me").status_code == 401
    assert bob.get("/me").status_code == 200  # the other token still works


def test_the_claims_left_are_read_through_the_pool_as_the_caller(container_factory, gateway, base, config):
    config["BATON"]["pool"]["claim_limits"] = {"per_day": 4, "per_week": 20, "per_month": 60, "max_held": 200}
    started(container_factory, PoolService, config)
    alice = ApiClient(base, provision(gateway, "alice", "member", "sales", "default"))
    mine = alice.get("/users/alice/claims")
    assert mine.status_code == 200, mine.text
    assert [(p["period"], p["used"], p["limit"], p["remaining"]) for p in mine.json()["limits"]] == [
        ("day", 0, 4, 4),
        ("week", 0, 20, 20),
        ("month", 0, 60, 60),
    ]
    assert (mine.json()["held"], mine.json()["max_held"]) == (0, 200)
    refused = alice.get("/users/bob/claims")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert "only their own" in refused.json()["error"]["message"]
    manager = ApiClient(base, provision(gateway, "meier", "manager", "sales", "default"))
    assert manager.get("/users/bob/claims").json()["user_id"] == "bob"
    other = ApiClient(base, provision(gateway, "svc-lead", "manager", "service"))
    assert other.get("/users/bob/claims").status_code == 403
    assert manager.get("/users/nobody-here/claims").status_code == 404


def test_a_refusal_s_details_keep_their_json_types_and_the_kinds_are_listed(container_factory, gateway, base, config):
    started(container_factory, HandoffService, config)
    mia = ApiClient(base, provision(gateway, "mia", "member", "marketing"))
    provision(gateway, "bob", "member", "sales", "default")
    sent = mia.post("/inquiries", json=canonical_inquiry(email="vague@acme.de", message="We want to cooperate"))
    assert sent.status_code == 202, sent.text
    customer = wait_for(
        lambda: mia.get("/customers", params={"email": "vague@acme.de"}).json()["items"], what="the lead to be filed"
    )[0]["id"]
    refused = mia.post("/handoffs", json={"kind": "marketing_to_sales", "customer_id": customer, "to": ["bob"]})
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "refused"), refused.text
    details = refused.json()["error"]["details"]
    assert details["info_pending_allowed"] is True and details["missing"] == ["need_is_specific", "contact_attempted"]
    assert [(i["name"], i["passed"]) for i in details["items"]] == [
        ("source_recorded", True),
        ("basic_info_complete", True),
        ("need_is_specific", False),
        ("contact_attempted", False),
        ("screening_recorded", True),
    ]  # screening is off here
    kinds = mia.get("/handoff-kinds")
    assert kinds.status_code == 200, kinds.text
    sales_to_service = next(k for k in kinds.json()["items"] if k["name"] == "sales_to_service")
    assert (sales_to_service["from"], sales_to_service["max_receivers"], sales_to_service["changes_owner"]) == (
        ["sales"],
        3,
        False,
    )
    web = ApiClient(base, provision(gateway, "web", "integration"))
    assert web.get("/handoff-kinds").status_code == 403
