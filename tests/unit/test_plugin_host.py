"""The plugin host: discovery, allowlist, named failures, checked results."""

import types

import pytest

from plugins import hookimpl
from plugins.builtin import intent_grading, website_form
from plugins.declarations import AllocationRule, ChecklistVerdict, CustomField, HandoffRule, IntentGrade
from plugins.errors import PluginFailed, PluginLoadError
from plugins.host import PluginHost
from tests.plugin_packages import install_plugin_package

BUILTINS = ["default_fields", "intent_grading", "website_form"]


def config(enabled):
    return {"BATON": {"plugins": {"enabled": enabled}}}


def plugin(**hooks):
    module = types.SimpleNamespace()
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    return module


@pytest.fixture
def third_party(tmp_path, monkeypatch):
    """A real installed distribution declaring a plugin in the baton.plugins group."""
    uninstall = install_plugin_package(
        tmp_path,
        monkeypatch,
        "acme_baton",
        """
        from plugins import hookimpl
        from plugins.declarations import IntentGrade

        @hookimpl
        def baton_grade_intent(inquiry):
            if "VIP" in (inquiry.get("message") or ""):
                return IntentGrade("A", ("VIP customer",), "acme")
    """,
        {"acme": "acme_baton", "broken": "acme_missing_module"},
    )
    yield
    uninstall()


def test_builtins_are_discovered_through_entry_points():
    host = PluginHost.from_config(config(BUILTINS))
    assert host.plugin_names() == BUILTINS
    assert {p["name"]: p["hooks"] for p in host.describe()}["website_form"] == ["baton_inquiry_from_channel"]


def test_only_enabled_plugins_load(third_party):
    assert "acme" not in PluginHost.from_config(config(BUILTINS)).plugin_names()
    host = PluginHost.from_config(config(BUILTINS + ["acme"]))
    assert host.plugin_names()[-1] == "acme"


def test_a_third_party_grading_rule_answers_first_and_defers_with_none(third_party):
    host = PluginHost.from_config(config(BUILTINS + ["acme"]))
    assert host.grade_intent({"message": "VIP, just browsing"}) == IntentGrade("A", ("VIP customer",), "acme")
    assert host.grade_intent({"message": "just browsing"}).rule == "intent_grading"


def test_an_enabled_plugin_that_is_not_installed_is_named():
    with pytest.raises(PluginLoadError, match="plugin 'nowhere' is enabled but no installed package declares it"):
        PluginHost.from_config(config(["nowhere"]))


def test_an_enabled_plugin_that_cannot_import_is_named(third_party):
    with pytest.raises(PluginLoadError, match=r"plugin 'broken' \(acme_missing_module\) failed to load"):
        PluginHost.from_config(config(["broken"]))


def test_an_unknown_hook_is_refused_naming_the_plugin():
    with pytest.raises(PluginLoadError, match="'typo'"):
        PluginHost([("typo", plugin(baton_grade_intnet=lambda inquiry: None))])


def test_a_plugin_that_raises_is_named_with_its_hook():
    def explode(inquiry):
        raise KeyError("budget")

    host = PluginHost([("intent_grading", intent_grading), ("flaky", plugin(baton_grade_intent=explode))])
    with pytest.raises(PluginFailed) as failed:
        host.grade_intent({"message": "x"})
    assert failed.value.message == "plugin 'flaky' failed in baton_grade_intent: KeyError: 'budget'"
    assert failed.value.details == {"plugin": "flaky", "hook": "baton_grade_intent"}


def test_a_plugin_returning_garbage_is_named():
    host = PluginHost([("sloppy", plugin(baton_inquiry_from_channel=lambda channel, payload: ["not", "a", "dict"]))])
    with pytest.raises(PluginFailed, match="plugin 'sloppy' failed in baton_inquiry_from_channel: returned list"):
        host.inquiry_from_channel("web", {})
    grader = PluginHost([("sloppy", plugin(baton_grade_intent=lambda inquiry: "A"))])
    with pytest.raises(PluginFailed, match="returned str, not IntentGrade"):
        grader.grade_intent({})


