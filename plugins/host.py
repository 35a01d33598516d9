"""The plugin host: loads enabled plugins and calls hooks through a typed facade.

Every plugin, built-in or third-party, comes from the ``baton.plugins`` entry-point group and
loads only when its name is enabled in the config. Each hook implementation is wrapped so an
exception names the plugin; every result is checked before a caller sees it.
"""

import copy
import dataclasses
import functools
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib.metadata import entry_points
from typing import Any

import pluggy

from plugins import hookspecs
from plugins.declarations import (
    AllocationRule,
    ChecklistVerdict,
    CustomField,
    HandoffRule,
    IntentGrade,
    NotificationChannel,
    Trait,
    ValueGrade,
    validate_custom_values,
)
from plugins.errors import DeliveryFailed, NotAnInquiry, PluginFailed, PluginLoadError
from plugins.markers import PROJECT

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "baton.plugins"
# What a health check feeds the hooks that read text or inquiries.
SAMPLE_TEXT = "We compare your quote with a Shanghai supplier; price is key. 我们需要CE认证。"
SAMPLE_NOW = datetime(2026, 1, 1, tzinfo=UTC)
SAMPLE_ORDERS = [{"id": "ord_1", "at": SAMPLE_NOW, "amount": 12000.0, "currency": "USD", "by": "alice"}]
SAMPLE_VALUATION = {
    "value_currency": "CNY",
    "exchange_rates": {"CNY": 1, "USD": 7.1},
    "core_annual_value": 1_000_000,
    "potential_annual_value": 100_000,
}
SAMPLE_INQUIRY = {
    "schema_version": 1,
    "channel": "website_form",
    "company": "Acme GmbH",
    "country": "DE",
    "contact": {"name": "Jane", "email": "jane@acme.de"},
    "message": SAMPLE_TEXT,
}


