"""``POST /admin/configuration/check``: whether each service would load an admin's deploy/config.yaml.

The gateway checks its own settings and asks every service at once (``check_settings`` over RPC,
each with its own schemas, within one deadline); it judges none of their settings itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.configuration import ConfigurationCheckRequestSchema, ConfigurationCheckSchema
from contracts.errors import Refused
from services.gateway.health import ask_all
from services.runtime.input_limits import InputLimitsSchema
from services.runtime.queries import load_input
from services.runtime.settings_check import Problem, UnreadableConfiguration, check_text, read_configuration

# What the gateway reads beyond its Settings dependencies: every route's input limits (services.gateway.http).
GATEWAY_ALSO = (("limits", InputLimitsSchema),)


def readable_text(body: dict[str, Any]) -> str:
    """The request's YAML; text that is not YAML is refused (422) naming ``yaml``, its line and column."""
    text = load_input(ConfigurationCheckRequestSchema, body, what="body")["yaml"]
    try:
        read_configuration(text)
    except UnreadableConfiguration as unreadable:
        raise Refused(
            f"The YAML cannot be read: {unreadable}.",
            {"fields": {"yaml": [str(unreadable)]}, "line": unreadable.line, "column": unreadable.column},
        ) from None
    return text


def ask_services(
    proxies: dict[str, Any], text: str, deadline_seconds: float
) -> dict[str, tuple[list | None, str | None]]:
    """{service: (its problems, None) or (None, why it gave none)}: every service asked at once."""
    return ask_all(proxies, "check_settings", deadline_seconds, text, error_detail=True)


def gateway_problems(gateway_cls: type, text: str) -> list[Problem]:
    """The gateway's own settings, checked here as it would load them."""
    return check_text(text, gateway_cls, GATEWAY_ALSO)


def configuration_report(
    own: Callable[[str], list[Problem]], proxies: dict[str, Any], body: dict[str, Any], deadline_seconds: float
) -> dict[str, Any]:
    """The answer: the gateway's own problems (``own``), then each service's, in one report."""
    text = readable_text(body)
    entries = [_entry("gateway", own(text), None)]
    entries += [_entry(name, *outcome) for name, outcome in ask_services(proxies, text, deadline_seconds).items()]
    return ConfigurationCheckSchema().dump(
        {"ok": all(entry["status"] == "ok" for entry in entries), "services": entries}
    )


def _entry(service: str, problems: list | None, reason: str | None) -> dict[str, Any]:
    if problems is None:
        return {"service": service, "status": "unavailable", "errors": [], "reason": reason}
    return {"service": service, "status": "errors" if problems else "ok", "errors": problems, "reason": None}
