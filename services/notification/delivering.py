"""Delivering notices through channel plugins, and the daily digests.

Each delivery (one notice, one channel) is leased like a reminder, sent, and recorded with the
attempt: delivered, pending again after a backoff, or failed for good (a permanent refusal, a
broken plugin, attempts used up) — visible through the API. One channel failing never stops
another.
"""

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from plugins.declarations import OutgoingMessage, Recipient
from plugins.errors import DeliveryFailed
from services.notification.domain import Document
from services.notification.domain.notices import DIGEST, INBOX_DIGEST, Preferences, digest_of, group_id_of, inbox_digest
from services.notification.domain.reminders import CLOSED, PENDING
from services.notification.domain.timing import RetryPolicy, next_attempt_at, quiet_until
from services.notification.firing import delivery_of
from services.notification.leasing import change_guarded, finish_lease, in_rounds, take_lease
from services.notification.store import Outbox, Reminders

log = logging.getLogger(__name__)
SENDING, DELIVERED, FAILED, SENT = "sending", "delivered", "failed", "sent"
MAX_ATTEMPTS_KEPT = 20
DIGEST_WRITE_ATTEMPTS = 10


@dataclass
class Delivering:
    """What one pass did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    digests: int = 0


class InboxFiling:
    """The in-app inbox as channel plugins see it (``inbox.put(message)``). An entry keeps its
    reminder's ``details`` (read from the notice it files: a channel's message carries only
    words), so a client words it in the reader's language; {} for a notice without a reminder.

    Many entries of one kind for one person within ``digest_window_minutes`` (``digest_min_count``
    or more) are shown as one digest entry listing them (an import's 165 first touches: one line
    per window, not 165)."""

    def __init__(
        self,
        outbox: Outbox,
        settings: dict[str, Any] | None = None,
        customer_names: Callable[[Iterable[str | None]], dict[str, str | None]] = lambda ids: {},
    ):
        self.outbox, self.settings, self.customer_names = outbox, settings or {}, customer_names

    def put(self, message: OutgoingMessage) -> None:
        notice = self.outbox.notice(message.id) or {}
        window = self.settings.get("digest_window_minutes")
        group_id = (
            group_id_of(message.user_id, message.kind, message.fired_at, timedelta(minutes=window))
            if window and message.kind not in (DIGEST, INBOX_DIGEST)
            else None
        )
        self.outbox.file_in_inbox(
            {
                "_id": message.id,
                "user_id": message.user_id,
                "kind": message.kind,
                "title": message.title,
                "body": message.body,
                "customer_id": message.customer_id,
                "due_at": message.due_at,
                "fired_at": message.fired_at,
                "read": False,
                "read_at": None,
                "group_id": group_id,
                "grouped_in": None,
                "details": dict(notice.get("details") or {}),
            }
        )
        if group_id is not None:
            self._digest(group_id)

    def _digest(self, group_id):
        members = self.outbox.inbox_members(group_id)
        if len(members) < self.settings["digest_min_count"]:
            return
        names = self.customer_names(m.get("customer_id") for m in members)
        for _attempt in range(DIGEST_WRITE_ATTEMPTS):  # another instance filing into it: read again
            stored = self.outbox.inbox_entry(group_id)
            if self.outbox.save_inbox_digest(inbox_digest(group_id, members, names, stored), stored):
                break
        # only those not listed under it yet: a burst's every filing would otherwise write them all again
        if fresh := [m["_id"] for m in members if m.get("grouped_in") != group_id]:
            self.outbox.mark_grouped(fresh, group_id)


def read_in_inbox(outbox: Outbox, entry: Document, at: datetime) -> Document:
    """``entry`` (as just read) marked read at ``at``, unless it is already; the entry as stored.
    Guarded: a digest's filing that grows it meanwhile is not lost, nor is it read again."""
    if entry["read"]:
        return entry
    _, after = change_guarded(
        outbox.inbox_entry,
        outbox.replace_inbox_entry,
        entry["_id"],
        lambda current: None if current["read"] else {**current, "read": True, "read_at": at},
        entry,
    )
    return after or outbox.inbox_entry(entry["_id"]) or entry


def deliver_due(
    outbox: Outbox,
    channels: dict[str, Any],
    broken_plugins: dict[str, str],
    preferences_of: Callable[[str], Preferences],
    retry: RetryPolicy,
    settings: dict[str, Any],
    now: datetime,
    result: Delivering | None = None,
) -> Delivering:
    result = result or Delivering()

    def handle(delivery):
        leased = take_lease(
            outbox.deliveries.get,
            outbox.deliveries.replace,
            delivery,
            lambda d: d["status"] == PENDING and d["next_attempt_at"] <= now,
            SENDING,
            now,
            settings["lease_seconds"],
        )
        if leased is not None:
            outcome = _attempt(outbox, channels, broken_plugins, preferences_of(leased["user_id"]), retry, leased, now)
            result.delivered += outcome == DELIVERED
            result.retrying += outcome == PENDING
            result.failed += outcome == FAILED

    in_rounds(settings, lambda limit: outbox.deliveries.stale(now, limit) + outbox.deliveries.due(now, limit), handle)
    return result