class PluginHost:
    def __init__(self, plugins: Iterable[tuple[str, object]]) -> None:
        """``plugins``: (name, module or object) pairs, registered in order (later ones are
        asked first by firstresult hooks)."""
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        for name, plugin in plugins:
            self._register(name, plugin)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            culprit = self.pm.get_name(exc.plugin)
            raise PluginLoadError(f"plugin '{culprit}' implements a hook Baton does not have: {exc}") from exc

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "PluginHost":
        """The host for a nameko config: the plugins in ``BATON.plugins.enabled``, in that order."""
        enabled = list(config["BATON"]["plugins"]["enabled"] or [])
        found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
        for name in sorted(set(found) - set(enabled)):
            log.info("plugin %s is installed but not enabled; skipped", name)
        return cls([(name, _load(name, found.get(name))) for name in enabled])

    # --- the facade -------------------------------------------------------------------

    def plugin_names(self) -> list[str]:
        return [name for name, _ in self.pm.list_name_plugin()]

    def describe(self) -> list[dict[str, Any]]:
        """Each plugin with the hooks it implements (for an 'installed plugins' view)."""
        return [
            {"name": name, "hooks": sorted(c.name for c in self.pm.get_hookcallers(plugin) or [])}
            for name, plugin in self.pm.list_name_plugin()
        ]

    def health(self) -> list[dict[str, Any]]:
        """Each plugin with its hooks and what a trial of its declarations found: a failure names
        the plugin and the hook (for ``baton plugins check`` and the installed-plugins view)."""
        report = {
            name: {"name": name, "hooks": hooks, "problems": []}
            for name, hooks in ((p["name"], p["hooks"]) for p in self.describe())
        }
        trials = [
            ("baton_custom_fields", self.custom_fields),
            ("baton_allocation_rules", self.allocation_rules),
            ("baton_traits", lambda: self.traits(SAMPLE_TEXT)),
            ("baton_grade_intent", lambda: self.grade_intent(SAMPLE_INQUIRY)),
            ("baton_grade_value", lambda: self.grade_value(SAMPLE_ORDERS, SAMPLE_VALUATION, SAMPLE_NOW)),
        ]
        for hook_name, trial in trials:
            try:
                trial()
            except PluginFailed as exc:
                report.setdefault(exc.details["plugin"], {"name": exc.details["plugin"], "hooks": [], "problems": []})
                report[exc.details["plugin"]]["problems"].append(exc.message)
            except Exception as exc:  # a declaration the host could not even read: say which hook
                for name in (n for n, r in report.items() if hook_name in r["hooks"]):
                    report[name]["problems"].append(f"{hook_name}: {type(exc).__name__}: {exc}")
        return list(report.values())

    def custom_fields(self) -> list[CustomField]:
        declared: dict[str, tuple[str, CustomField]] = {}
        for impl in self._impls("baton_custom_fields"):
            returned: Any = impl.function()
            for field in returned or []:
                if not isinstance(field, CustomField):
                    raise PluginFailed.of(
                        impl.plugin_name, "baton_custom_fields", f"returned {type(field).__name__}, not CustomField"
                    )
                if field.name in declared:
                    raise PluginFailed.of(
                        impl.plugin_name,
                        "baton_custom_fields",
                        f"field {field.name!r} is already declared by plugin '{declared[field.name][0]}'",
                    )
                declared[field.name] = (impl.plugin_name, field)
        return [field for _, field in declared.values()]

    def validate_custom_values(self, values: dict[str, Any]) -> dict[str, list[str]]:
        return validate_custom_values(self.custom_fields(), values)

    def traits(self, text: str) -> list[Trait]:
        """Every plugin's traits for ``text``, in the order the plugins are enabled, without repeats
        (a trait with the same name and evidence as an earlier one is dropped)."""
        found: dict[tuple[str, str], Trait] = {}
        for _plugin, trait in self._each_returned("baton_traits", Trait, text=text):
            found.setdefault((trait.name, trait.evidence), trait)
        return list(found.values())

    def allocation_rules(self) -> list[AllocationRule]:
        """Every plugin's allocation rules, each check wrapped so a failure names its plugin."""
        rules = []
        for impl in self.pm.hook.baton_allocation_rules.get_hookimpls():
            returned: Any = impl.function()
            for rule in returned or []:
                if not isinstance(rule, AllocationRule):
                    raise PluginFailed.of(
                        impl.plugin_name,
                        "baton_allocation_rules",
                        f"returned {type(rule).__name__}, not AllocationRule",
                    )
                rules.append(AllocationRule(rule.name, _checked_rule(rule, impl.plugin_name)))
        return rules

    def handoff_rules(self, kind: str) -> list[HandoffRule]:
        """Every plugin's checklist rules for handoffs of ``kind``, in the order the plugins are
        enabled, each check wrapped: it sees copies, and a failure or a wrong answer names its plugin."""
        rules: list[HandoffRule] = []
        added_by: dict[str, str] = {}
        for plugin, rule in self._each_returned("baton_handoff_rules", HandoffRule, kind=kind):
            if rule.name in added_by:
                raise PluginFailed.of(
                    plugin,
                    "baton_handoff_rules",
                    f"rule {rule.name!r} is already added by plugin '{added_by[rule.name]}'",
                )
            added_by[rule.name] = plugin
            rules.append(HandoffRule(rule.name, _checked_handoff_rule(rule, plugin)))
        return rules

    def notification_channels(
        self, settings: dict[str, Any], inbox: Any
    ) -> tuple[dict[str, NotificationChannel], dict[str, str]]:
        """(channels by name, failures by plugin): every plugin's channels, each ``send`` wrapped
        so that whatever it raises becomes a ``DeliveryFailed`` naming the plugin. A plugin whose
        hook fails, or that declares a name taken, is left out and named in ``failures``: its
        deliveries are recorded as failed while every other channel carries on."""
        channels: dict[str, NotificationChannel] = {}
        owners: dict[str, str] = {}
        failures: dict[str, str] = {}
        hook = "baton_notification_channels"
        for impl in self.pm.hook.baton_notification_channels.get_hookimpls():  # registration order
            try:
                declared = impl.function(*({"settings": settings, "inbox": inbox}[arg] for arg in impl.argnames))
                if not isinstance(declared, (list, tuple)) or not all(
                    isinstance(c, NotificationChannel) for c in declared
                ):
                    raise PluginFailed.of(impl.plugin_name, hook, "did not return a list of NotificationChannel")
            except PluginFailed as exc:
                log.error("%s", exc.message)
                failures[impl.plugin_name] = exc.message
                continue
            for channel in declared:
                if channel.name in owners:
                    failures[impl.plugin_name] = PluginFailed.of(
                        impl.plugin_name,
                        hook,
                        f"channel {channel.name!r} is already declared by plugin '{owners[channel.name]}'",
                    ).message
                    continue
                owners[channel.name] = impl.plugin_name
                channels[channel.name] = dataclasses.replace(channel, send=_checked_send(channel, impl.plugin_name))
        return channels, failures

    def grade_intent(self, inquiry: dict[str, Any]) -> IntentGrade | None:
        return self._first("baton_grade_intent", IntentGrade, inquiry=inquiry)

    def grade_value(self, orders: list[dict[str, Any]], valuation: dict[str, Any], now: datetime) -> ValueGrade | None:
        return self._first(
            "baton_grade_value", ValueGrade, orders=copy.deepcopy(orders), valuation=copy.deepcopy(valuation), now=now
        )

    def inquiry_from_channel(self, channel: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        return self._first("baton_inquiry_from_channel", dict, channel=channel, payload=payload)

    # --- plumbing ---------------------------------------------------------------------

    def _register(self, name, plugin):
        self.pm.register(plugin, name=name)
        for caller in self.pm.get_hookcallers(plugin) or []:
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin:
                    impl.function = _named_failures(impl.function, name, caller.name)

    def _impls(self, hook_name):
        """Implementations in pluggy's calling order (last registered first)."""
        return list(reversed(getattr(self.pm.hook, hook_name).get_hookimpls()))

    def _each_returned(self, hook_name, item_type, **kwargs):
        """(plugin name, item) for each item of the lists plugins return, in the order the plugins
        are enabled (unlike ``_impls``), each checked to be an ``item_type``; None counts as none."""
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            returned = impl.function(*(kwargs[arg] for arg in impl.argnames))
            if returned is None:
                continue
            if not isinstance(returned, (list, tuple)):
                raise PluginFailed.of(
                    impl.plugin_name,
                    hook_name,
                    f"returned {type(returned).__name__}, not a list of {item_type.__name__}",
                )
            for item in returned:
                if not isinstance(item, item_type):
                    raise PluginFailed.of(
                        impl.plugin_name, hook_name, f"returned {type(item).__name__}, not {item_type.__name__}"
                    )
                yield impl.plugin_name, item

    def _first(self, hook_name, result_type, **kwargs):
        # Called one by one (as pluggy would) to know which plugin answered, and check it.
        for impl in self._impls(hook_name):
            result = impl.function(*(kwargs[arg] for arg in impl.argnames))
            if result is None:
                continue
            if not isinstance(result, result_type):
                raise PluginFailed.of(
                    impl.plugin_name, hook_name, f"returned {type(result).__name__}, not {result_type.__name__}"
                )
            return result
        return None


def _checked_rule(rule, plugin_name):
    def check(person, customer):
        return _checked_answer(
            plugin_name,
            "baton_allocation_rules",
            rule.name,
            lambda: rule.check(person, customer),
            lambda reason: reason is None or isinstance(reason, str),
            "a reason (str) or None",
        )

    return check


def _checked_handoff_rule(rule, plugin_name):
    def check(archive, package):
        # copies: whatever the rule does to them cannot reach the archive or the handoff
        return _checked_answer(
            plugin_name,
            "baton_handoff_rules",
            rule.name,
            lambda: rule.check(copy.deepcopy(archive), copy.deepcopy(package)),
            lambda verdict: isinstance(verdict, ChecklistVerdict),
            "ChecklistVerdict",
        )

    return check


def _checked_answer(plugin_name, hook, rule_name, ask, acceptable, expected):
    """A rule's answer, or ``PluginFailed`` naming its plugin when it raises or answers wrongly."""
    try:
        answer = ask()
    except Exception as exc:  # a rule's bug is reported as its plugin's
        raise PluginFailed.of(plugin_name, hook, f"rule {rule_name!r} raised {type(exc).__name__}: {exc}") from exc
    if not acceptable(answer):
        raise PluginFailed.of(plugin_name, hook, f"rule {rule_name!r} returned {type(answer).__name__}, not {expected}")
    return answer


def _checked_send(channel, plugin_name):
    def send(message, recipient):
        try:
            receipt = channel.send(message, recipient)
        except DeliveryFailed:
            raise
        except Exception as exc:  # a channel's bug: this delivery fails, named; nothing else does
            raise DeliveryFailed(
                f"plugin '{plugin_name}' failed in channel '{channel.name}': {type(exc).__name__}: {exc}",
                permanent=True,
            ) from exc
        if receipt is not None and not isinstance(receipt, str):
            raise DeliveryFailed(
                f"plugin '{plugin_name}' failed in channel '{channel.name}': returned "
                f"{type(receipt).__name__}, not a receipt (str) or None",
                permanent=True,
            )
        return receipt

    return send


def _named_failures(function, plugin_name, hook_name):
    @functools.wraps(function)
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (PluginFailed, NotAnInquiry):
            raise
        except Exception as exc:  # a plugin's bug, whatever it is, is reported as that plugin's
            raise PluginFailed.of(plugin_name, hook_name, f"{type(exc).__name__}: {exc}") from exc

    return call


def _load(name, entry_point):
    if entry_point is None:
        raise PluginLoadError(
            f"plugin '{name}' is enabled but no installed package declares it (entry-point group '{ENTRY_POINT_GROUP}')"
        )
    try:
        return entry_point.load()
    except Exception as exc:  # import errors of any kind are reported with the plugin's name
        raise PluginLoadError(
            f"plugin '{name}' ({entry_point.value}) failed to load: {type(exc).__name__}: {exc}"
        ) from exc
