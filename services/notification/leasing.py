"""Guarded single-document writes, and leases built on them: exactly one instance takes a due
reminder, delivery or digest, and one that dies holding it lets go when the lease runs out.

The embedded document store has no transaction isolation and its ``$set`` mangles datetimes,
so every change replaces the whole document with its version in the filter (the write moves the
version on); a loser re-reads and decides again.
"""

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.notification.domain import Document
from services.runtime.guarded import change_guarded


def take_lease(
    get: Callable[[str], Document | None],
    replace: Callable[[Document, Document], bool],
    doc: Document,
    ready: Callable[[Document], bool],
    busy_status: str,
    now: datetime,
    lease_seconds: float,
) -> Document | None:
    """The document leased to this caller (status ``busy_status``, a fresh ``lease_token``), or
    None when it is not ``ready(doc)`` and not a lease that ran out — e.g. another instance won.
    ``doc``: as the caller found it due (tried first; a stale one is read again)."""
    token = uuid.uuid4().hex

    def lease(current):
        expired = current["status"] == busy_status and current.get("lease_until") and current["lease_until"] <= now
        if not (ready(current) or expired):
            return None
        return {
            **current,
            "status": busy_status,
            "lease_until": now + timedelta(seconds=lease_seconds),
            "lease_token": token,
        }

    return change_guarded(get, replace, doc["_id"], lease, doc)[1]


def finish_lease(
    get: Callable[[str], Document | None],
    replace: Callable[[Document, Document], bool],
    leased: Document,
    change: Callable[[Document], Document],
) -> Document | None:
    """Apply ``change`` only while our lease holds (after it ran out another instance may own it)."""

    def finish(current):
        if current.get("lease_token") != leased["lease_token"] or current["status"] != leased["status"]:
            return None
        return {**change(current), "lease_until": None, "lease_token": None}

    return change_guarded(get, replace, leased["_id"], finish, leased)[1]


def in_rounds(
    settings: dict[str, Any], fetch: Callable[[int], list[Document]], handle: Callable[[Document], object]
) -> None:
    """``handle`` each document ``fetch(limit)`` returns, a batch at a time, until a batch comes
    back short (or ``max_batches`` were taken: the next pass goes on)."""
    for _round in range(settings["max_batches"]):
        due = fetch(settings["batch"])
        for doc in due:
            handle(doc)
        if len(due) < settings["batch"]:
            return
