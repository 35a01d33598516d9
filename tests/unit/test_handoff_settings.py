"""BATON.handoff loads into domain values; a wrong name stops the service naming the key."""

import copy

import pytest

from services.handoff.settings import HandoffSettingsSchema
from services.runtime.settings import ConfigurationError, load_section
from tests.conftest import load_config_file

SHIPPED = load_config_file()


def loaded(change=None):
    config = copy.deepcopy(SHIPPED)
    if change:
        change(config["BATON"]["handoff"])
    return load_section(config, "handoff", HandoffSettingsSchema)


def test_the_shipped_configuration_has_domain_md_defaults():
    policy = loaded()
    assert set(policy["kinds"]) == {
        "marketing_to_sales",
        "sales_to_service",
        "salesperson_leaving",
        "repair_case",
        "high_value_team",
        "ordinary_sync",
    }
    assert policy["kinds"]["high_value_team"].min_annual_value == 1_000_000
    assert policy["kinds"]["ordinary_sync"].below_annual_value == 100_000
    assert policy["deadline"].days == 3 and policy["quality_audit"].sample_size == 10
    assert policy["quality_audit"].passes_to_relax == 3
    assert policy["checklist"].min_communications == 3
    assert "想合作" in policy["checklist"].vague_words and "wants to cooperate" in policy["checklist"].vague_words
    assert policy["steps"]["production_start"].requires == ("voltage",)
    # the configuration names nobody: who works where is the user directory's
    assert all(people == () for people in policy["directory"].departments.values())
    assert policy["kinds"]["marketing_to_sales"].receiver_by_rotation is True
    assert policy["kinds"]["marketing_to_sales"].checklist[-1] == "screening_recorded"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h["kinds"]["marketing_to_sales"].update(checklist=["source_recorded", "typo_rule"]), "typo_rule"),
        (lambda h: h["kinds"]["marketing_to_sales"].update({"to": ["nowhere"]}), "Unknown departments: nowhere"),
        (lambda h: h["steps"]["production_start"].update(after=["never"]), "Unknown steps: never"),
        (lambda h: h["departments"].update(marketing=["mia"], extra=["mia"]), "In more than one department: mia"),
        (lambda h: h["kinds"]["high_value_team"].update(min_receivers=11), "min_receivers is more than max_receivers"),
    ],
)
def test_a_wrong_setting_is_named(change, message):
    with pytest.raises(ConfigurationError, match="BATON.handoff is invalid") as failed:
        loaded(change)
    assert message in str(failed.value)


def test_the_quality_audit_s_old_key_is_read_for_one_release_with_a_warning(caplog):
    def renamed_back(handoff):
        handoff["audit"] = {**handoff.pop("quality_audit"), "sample_size": 4}

    with caplog.at_level("WARNING"):
        policy = loaded(renamed_back)
    assert policy["quality_audit"].sample_size == 4
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "BATON.handoff.audit is deprecated: rename it to BATON.handoff.quality_audit" in warning.getMessage()

    def both(handoff):  # the new key wins; the old one is ignored, and said so
        handoff["audit"] = {**handoff["quality_audit"], "sample_size": 4}

    caplog.clear()
    with caplog.at_level("WARNING"):
        assert loaded(both)["quality_audit"].sample_size == 10
    assert "BATON.handoff.audit is ignored" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        loaded()  # the shipped configuration uses the new key: nothing to warn of
    assert "BATON.handoff.audit" not in caplog.text