def test_custom_fields_are_combined_and_a_name_declared_twice_names_both():
    extra = plugin(baton_custom_fields=lambda: [CustomField("hs_code", "text", "Tariff code", max_length=20)])
    host = PluginHost.from_config(config(["default_fields"]))
    host._register("customs", extra)
    assert {f.name for f in host.custom_fields()} == {
        "industry",
        "purchase_cycle",
        "payment_method",
        "tariff_preference",
        "hs_code",
    }
    clash = plugin(baton_custom_fields=lambda: [CustomField("industry", "text", "again")])
    host._register("clash", clash)
    with pytest.raises(PluginFailed, match="'industry' is already declared by plugin '"):
        host.custom_fields()


def test_custom_values_are_checked_against_declarations():
    host = PluginHost.from_config(config(["default_fields"]))
    assert (
        host.validate_custom_values({"industry": "LED lighting", "purchase_cycle": "yearly", "payment_method": None})
        == {}
    )
    errors = host.validate_custom_values({"industry": 7, "purchase_cycle": "weekly", "colour": "red"})
    assert errors["industry"] == ["Not a text."]
    assert errors["purchase_cycle"] == ["Must be one of: one_off, monthly, quarterly, yearly."]
    assert errors["colour"][0].startswith("Unknown custom field; declared fields: industry,")


def test_connectors_answer_only_for_their_channel():
    host = PluginHost([("website_form", website_form)])
    assert host.inquiry_from_channel("fax", {"name": "x"}) is None
    assert host.inquiry_from_channel("website_form", {"email": "a@b.co"})["channel"] == "website_form"


def test_allocation_rules_from_plugins_are_combined_and_a_broken_one_is_named():
    def key_accounts():
        return [AllocationRule("key_accounts", lambda person, customer: None if person.id == "alice" else "not alice")]

    def explosive():
        return [AllocationRule("explosive", lambda person, customer: person.nonexistent)]

    def sloppy():
        return [AllocationRule("sloppy", lambda person, customer: 42)]

    host = PluginHost(
        [
            ("acme", plugin(baton_allocation_rules=key_accounts)),
            ("boom", plugin(baton_allocation_rules=explosive)),
            ("lazy", plugin(baton_allocation_rules=sloppy)),
        ]
    )
    rules = {rule.name: rule for rule in host.allocation_rules()}
    person = types.SimpleNamespace(id="bob")
    assert rules["key_accounts"].check(person, None) == "not alice"
    with pytest.raises(PluginFailed) as failed:
        rules["explosive"].check(person, None)
    assert failed.value.message.startswith("plugin 'boom' failed in baton_allocation_rules: rule 'explosive' raised")
    with pytest.raises(PluginFailed, match="plugin 'lazy' .* rule 'sloppy' returned int"):
        rules["sloppy"].check(person, None)
    garbage = PluginHost([("junk", plugin(baton_allocation_rules=lambda: ["market"]))])
    with pytest.raises(PluginFailed, match="plugin 'junk' failed in baton_allocation_rules: returned str"):
        garbage.allocation_rules()
    with pytest.raises(ValueError, match="check must be callable"):
        AllocationRule("fine_name", "not callable")


def test_a_health_check_names_each_plugin_with_its_hooks_and_problems():
    def broken_fields():
        return ["not a declaration"]

    host = PluginHost([("intent_grading", intent_grading), ("sloppy", plugin(baton_custom_fields=broken_fields))])
    report = {entry["name"]: entry for entry in host.health()}
    assert report["intent_grading"] == {"name": "intent_grading", "hooks": ["baton_grade_intent"], "problems": []}
    assert report["sloppy"]["hooks"] == ["baton_custom_fields"]
    assert report["sloppy"]["problems"] == [
        "plugin 'sloppy' failed in baton_custom_fields: returned str, not CustomField"
    ]


