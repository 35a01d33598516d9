"""Signing in to the console over HTTP: passwords, sessions, the failed sign-in limit, and the
console's files served at /."""

import gzip
from datetime import UTC, datetime, timedelta

import pytest
import requests

from deploy.docstore import free_port
from services.gateway.service import GatewayService
from tests.integration.helpers import ApiClient, call, provision, started


@pytest.fixture
def console_dir(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><div id="app"></div><script src="/assets/app-1a2b.js"></script>', encoding="utf-8"
    )
    (tmp_path / "assets" / "app-1a2b.js").write_text("console.log('baton');\n" * 200, encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("not for the web", encoding="utf-8")
    return tmp_path


@pytest.fixture
def gateway(container_factory, config, console_dir):
    config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    config["BATON"]["access"]["token_cache_seconds"] = 0
    config["BATON"]["access"].update(
        sign_in_failures_allowed=3, sign_in_failures_per_address=5, sign_in_window_minutes=15
    )
    config["BATON"]["gateway"]["console_dir"] = str(console_dir)
    return started(container_factory, GatewayService, config)


@pytest.fixture
def base(gateway, config):
    return f"http://{config['WEB_SERVER_ADDRESS']}"


@pytest.fixture
def admin(gateway, base):
    return ApiClient(base, provision(gateway, "root", "admin"))


@pytest.fixture
def alice(gateway):
    provision(gateway, "alice", "member", "sales", "default")
    call(gateway, "set_password", "alice", {"password": "correct horse 1"})  # as the CLI, the system
    return "alice"


def sign_in(base, user_id, password):
    return ApiClient(base).post("/sessions", json={"user_id": user_id, "password": password})


def test_a_person_signs_in_uses_the_session_and_signs_out(base, alice, db):
    answer = sign_in(base, "alice", "correct horse 1")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["user"]["id"] == "alice" and body["user"]["password_set"] is True and body["idle_hours"] == 8
    assert body["token"].startswith("bs_") and "correct horse" not in answer.text
    session = ApiClient(base, body["token"])
    assert session.get("/me").json()["name"] == "Alice"
    assert session.delete("/sessions/current").json() == {"ended": True}
    after = session.get("/me")
    assert (after.status_code, after.json()["error"]["details"]["reason"]) == (401, "signed_out")
    stored = db.credentials.find_one({"_id": "alice"})
    assert stored["hash"].startswith("scrypt$") and "correct horse" not in str(stored)
    trail = list(db.of("gateway").audit.find({"resource": {"$in": ["credential", "session"]}}))
    assert trail and not any("hash" in str(entry["changes"]) for entry in trail)


def test_a_session_idle_for_too_long_has_expired(base, alice, db):
    token = sign_in(base, "alice", "correct horse 1").json()["token"]
    session = db.sessions.find_one({"user_id": "alice"})
    long_ago = datetime.now(UTC) - timedelta(hours=9)
    db.sessions.replace_one(
        {"_id": session["_id"]}, {**session, "last_used_at": long_ago, "expires_at": long_ago + timedelta(hours=8)}
    )
    answer = ApiClient(base, token).get("/me")
    assert answer.status_code == 401
    assert answer.json()["error"]["details"]["reason"] == "session_expired"
    assert "sign in again" in answer.json()["error"]["message"]


def test_a_used_session_stays_open_past_its_first_deadline(base, alice, db):
    token = sign_in(base, "alice", "correct horse 1").json()["token"]
    session = db.sessions.find_one({"user_id": "alice"})
    used = datetime.now(UTC) - timedelta(hours=7, minutes=59)
    db.sessions.replace_one(
        {"_id": session["_id"]}, {**session, "last_used_at": used, "expires_at": used + timedelta(hours=8)}
    )
    assert ApiClient(base, token).get("/me").status_code == 200  # used now: the idle clock restarts
    assert db.sessions.find_one({"_id": session["_id"]})["expires_at"] > datetime.now(UTC) + timedelta(hours=7)


def test_wrong_passwords_and_unknown_users_get_one_answer(base, alice):
    wrong, unknown = sign_in(base, "alice", "wrong password"), sign_in(base, "nobody", "wrong password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"] == "The user id or password is wrong."


def test_after_too_many_failures_a_user_waits_and_is_told_how_long(base, alice, gateway):
    for _ in range(3):
        assert sign_in(base, "alice", "guess").status_code == 401
    locked = sign_in(base, "alice", "correct horse 1")  # even the right password, for now
    assert locked.status_code == 429
    error = locked.json()["error"]
    assert error["code"] == "too_many_attempts" and 890 <= error["details"]["retry_after_seconds"] <= 901
    assert "try again in 15 minutes" in error["message"]
    provision(gateway, "bob", "member", "sales", "default")
    call(gateway, "set_password", "bob", {"password": "bobs password"})
    assert sign_in(base, "bob", "bobs password").status_code == 201  # another person is not locked out


def test_an_address_that_fails_too_often_is_held_back_for_every_user(base, alice):
    for number in range(5):
        assert sign_in(base, f"guess{number}", "guess").status_code == 401
    assert sign_in(base, "alice", "correct horse 1").status_code == 429


def test_a_person_changes_their_own_password_with_the_current_one_only(base, alice, admin):
    session = ApiClient(base, sign_in(base, "alice", "correct horse 1").json()["token"])
    refused = session.put("/users/alice/password", json={"password": "new password 22", "current_password": "nope"})
    assert refused.status_code == 403 and "current_password" in refused.json()["error"]["details"]["fields"]
    short = session.put("/users/alice/password", json={"password": "short", "current_password": "correct horse 1"})
    assert short.status_code == 400 and "password" in short.json()["error"]["details"]["fields"]
    changed = session.put(
        "/users/alice/password", json={"password": "new password 22", "current_password": "correct horse 1"}
    )
    assert changed.status_code == 200 and changed.json()["user_id"] == "alice"
    assert sign_in(base, "alice", "new password 22").status_code == 201
    assert session.put("/users/root/password", json={"password": "taken over!!"}).status_code == 403
    assert admin.put("/users/alice/password", json={"password": "reset by admin"}).status_code == 200
    assert sign_in(base, "alice", "reset by admin").status_code == 201


def test_a_person_keeps_their_language_and_sees_colleagues_by_name(base, alice, gateway):
    provision(gateway, "sam", "member", "service")
    session = ApiClient(base, sign_in(base, "alice", "correct horse 1").json()["token"])
    assert session.patch("/me", json={"language": "zh-CN"}).json()["language"] == "zh-CN"
    assert session.get("/me").json()["language"] == "zh-CN"
    bad = session.patch("/me", json={"language": "klingon"})
    assert bad.status_code == 400 and "language" in bad.json()["error"]["details"]["fields"]
    people = {p["id"]: p for p in session.get("/people").json()["items"]}
    assert people["sam"] == {
        "id": "sam",
        "name": "Sam",
        "role": "member",
        "department": "service",
        "team": None,
        "active": True,
    }


def test_the_console_is_served_with_its_routes_and_cache_headers(base):
    index = requests.get(f"{base}/", headers={"Accept": "text/html"})
    assert index.status_code == 200 and '<div id="app">' in index.text
    assert index.headers["Cache-Control"] == "no-cache" and index.headers["Content-Type"].startswith("text/html")
    page = requests.get(f"{base}/c/cus_123", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200 and page.text == index.text  # the console's own route
    asset = requests.get(f"{base}/assets/app-1a2b.js", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(asset.raw.read()).decode().startswith("console.log('baton');")
    missing = requests.get(f"{base}/assets/gone-0000.js", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert requests.get(f"{base}/%2e%2e/secret.txt", headers={"Accept": "*/*"}).status_code == 404
    assert requests.get(f"{base}/ready").json()["status"] == "ready"  # API routes come first
    assert requests.get(f"{base}/me").status_code == 401
    assert requests.get(f"{base}/me", headers={"Accept": "application/json"}).status_code == 401
    browsing = requests.get(f"{base}/pool", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browsing.status_code == 200 and browsing.text == index.text  # a console page sharing its address
