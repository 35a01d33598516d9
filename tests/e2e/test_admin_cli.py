"""The admin command line against the running system, as an admin types it."""

import json

import pytest
import yaml

from deploy.local_system import local_system, provision_users
from tests.conftest import CONFIG_FILE
from tests.e2e.helpers import baton
from tests.integration.helpers import ApiClient, publish_inquiry, wait_for

pytestmark = pytest.mark.e2e


def test_an_admin_creates_a_user_and_a_token_that_opens_the_api(system):
    created = baton(
        system,
        "users",
        "create",
        "lin",
        "--name",
        "Lin Hua",
        "--role",
        "member",
        "--department",
        "sales",
        "--team",
        "export-2",
    )
    assert created.strip() == "created lin (Lin Hua: sales member, team export-2)"
    assert "already exists" in baton(system, "users", "create", "lin", "--name", "X", "--role", "admin", ok=False)
    refused = baton(system, "users", "create", "x", "--name", "X", "--role", "manager", ok=False)
    assert "department" in refused and "Traceback" not in refused
    token = baton(system, "tokens", "issue", "lin", "--label", "laptop").strip().splitlines()[-1]
    assert ApiClient(system.api, token).get("/me").json()["id"] == "lin"
    token_id = baton(system, "tokens", "list", "lin").split()[0]
    baton(system, "tokens", "revoke", token_id)
    wait_for(lambda: ApiClient(system.api, token).get("/me").status_code == 401, what="the revoked token to stop")
    assert "lin (Lin Hua: sales member, team export-2)" in baton(system, "users", "list")


def test_users_load_from_a_file_once(system, tmp_path):
    people = tmp_path / "people.yaml"
    people.write_text(
        yaml.safe_dump(
            [
                {"id": "hr-1", "name": "Ann", "role": "member", "department": "service"},
                {"id": "hr-2", "name": "Ben", "role": "admin"},
            ]
        )
    )
    assert baton(system, "users", "load", str(people)).strip() == "2 created, 0 already there"
    assert baton(system, "users", "load", str(people)).strip() == "0 created, 2 already there"


def test_a_configuration_is_checked_as_each_service_would_read_it(system, tmp_path):
    assert "every service's settings are valid" in baton(system, "config", "check", str(CONFIG_FILE))
    config = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8").replace("${", "$_{"))  # placeholders stay text
    config["BATON"]["pool"]["claim_limits"]["per_day"] = -1
    del config["BATON"]["matching"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(config, allow_unicode=True).replace("$_{", "${"))
    report = baton(system, "config", "check", str(broken), ok=False)
    assert "BATON.pool.claim_limits.per_day: Must be greater than or equal to 0. (read by pool)" in report
    assert "BATON.matching: Missing. (read by profile)" in report


def test_rejected_inquiries_are_replayed_and_the_pool_listed(system):
    publish_inquiry(system.amqp_uri, b"{broken", message_id="cli-broken-1")
    replay = baton(system, "inquiries", "replay")
    assert "still rejected" in replay and "accepted now" in replay
    listed = baton(system, "pool", "list", "--state", "owned", "--limit", "5")
    assert "owned customer(s)" in listed


def test_contracts_are_exported_and_plugins_checked(system, tmp_path):
    baton(system, "schemas", "export", str(tmp_path / "schemas"))
    assert json.loads((tmp_path / "schemas" / "inquiry.v1.json").read_text())["title"] == "Inquiry"
    health = json.loads(baton(system, "plugins", "check", "--json"))
    assert {entry["name"] for entry in health} >= {"default_fields", "intent_grading", "trait_rules"}
    assert all(entry["problems"] == [] for entry in health)


def test_an_admin_loads_a_configuration_and_the_running_services_restart_to_read_it(tmp_path):
    original = CONFIG_FILE.read_text(encoding="utf-8")
    config, data_dir = tmp_path / "config.yaml", tmp_path / "var"
    config.write_text(original, encoding="utf-8")
    with local_system(data_dir, services=["gateway", "pool"], config=config) as system:
        admin = ApiClient(
            system.api,
            provision_users(system, {"root": ("admin", None, None), "zoe": ("member", "sales", "default")})["root"],
        )

        def salespeople():
            try:
                answer = admin.get("/salespeople")
            except OSError:  # the gateway restarting
                return {}
            return {p["id"]: p["weight"] for p in answer.json()["items"]} if answer.status_code == 200 else {}

        # the configuration names nobody (the tests' BATON_SALESPEOPLE weighs alice, bob and carol, who
        # are no users here): the one sales user is the one salesperson, at the new salesperson's weight
        wait_for(lambda: salespeople() == {"zoe": 1}, what="the pool to know zoe")
        broken = tmp_path / "broken.yaml"
        broken.write_text(original.replace("weight_scale: 10", "weight_scale: -1"), encoding="utf-8")
        refused = baton(
            system, "--config", str(config), "config", "load", str(broken), "--data-dir", str(data_dir), ok=False
        )
        assert "weight_scale" in refused and "the configuration is unchanged" in refused
        assert config.read_text(encoding="utf-8") == original
        weighed = tmp_path / "weighed.yaml"
        listed = "    salespeople: ${BATON_SALESPEOPLE:[]}\n"
        assert listed in original
        weights = "    salespeople: [{id: zoe, weight: 2}, {id: nobody, weight: 5}]\n"
        weighed.write_text(original.replace(listed, weights), encoding="utf-8")
        loaded = baton(system, "--config", str(config), "config", "load", str(weighed), "--data-dir", str(data_dir))
        assert "restart one at a time" in loaded
        wait_for(
            lambda: salespeople() == {"zoe": 2},
            timeout=120,
            what="the restarted pool to weigh zoe as configured (and nobody who is no user)",
        )
        assert (tmp_path / "config.yaml.previous").read_text(encoding="utf-8") == original
        done = "every service runs with the loaded configuration"
        wait_for(lambda: done in (data_dir / "supervisor.out").read_text(), what="the supervisor to finish the restart")