def export_licence(archive, package):
    licence = (archive.get("custom_fields") or {}).get("export_licence")
    return ChecklistVerdict(bool(licence), f"licence {licence}" if licence else "No export licence is recorded.")


def test_handoff_rules_are_added_per_kind_and_see_copies_only():
    def rules(kind):
        return [HandoffRule("export_licence", export_licence)] if kind == "sales_to_service" else []

    def meddler(archive, package):
        archive["company"] = "changed"
        package.clear()
        return ChecklistVerdict(True, "looked")

    host = PluginHost(
        [
            ("controlled_goods", plugin(baton_handoff_rules=rules)),
            ("meddler", plugin(baton_handoff_rules=lambda kind: [HandoffRule("meddle", meddler)])),
        ]
    )
    assert [r.name for r in host.handoff_rules("marketing_to_sales")] == ["meddle"]
    licence, meddle = host.handoff_rules("sales_to_service")
    archive, package = {"company": "Acme", "custom_fields": {}}, {"notes": "x"}
    assert licence.check(archive, package) == ChecklistVerdict(False, "No export licence is recorded.")
    assert meddle.check(archive, package).passed
    assert (archive, package) == ({"company": "Acme", "custom_fields": {}}, {"notes": "x"})


def test_a_broken_handoff_rule_is_named():
    def broken(archive, package):
        raise KeyError("licence")

    host = PluginHost(
        [
            (
                "flaky",
                plugin(
                    baton_handoff_rules=lambda kind: [
                        HandoffRule("crash", broken),
                        HandoffRule("sloppy", lambda archive, package: True),
                    ]
                ),
            )
        ]
    )
    crash, sloppy = host.handoff_rules("sales_to_service")
    with pytest.raises(
        PluginFailed, match="plugin 'flaky' failed in baton_handoff_rules: rule 'crash' raised KeyError"
    ):
        crash.check({}, {})
    with pytest.raises(PluginFailed, match="rule 'sloppy' returned bool, not ChecklistVerdict"):
        sloppy.check({}, {})
    twice = PluginHost(
        [
            ("a", plugin(baton_handoff_rules=lambda kind: [HandoffRule("same", export_licence)])),
            ("b", plugin(baton_handoff_rules=lambda kind: [HandoffRule("same", export_licence)])),
        ]
    )
    with pytest.raises(
        PluginFailed, match="plugin 'b' failed in baton_handoff_rules: rule 'same' is already added by plugin 'a'"
    ):
        twice.handoff_rules("sales_to_service")
    with pytest.raises(PluginFailed, match="returned str, not a list of HandoffRule"):
        PluginHost([("odd", plugin(baton_handoff_rules=lambda kind: "rule"))]).handoff_rules("x")


def test_handoff_declarations_refuse_bad_values():
    with pytest.raises(ValueError, match="passed must be True or False"):
        ChecklistVerdict("yes", "ok")
    with pytest.raises(ValueError, match="reason must be a non-empty string"):
        ChecklistVerdict(True, " ")
    with pytest.raises(ValueError, match="name must match"):
        HandoffRule("Export Licence", export_licence)


def test_a_broken_allocation_rule_is_named():
    def explode(person, customer):
        raise ValueError("no market")

    host = PluginHost(
        [
            (
                "markets",
                plugin(
                    baton_allocation_rules=lambda: [
                        AllocationRule("by_market", explode),
                        AllocationRule("vague", lambda person, customer: 3),
                        AllocationRule("fine", lambda person, customer: None),
                    ]
                ),
            )
        ]
    )
    by_market, vague, fine = host.allocation_rules()
    with pytest.raises(
        PluginFailed,
        match="plugin 'markets' failed in baton_allocation_rules: rule 'by_market' raised ValueError: no market",
    ):
        by_market.check({}, {})
    with pytest.raises(PluginFailed, match=r"rule 'vague' returned int, not a reason \(str\) or None"):
        vague.check({}, {})
    assert fine.check({}, {}) is None