def _attempt(outbox, channels, broken_plugins, preferences, retry, delivery, now):
    notice = outbox.notice(delivery["notice_id"])
    channel = channels.get(delivery["channel"])
    recipient = Recipient(
        preferences.user_id,
        preferences.time_zone,
        preferences.addresses.get(delivery["channel"]),
        preferences.secrets.get(delivery["channel"]),
    )
    try:
        if channel is None:
            broken = "; ".join(broken_plugins.values())
            raise DeliveryFailed(
                f"no channel named {delivery['channel']!r} is installed"
                + (f" (plugins that failed: {broken})" if broken else ""),
                permanent=True,
            )
        if channel.needs_address and not recipient.address:
            raise DeliveryFailed(f"{preferences.user_id} has no address for channel {channel.name!r}", permanent=True)
        receipt = channel.send(message_of(outbox, notice), recipient)
    except DeliveryFailed as failure:
        exc = failure  # kept past the except block for the write below
        attempts = len(delivery["attempts"]) + 1
        retry_at = None if exc.permanent else next_attempt_at(retry, attempts, now)
        status = PENDING if retry_at else FAILED
        if status == FAILED:
            log.warning("delivery %s failed for good: %s", delivery["_id"], exc.reason)
        finish_lease(
            outbox.deliveries.get,
            outbox.deliveries.replace,
            delivery,
            lambda d: {
                **d,
                "status": status,
                "next_attempt_at": retry_at or d["next_attempt_at"],
                "last_error": exc.reason,
                "failed_at": now if status == FAILED else None,
                "attempts": _kept(
                    d["attempts"] + [{"at": now, "ok": False, "error": exc.reason, "permanent": exc.permanent}]
                ),
            },
        )
        return status
    finish_lease(
        outbox.deliveries.get,
        outbox.deliveries.replace,
        delivery,
        lambda d: {
            **d,
            "status": DELIVERED,
            "delivered_at": now,
            "receipt": receipt,
            "last_error": None,
            "attempts": _kept(d["attempts"] + [{"at": now, "ok": True, "receipt": receipt}]),
        },
    )
    return DELIVERED


def message_of(outbox: Outbox, notice: Document) -> OutgoingMessage:
    items = tuple(message_of(outbox, item) for item in (outbox.notice(i) for i in notice.get("items") or []) if item)
    return OutgoingMessage(
        notice["_id"],
        notice["user_id"],
        notice["kind"],
        notice["title"],
        notice["body"],
        notice.get("customer_id"),
        notice.get("due_at"),
        notice["fired_at"],
        items,
    )


def send_due_digests(
    outbox: Outbox,
    reminders: Reminders,
    preferences_of: Callable[[str], Preferences],
    immediate_channels: Collection[str],
    settings: dict[str, Any],
    now: datetime,
    result: Delivering,
) -> Delivering:
    """Each person's digest at its hour: the day's notices whose reminders are still open, one
    delivery per channel that waits for digests."""
    for digest in outbox.digests.stale(now, settings["batch"]) + outbox.digests.due(now, settings["batch"]):
        preferences = preferences_of(digest["user_id"])
        quiet_end = quiet_until(preferences, now)
        if quiet_end is not None and digest["status"] == PENDING:
            change_guarded(
                outbox.digests.get,
                outbox.digests.replace,
                digest["_id"],
                _deferred_to(quiet_end),
            )
            continue
        leased = take_lease(
            outbox.digests.get,
            outbox.digests.replace,
            digest,
            lambda d: d["status"] == PENDING and d["due_at"] <= now,
            SENDING,
            now,
            settings["lease_seconds"],
        )
        if leased is None:
            continue
        notices = [
            n
            for n in outbox.notices_in(digest["_id"])
            if (r := reminders.get(n["reminder_id"])) is None or r["status"] not in CLOSED
        ]
        summary = digest_of(leased, notices, preferences, now)
        if summary is not None:
            stored, _ = outbox.add_notice(summary)
            for channel in preferences.channels:
                if channel not in immediate_channels:
                    outbox.deliveries.add(delivery_of(stored, channel, now))
            result.digests += 1
        finish_lease(
            outbox.digests.get,
            outbox.digests.replace,
            leased,
            _sent(now, len(notices)),
        )
    return result


def _deferred_to(moment: datetime) -> Callable[[Document], Document | None]:
    """A pending digest's change: due at ``moment`` (the end of quiet hours)."""
    return lambda digest: {**digest, "due_at": moment} if digest["status"] == PENDING else None


def _sent(now: datetime, notice_count: int) -> Callable[[Document], Document]:
    return lambda digest: {**digest, "status": SENT, "sent_at": now, "notice_count": notice_count}


def _kept(attempts):
    return attempts[-MAX_ATTEMPTS_KEPT:]
