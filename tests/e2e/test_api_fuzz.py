"""The served OpenAPI document, fuzzed with schemathesis against a running system as its admin:
no answer is a 5xx, and every answer is one the document lists, in the shape it gives.

Bounded for CI (two cores): a fixed seed, ``EXAMPLES`` cases per operation in each generation
mode (data that fits the schema and data that does not), no shrinking. A system of its own, so
the fuzzer's customers and users never meet the other journeys' assertions.
"""

import collections
from urllib.parse import quote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from deploy.local_system import local_system, provision_users
from tests.integration.helpers import ApiClient

pytestmark = pytest.mark.e2e

EXAMPLES = 10
SEED = 20261204
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
PEOPLE = {"root": ("admin", None, None), "alice": ("member", "sales", "default"), "web": ("integration", None, None)}


@pytest.fixture(scope="module")
def fuzzed_system(tmp_path_factory):
    with local_system(tmp_path_factory.mktemp("fuzz-var")) as running:  # no BATON_TEST_CLOCK: the real clock
        yield running, provision_users(running, PEOPLE)


@pytest.fixture(scope="module")
def admin(fuzzed_system):
    system, tokens = fuzzed_system
    return ApiClient(system.api, tokens["root"])


def test_no_fuzzed_request_gets_a_server_error_or_an_undocumented_answer(admin):
    schema = schemathesis.openapi.from_dict(admin.get("/openapi.json").json())
    failures, statuses = collections.defaultdict(list), collections.Counter()
    session = requests.Session()  # schemathesis sends whole URLs: a plain session with the admin's token
    session.trust_env, session.headers["Authorization"] = False, admin.headers["Authorization"]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 80
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, admin.base, session, failures, statuses)
    assert not failures, "\n".join(f"{label}: {problems[:3]}" for label, problems in failures.items())
    # The cases reached the services as the admin: answers of every kind, not one refusal at the door.
    assert statuses[200] + statuses[201] + statuses[202] > 100 and statuses[400] > 100 and statuses[401] == 0


def _fuzz(operation, mode, base, session, failures, statuses):
    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(base_url=base, session=session, timeout=30)
        if operation.label != "POST /sessions":  # signing in with invented credentials: 401 is right
            statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseException as problem:  # schemathesis reports a group of failed checks
            kinds = sorted({type(p).__name__ for p in getattr(problem, "exceptions", [problem])})
            failures[operation.label].append(
                (mode.value, response.status_code, kinds, case.query, repr(case.body)[:200], response.text[:200])
            )

    try:
        run()
    except BaseException as problem:
        if type(problem).__name__ != "Unsatisfiable":  # an operation without inputs has no negative cases
            raise


def test_the_audit_trail_and_parked_events_page_past_200_and_refuse_a_bad_limit(admin):
    for number in range(210):
        assert admin.post(
            "/users", json={"id": f"paged-{number:03}", "name": f"Paged {number}", "role": "integration"}
        ).status_code in (201, 409)
    first = admin.get("/audit", params={"resource": "user", "limit": 200}).json()
    second = admin.get("/audit", params={"resource": "user", "limit": 200, "offset": 200}).json()
    assert first["total"] == second["total"] >= 210
    assert len(first["items"]) == 200 and len(second["items"]) == first["total"] - 200
    ids = [entry["id"] for entry in first["items"] + second["items"]]
    assert len(set(ids)) == len(ids)
    times = [entry["at"] for entry in first["items"] + second["items"]]
    assert times == sorted(times, reverse=True)
    assert admin.get("/parked-events", params={"offset": 250}).json()["items"] == []
    for route in ("/audit", "/parked-events"):
        for limit in ("abc", "null", "201", "0"):
            refused = admin.get(route, params={"limit": limit})
            assert refused.status_code == 400, (route, limit, refused.text)
            assert list(refused.json()["error"]["details"]["fields"]) == ["limit"]


def test_a_sweep_at_an_invented_time_is_refused_without_the_test_clock(admin):
    refused = admin.post("/pool/sweep", json={"now": "5034-01-01T00:00:00+00:00"})
    assert refused.status_code == 400 and list(refused.json()["error"]["details"]["fields"]) == ["now"]
    assert admin.post("/pool/sweep", json={}).status_code == 200


def test_the_last_admin_stays_an_admin_whatever_the_fuzzer_sent(admin):
    """The fuzzer may have made admins of its own: each but the last one can be deactivated."""
    users, offset = [], 0
    while page := admin.get("/users", params={"limit": 200, "offset": offset}).json()["items"]:
        users, offset = users + page, offset + len(page)
    others = [u["id"] for u in users if u["role"] == "admin" and u["active"] and u["id"] != "root"]
    for user_id in others:
        assert admin.patch(f"/users/{quote(user_id, safe='')}", json={"active": False}).status_code == 200
    refused = admin.patch("/users/root", json={"active": 0})
    assert refused.status_code == 409 and refused.json()["error"]["details"]["reason"] == "last_active_admin"
    assert admin.get("/me").json()["active"] is True
