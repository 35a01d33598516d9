"""Firing due reminders: each exactly once, however many instances run and whenever one dies.

A due reminder is leased with a guarded write (one instance wins), turned into a notice whose id
is derived from the reminder and its due time (a re-fire after a crash files the same one), its
deliveries queued, then marked fired while the lease holds. A reminder that falls in the
person's quiet hours is deferred to their end; one for a person who reads a daily digest waits
for the digest on every channel but those that take each notice at once (an inbox).
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notification.domain import Document
from services.notification.domain.notices import Preferences, digest_id_of, notice_of
from services.notification.domain.reminders import FIRED, FIRING, PENDING
from services.notification.domain.timing import local_day, next_digest_at, quiet_until
from services.notification.leasing import finish_lease, in_rounds, take_lease
from services.notification.reminding import change_reminder
from services.notification.store import Outbox, Reminders


@dataclass
class Firing:
    """What one pass did."""

    fired: int = 0
    deferred: int = 0


def fire_due(
    reminders: Reminders,
    outbox: Outbox,
    preferences_of: Callable[[str], Preferences],
    immediate_channels: Collection[str],
    settings: dict[str, Any],
    now: datetime,
) -> Firing:
    """Fire every reminder due at ``now`` (and any whose firing an instance left unfinished).
    ``immediate_channels``: names of channels that take each notice at once even in digest mode."""
    result = Firing()
    names: dict[str, str | None] = {}  # the company names of the batch in hand, read in one query

    def due(limit):
        batch = reminders.stale(now, limit) + reminders.due(now, limit)
        names.clear()
        names.update(reminders.customer_names(r["customer_id"] for r in batch))
        return batch

    def handle(reminder):
        outcome = fire(
            reminders,
            outbox,
            preferences_of(reminder["user_id"]),
            immediate_channels,
            settings,
            reminder,
            now,
            names.get(reminder["customer_id"]),
        )
        result.fired += outcome == FIRED
        result.deferred += outcome == "deferred"

    in_rounds(settings, due, handle)
    return result


def fire(
    reminders: Reminders,
    outbox: Outbox,
    preferences: Preferences,
    immediate_channels: Collection[str],
    settings: dict[str, Any],
    reminder: Document,
    now: datetime,
    customer_name: str | None = None,
) -> str | None:
    """FIRED, "deferred", or None (not ours to fire: another instance took it, or it closed).
    ``customer_name``: the customer's company name, when known, for the notice's words."""
    quiet_end = quiet_until(preferences, now)
    if quiet_end is not None and reminder["status"] == PENDING:
        _, deferred = change_reminder(
            reminders,
            reminder["_id"],
            lambda r: {**r, "fire_at": quiet_end} if r["status"] == PENDING and r["fire_at"] <= now else None,
        )
        return "deferred" if deferred else None
    leased = take_lease(
        reminders.get,
        reminders.replace,
        reminder,
        lambda r: r["status"] == PENDING and r["fire_at"] <= now,
        FIRING,
        now,
        settings["lease_seconds"],
    )
    if leased is None:
        return None
    digest_id = None
    if preferences.digest:
        digest_id = digest_id_of(preferences.user_id, local_day(preferences, next_digest_at(preferences, now)))
        outbox.digests.add(
            {
                "_id": digest_id,
                "user_id": preferences.user_id,
                "due_at": next_digest_at(preferences, now),
                "status": PENDING,
                "version": 0,
                "created_at": now,
            }
        )
    notice, _ = outbox.add_notice(notice_of(leased, preferences, now, digest_id, customer_name))
    for channel in preferences.channels:
        if notice["digest_id"] is None or channel in immediate_channels:
            outbox.deliveries.add(delivery_of(notice, channel, now))
    finish_lease(reminders.get, reminders.replace, leased, lambda r: {**r, "status": FIRED, "fired_at": now})
    return FIRED


def delivery_of(notice: Document, channel: str, now: datetime) -> Document:
    """A notice's delivery through one channel: one per notice and channel, whatever retries."""
    return {
        "_id": f"dlv_{notice['_id']}_{channel}",
        "notice_id": notice["_id"],
        "user_id": notice["user_id"],
        "channel": channel,
        "kind": notice["kind"],
        "title": notice["title"],
        "status": "pending",
        "attempts": [],
        "next_attempt_at": now,
        "lease_until": None,
        "lease_token": None,
        "version": 0,
        "created_at": now,
        "delivered_at": None,
        "failed_at": None,
        "receipt": None,
        "last_error": None,
    }
