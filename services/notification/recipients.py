"""Each person's notification preferences: stored by notification (a plain user id until a user
directory exists), with the configured defaults for whatever they have not set."""

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from contracts.errors import InvalidInput
from services.notification.domain.notices import Preferences
from services.notification.domain.timing import parse_clock
from services.notification.leasing import change_guarded
from services.notification.store import Recipients

SETTABLE = ("time_zone", "quiet_hours", "digest", "digest_at", "channels", "addresses", "secrets")


def preferences_of(recipients: Recipients, defaults: dict[str, Any], user_id: str) -> Preferences:
    return _preferences(user_id, {**defaults, **_set_fields(recipients.stored(user_id) or {})})


def cached(function: Callable[[str], Preferences]) -> Callable[[str], Preferences]:
    """``function(user_id)`` read once per firing pass."""
    seen = {}

    def lookup(user_id):
        if user_id not in seen:
            seen[user_id] = function(user_id)
        return seen[user_id]

    return lookup


def set_preferences(
    recipients: Recipients,
    defaults: dict[str, Any],
    channels: dict[str, Any],
    user_id: str,
    changes: dict[str, Any],
    now: datetime,
) -> tuple[Preferences, datetime | None]:
    """Store what changed (addresses and secrets merged per channel; an empty address removes it),
    refusing a channel that is not installed, an address its channel cannot use, or a chosen
    channel without the address it needs — each named by field."""
    if recipients.stored(user_id) is None:
        recipients.add({"_id": user_id, "version": 0, "created_at": now})

    def change(doc):
        merged = {**doc, **{k: v for k, v in changes.items() if k not in ("addresses", "secrets")}}
        merged["addresses"] = _merged(doc.get("addresses"), changes.get("addresses"))
        merged["secrets"] = _merged(doc.get("secrets"), changes.get("secrets"))
        _check({**defaults, **_set_fields(merged)}, channels)
        return {**merged, "updated_at": now}

    before, after = change_guarded(recipients.stored, recipients.replace, user_id, change)
    return preferences_of(recipients, defaults, user_id), (after or before or {}).get("updated_at")


def view_of(preferences: Preferences, updated_at: datetime | None) -> dict[str, Any]:
    quiet = (
        {"start": f"{preferences.quiet_start:%H:%M}", "end": f"{preferences.quiet_end:%H:%M}"}
        if preferences.quiet_start is not None
        else None
    )
    return {
        "user_id": preferences.user_id,
        "time_zone": preferences.time_zone,
        "quiet_hours": quiet,
        "digest": preferences.digest,
        "digest_at": f"{preferences.digest_at:%H:%M}",
        "channels": list(preferences.channels),
        "addresses": dict(preferences.addresses),
        "secrets_set": sorted(preferences.secrets),
        "updated_at": updated_at,
    }


def _check(values, channels):
    errors = {}
    for name in values["channels"]:
        channel = channels.get(name)
        if channel is None:
            errors.setdefault("channels", []).append(
                f"No channel named {name!r} is installed (installed: {', '.join(sorted(channels)) or 'none'})."
            )
        elif channel.needs_address and not values["addresses"].get(name):
            errors.setdefault("addresses", []).append(f"Channel {name!r} needs an address.")
    for name, address in values["addresses"].items():
        channel = channels.get(name)
        if channel is not None and channel.check_address and (problem := channel.check_address(address)):
            errors.setdefault("addresses", []).append(f"{name}: {problem}")
    if errors:
        raise InvalidInput.from_messages(errors, what="preferences")


def _merged(current, changes):
    merged = {**(current or {}), **(changes or {})}
    return {k: v for k, v in merged.items() if v}


def _set_fields(doc):
    return {k: doc[k] for k in SETTABLE if k in doc}


def _preferences(user_id, values):
    quiet = values.get("quiet_hours")
    return Preferences(
        user_id=user_id,
        time_zone=values["time_zone"],
        quiet_start=parse_clock(quiet["start"]) if quiet else None,
        quiet_end=parse_clock(quiet["end"]) if quiet else None,
        digest=bool(values["digest"]),
        digest_at=_clock(values["digest_at"]),
        channels=tuple(values["channels"]),
        addresses=dict(values.get("addresses") or {}),
        secrets=dict(values.get("secrets") or {}),
    )


def _clock(value):
    return value if isinstance(value, time) else parse_clock(value)
