"""Checklists over the archive, with the rules plugins add: a plugin rule that fails (or a plugin
that cannot list its rules) is a failed item naming the plugin, so it can never let a handoff
through and never stops the others from being shown."""

from collections.abc import Callable
from typing import Any

from plugins.errors import PluginFailed
from services.handoff.domain import Document
from services.handoff.domain.checklists import Item, Subject, evaluate
from services.handoff.domain.kinds import KindSpec

PLUGINS_ITEM = "plugin_rules"


def checklist_items(
    plugins: Any, policy: dict[str, Any], spec: KindSpec, archive: Document, written: Document
) -> list[Item]:
    """Every item of ``spec``'s checklist over ``archive`` and what the sender ``written``."""
    return evaluate(spec.checklist, Subject(archive, written), policy["checklist"], plugin_rules(plugins, spec.name))


def checklist_names(plugins: Any, spec: KindSpec) -> list[str]:
    """The names of ``spec``'s checklist items: the configured rules, then the plugins' (one
    ``plugin_rules`` item when the plugins cannot list theirs, as in an evaluation)."""
    try:
        added = [rule.name for rule in plugins.handoff_rules(spec.name)]
    except PluginFailed:
        added = [PLUGINS_ITEM]
    return [*spec.checklist, *added]


def plugin_rules(plugins: Any, kind: str) -> list[Callable[[Subject], Item]]:
    try:
        rules = plugins.handoff_rules(kind)
    except PluginFailed as exc:
        failure = exc.message
        return [lambda subject: Item(PLUGINS_ITEM, False, failure)]
    return [_guarded(rule) for rule in rules]


def _guarded(rule):
    def item(subject):
        try:
            verdict = rule.check(subject.archive, subject.package)
        except PluginFailed as exc:
            return Item(rule.name, False, exc.message)
        return Item(rule.name, verdict.passed, verdict.reason)

    return item
