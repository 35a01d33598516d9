"""Hostile and careless requests get a 4xx naming the field, never a 5xx; secrets are never kept
for a replay; the last active admin stays; a test clock only where the environment allows it."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from contracts.errors import Conflict, InvalidInput
from deploy.docstore import free_port
from services.gateway.service import GatewayService
from services.intake.service import IntakeService
from services.notification.service import NotificationService
from services.pool.service import PoolService
from services.profile.service import ProfileService
from services.runtime.given_clock import ENVIRONMENT_VARIABLE
from tests.integration.helpers import ApiClient, call, canonical_inquiry, provision, start_downstream_of, started

INT64_MAX = 2**63 - 1


@pytest.fixture
def gateway(container_factory, config):
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    config["BATON"]["access"]["token_cache_seconds"] = 0
    start_downstream_of(container_factory, config, "intake", "profile")
    gateway = started(container_factory, GatewayService, config)
    for service in (IntakeService, ProfileService):
        started(container_factory, service, config)
    return gateway


@pytest.fixture
def api(gateway, config):
    return ApiClient(f"http://{config['WEB_SERVER_ADDRESS']}", provision(gateway, "root", "admin"))


def refused_field(response, status=400):
    """The one field a refusal names, after checking its status and shape."""
    assert response.status_code == status, response.text
    fields = response.json()["error"]["details"]["fields"]
    assert len(fields) == 1, fields
    return next(iter(fields))


def test_hostile_bodies_are_refused_naming_where_before_any_service_parses_them(api):
    customer = {"company": "Acme GmbH", "contact": {"name": "Jane", "email": "jane@acme.de"}}
    deep = '{"company": ' + "[" * 5000 + "]" * 5000 + "}"
    assert refused_field(api.post("/customers", data=deep)) == "_body"
    too_big = api.post("/customers", data=json.dumps({**customer, "quantity": INT64_MAX + 1}))
    assert refused_field(too_big) == "quantity"
    assert "64-bit" in too_big.json()["error"]["details"]["fields"]["quantity"][0]
    long_number = api.post("/customers", data='{"company": "A", "n": ' + "9" * 5000 + "}")
    assert refused_field(long_number) == "n"
    nul_key = api.patch("/customers/cus_1", data=json.dumps({"custom_fields": {"a\u0000b": "x"}}))
    assert refused_field(nul_key) == "custom_fields"
    assert "NUL" in nul_key.json()["error"]["details"]["fields"]["custom_fields"][0]
    surrogate = api.post("/customers", data='{"company": "\\ud800"}')
    assert refused_field(surrogate) == "company"
    not_utf8 = api.post("/customers", data=b'{"company": "Caf\xe9"}')  # Latin-1, not UTF-8
    assert (
        refused_field(not_utf8) == "_body"
        and "UTF-8" in not_utf8.json()["error"]["message"] + not_utf8.json()["error"]["details"]["fields"]["_body"][0]
    )
    assert refused_field(api.post("/customers", data='{"company": NaN}')) == "company"


def test_an_inquiry_that_is_not_utf8_is_refused_not_replaced(api):
    body = json.dumps(canonical_inquiry(email="latin@acme.de")).replace("Acme", "Caf\u00e9").encode("latin-1")
    assert refused_field(api.post("/inquiries", data=body)) == "_body"
    assert api.get("/inquiries").json()["total"] == 0  # nothing was filed with a replacement character


def test_list_ranges_are_checked_naming_the_field(api):
    for params, field in (
        ({"offset": str(2**63)}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "null"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "0"}, "limit"),
    ):
        assert refused_field(api.get("/customers", params=params)) == field
        assert refused_field(api.get("/inquiries", params=params)) == field
    assert api.get("/customers", params={"offset": str(INT64_MAX)}).json()["items"] == []


def test_a_report_for_year_0000_is_refused_naming_the_month(api):
    assert refused_field(api.get("/reports/inquiries", params={"from": "0000-01", "to": "2026-03"})) == "from"
    assert refused_field(api.get("/reports/follow-up", params={"to": "3000-01"})) == "to"
    assert api.get("/reports/follow-up", params={"from": "1900-01", "to": "1900-02"}).status_code == 200


def test_a_refused_request_retried_with_its_key_after_the_fix_is_processed(api):
    change, headers = {"name": "Kim Lee"}, {"Idempotency-Key": "fix-1"}
    assert api.patch("/users/kim", json=change, headers=headers).status_code == 404  # no such user yet
    assert api.post("/users", json={"id": "kim", "name": "Kim", "role": "integration"}).status_code == 201
    fixed = api.patch("/users/kim", json=change, headers=headers)
    assert (fixed.status_code, fixed.json()["name"]) == (200, "Kim Lee") and "Idempotent-Replay" not in fixed.headers
    replayed = api.patch("/users/kim", json=change, headers=headers)  # a success is kept and replayed
    assert (replayed.status_code, replayed.headers.get("Idempotent-Replay")) == (200, "true")


def test_tokens_and_passwords_are_never_kept_for_a_replay(api, db):
    headers = {"Idempotency-Key": "token-1"}
    first = api.post("/users/root/tokens", json={"label": "ci"}, headers=headers)
    second = api.post("/users/root/tokens", json={"label": "ci"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replay" not in second.headers and first.json()["token"] != second.json()["token"]
    password = api.put(
        "/users/root/password", json={"password": "a long enough secret 1"}, headers={"Idempotency-Key": "pw-1"}
    )
    assert password.status_code == 200, password.text
    kept = json.dumps([record for record in db.of("gateway").idempotency_keys.find({})], default=str)
    assert first.json()["token"] not in kept and second.json()["token"] not in kept
    assert "a long enough secret 1" not in kept


def test_the_last_active_admin_is_neither_deactivated_nor_demoted(api, gateway):
    for change in ({"active": 0}, {"active": False}, {"role": "member", "department": "sales"}):
        refused = api.patch("/users/root", json=change)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["details"] == {"user_id": "root", "reason": "last_active_admin"}
    with pytest.raises(Conflict):  # the admin CLI's path (baton users update root --inactive)
        call(gateway, "change_user", "root", {"active": False})
    assert api.get("/me").json()["active"] is True
    assert api.post("/users", json={"id": "second", "name": "Second", "role": "admin"}).status_code == 201
    assert api.patch("/users/root", json={"active": False}).json()["active"] is False  # another admin remains
    with pytest.raises(Conflict):
        call(gateway, "change_user", "second", {"role": "integration"})


def test_an_invented_now_is_refused_without_the_test_clock_and_audited_with_it(
    container_factory, config, db, monkeypatch
):
    pool = started(container_factory, PoolService, config)
    notification = started(container_factory, NotificationService, config)
    later = (datetime.now(UTC) + timedelta(days=365 * 3000)).replace(microsecond=0).isoformat()
    monkeypatch.delenv(ENVIRONMENT_VARIABLE)
    for container, method in ((pool, "run_sweep"), (notification, "fire_due")):
        with pytest.raises(InvalidInput) as refused:
            call(container, method, later)
        assert list(refused.value.details["fields"]) == ["now"]
        assert ENVIRONMENT_VARIABLE in refused.value.details["fields"]["now"][0]
    assert call(pool, "run_sweep") == {"warned": 0, "returned": 0, "dormant": 0}  # without one: the real time
    assert db.of("pool").audit.count_documents({"resource": "test_clock"}) == 0
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "1")
    call(pool, "run_sweep", later)
    call(notification, "fire_due", later)
    for service, action in (("pool", "run_sweep"), ("notification", "fire_due")):
        entries = list(db.of(service).audit.find({"resource": "test_clock"}))
        assert [(e["action"], e["actor"]) for e in entries] == [(action, "system")]
        assert entries[0]["changes"]["now"]["after"].startswith(later[:10])
