"""An admin checks a configuration before it is loaded (POST /admin/configuration/check): the
gateway checks its own settings and every running service checks the sections it reads with its
own schemas, each setting it would refuse named by its path and reason."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SHIPPED = (Path(__file__).resolve().parents[2] / "deploy" / "config.yaml").read_text(encoding="utf-8")
SERVICES = ["gateway", "intake", "profile", "handoff", "pool", "notification"]


def _edited(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


def _check(client, text):
    return client.post("/admin/configuration/check", json={"yaml": text})


def test_the_running_configuration_loads_in_every_service(api):
    response = _check(api, SHIPPED)
    assert response.status_code == 200, response.text
    report = response.json()
    assert [s["service"] for s in report["services"]] == SERVICES
    assert report["ok"] is True, report
    assert all(s["status"] == "ok" and s["errors"] == [] for s in report["services"]), report


def test_a_bad_configuration_names_each_setting_and_the_service_refusing_it(api):
    bad = _edited(SHIPPED, "      per_day: 5\n", "      per_day: -1\n")
    bad = _edited(bad, "rpc_timeout_seconds: ${BATON_RPC_TIMEOUT:10}", "rpc_timeout_seconds: 0")
    bad = _edited(bad, "checklist: [", "checklist: [no_such_rule, ")
    response = _check(api, bad)
    assert response.status_code == 200, response.text
    report = response.json()
    by_service = {s["service"]: s for s in report["services"]}
    assert report["ok"] is False
    assert by_service["pool"]["status"] == "errors"
    assert {"path": "BATON.pool.claim_limits.per_day", "reason": "Must be greater than or equal to 0."} in by_service[
        "pool"
    ]["errors"]
    assert by_service["gateway"]["errors"] == [
        {"path": "BATON.gateway.rpc_timeout_seconds", "reason": "Must be greater than or equal to 0.1."}
    ]
    assert any(
        e["path"].startswith("BATON.handoff.kinds.") and "no_such_rule" in e["reason"]
        for e in by_service["handoff"]["errors"]
    ), by_service["handoff"]
    for name in ("intake", "profile", "notification"):
        assert by_service[name] == {"service": name, "status": "ok", "errors": [], "reason": None}, by_service[name]


def test_text_that_is_not_yaml_is_refused_naming_where(api):
    response = _check(api, "BATON:\n  pool: {claim_limits: [\n")
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "refused"
    assert "yaml" in error["details"]["fields"]
    assert error["details"]["line"] >= 2 and error["details"]["column"] >= 1


def test_only_admins_check_configurations(people):
    response = _check(people["mia"], SHIPPED)
    assert response.status_code == 403, response.text
    assert _check(people["root"], "").status_code == 400
