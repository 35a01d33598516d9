"""Guarded single-document writes, and leases built on them: exactly one instance takes a due
reminder, delivery or digest, and one that dies holding it lets go when the lease runs out.

The embedded document store has no transaction isolation and its ``$set`` mangles datetimes,
so every change replaces the whole document with its version in the filter; a loser re-reads
and decides again.
"""
import uuid
from datetime import timedelta

MAX_WRITE_ATTEMPTS = 20


class DocumentBusy(Exception):
    """The document kept changing under us; the caller's event or request is retried."""


def change_guarded(get, replace, doc_id, change):
    """(before, after): after is None when ``change`` found nothing to change (or no document)."""
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        before = get(doc_id)
        if before is None:
            return None, None
        after = change(before)
        if after is None or replace(after, before["version"]):
            return before, after
    raise DocumentBusy(f"{doc_id} changed {MAX_WRITE_ATTEMPTS} times in a row")


def take_lease(get, replace, doc_id, ready, busy_status, now, lease_seconds):
    """The document leased to this caller (status ``busy_status``, a fresh ``lease_token``), or
    None when it is not ``ready(doc)`` and not a lease that ran out — e.g. another instance won."""
    token = uuid.uuid4().hex

    def lease(current):
        expired = current["status"] == busy_status and current.get("lease_until") and current["lease_until"] <= now
        if not (ready(current) or expired):
            return None
        return {**current, "status": busy_status, "lease_until": now + timedelta(seconds=lease_seconds),
                "lease_token": token, "version": current["version"] + 1}

    return change_guarded(get, replace, doc_id, lease)[1]


def finish_lease(get, replace, leased, change):
    """Apply ``change`` only while our lease holds (after it ran out another instance may own it)."""
    def finish(current):
        if current.get("lease_token") != leased["lease_token"] or current["status"] != leased["status"]:
            return None
        return {**change(current), "lease_until": None, "lease_token": None, "version": current["version"] + 1}
    return change_guarded(get, replace, leased["_id"], finish)[1]


def in_rounds(settings, fetch, handle):
    """``handle`` each document ``fetch(limit)`` returns, a batch at a time, until a batch comes
    back short (or ``max_batches`` were taken: the next pass goes on)."""
    for _round in range(settings["max_batches"]):
        due = fetch(settings["batch"])
        for doc in due:
            handle(doc)
        if len(due) < settings["batch"]:
            return
