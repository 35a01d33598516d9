"""The configuration check's helper (services/runtime/settings_check.py): the file read as deploy
config loading reads it, and every setting a service would refuse named by its path and reason."""

from pathlib import Path

import pytest

from services.gateway.service import GatewayService
from services.handoff.service import HandoffService
from services.intake.service import IntakeService
from services.notification.service import NotificationService
from services.pool.service import PoolService
from services.pool.settings import PoolSettingsSchema
from services.profile.service import ProfileService
from services.runtime.settings_check import (
    UnreadableConfiguration,
    check_text,
    read_configuration,
    section_problems,
    sections_of,
    substitute,
)

SHIPPED = (Path(__file__).resolve().parents[2] / "deploy" / "config.yaml").read_text(encoding="utf-8")
SERVICES = (IntakeService, ProfileService, HandoffService, PoolService, NotificationService, GatewayService)


def test_variables_take_the_environment_else_their_default():
    environ = {"BATON_SET": "7"}
    assert substitute("a: ${BATON_SET:3}\nb: ${BATON_UNSET:4}\nc: ${BATON_UNSET}", environ) == "a: 7\nb: 4\nc: "
    config = read_configuration("x: ${BATON_SET:3}\ny: ${BATON_UNSET:[a, b]}\nz: ${BATON_UNSET:null}", environ)
    assert config == {"x": 7, "y": ["a", "b"], "z": None}


def test_unreadable_yaml_names_the_line_and_column():
    with pytest.raises(UnreadableConfiguration) as caught:
        read_configuration("BATON:\n  pool: {claim_limits: [\n  intake: 1\n")
    assert caught.value.line is not None and caught.value.line >= 2
    assert caught.value.column is not None
    assert str(caught.value).startswith(f"line {caught.value.line}, column {caught.value.column}: ")
    with pytest.raises(UnreadableConfiguration, match="mapping"):
        read_configuration("- just\n- a list\n")


@pytest.mark.parametrize("service_cls", SERVICES, ids=lambda c: c.name)
def test_the_shipped_configuration_loads_in_every_service(service_cls):
    assert check_text(SHIPPED, service_cls, environ={}) == []


def test_each_service_checks_the_sections_it_reads():
    assert {"allocation", "pool", "reports", "countries", "events", "health"} <= {
        s for s, _ in sections_of(PoolService)
    }
    assert "pool" not in {s for s, _ in sections_of(IntakeService)}
    assert "intake" in {s for s, _ in sections_of(IntakeService)}


def test_a_wrong_value_is_named_by_its_path_and_reason():
    bad = SHIPPED.replace("      per_day: 5\n", "      per_day: -1\n", 1)
    assert bad != SHIPPED
    problems = check_text(bad, PoolService, environ={})
    assert problems == [{"path": "BATON.pool.claim_limits.per_day", "reason": "Must be greater than or equal to 0."}]
    assert check_text(bad, IntakeService, environ={}) == [], "intake does not read BATON.pool"


def test_an_environment_variable_is_checked_as_substituted():
    problems = check_text(SHIPPED, PoolService, environ={"BATON_SCREENING": "perhaps"})
    assert problems == [{"path": "BATON.allocation.screening", "reason": "Not a valid boolean."}]


def test_lists_mappings_and_missing_sections_have_paths():
    config = {
        "BATON": {
            "pool": {"claim_limits": {"per_week": "many", "extra": 1}, "role_limits": {"manager": 3}},
        }
    }
    problems = section_problems(config, "pool", PoolSettingsSchema)
    assert {"path": "BATON.pool.claim_limits.per_week", "reason": "Not a valid integer."} in problems
    assert {"path": "BATON.pool.claim_limits.extra", "reason": "Unknown field."} in problems
    assert {"path": "BATON.pool.role_limits.manager", "reason": "Not a valid mapping type."} in problems
    assert section_problems(config, "allocation", PoolSettingsSchema) == [
        {"path": "BATON.allocation", "reason": "Missing."}
    ]
    assert section_problems({}, "pool", PoolSettingsSchema) == [
        {"path": "BATON", "reason": "Missing, or not a mapping of sections."}
    ]


def test_a_list_item_and_a_schema_rule_are_named():
    bad = SHIPPED.replace("checklist: [", "checklist: [no_such_rule, ", 1)
    assert bad != SHIPPED
    problems = check_text(bad, HandoffService, environ={})
    assert problems and all(p["path"].startswith("BATON.handoff.kinds.") for p in problems), problems
    assert any(p["path"].endswith(".checklist.0") and "no_such_rule" in p["reason"] for p in problems), problems


def test_store_and_plugins_are_checked_by_every_service():
    bad = SHIPPED.replace("${BATON_MONGO_URI:mongodb://127.0.0.1:27117/baton}", "http://nowhere")
    bad = bad.replace(
        "enabled: ${BATON_PLUGINS:[default_fields,", "enabled: ${BATON_PLUGINS:[no_such_plugin, default_fields,"
    )
    problems = check_text(bad, IntakeService, environ={})
    assert [p["path"] for p in problems] == ["MONGO_URI", "BATON.plugins.enabled.0"], problems
    assert "no_such_plugin" in problems[1]["reason"]


def test_unreadable_text_is_one_problem_naming_yaml():
    problems = check_text("BATON: [unclosed", PoolService, environ={})
    assert len(problems) == 1 and problems[0]["path"] == "yaml" and "line 1" in problems[0]["reason"]
