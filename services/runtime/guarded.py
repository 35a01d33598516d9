"""Changing one document without losing a concurrent change (two instances, a handler and an RPC):
read it, decide, and write it only if its version has not moved; otherwise read and decide again.
The embedded store has no transactions, so this is how every multi-step change stays whole.

Every service's "change one record" goes through ``change_guarded`` with its store's own read and
write methods, so the write is the store's (and lands in the audit trail).
"""

from services.runtime.mongo import insert_once

MAX_WRITE_ATTEMPTS = 20


class DocumentBusy(Exception):
    """The document kept changing under us; the caller's request or event is retried."""


def change_guarded(get, replace, document_id, change, current=None):
    """(document before, document after): after is None when ``change`` (document -> new document
    with the version moved on, or None) finds nothing to change; before is None if there is no
    such document. ``replace(after, before)`` writes only if ``before`` is still the stored one.
    ``change`` may raise after seeing the current document. ``current``: the document as the
    caller just read it, tried first instead of reading it again (a stale one only costs a retry)."""
    for attempt in range(MAX_WRITE_ATTEMPTS):
        before = current if attempt == 0 and current is not None else get(document_id)
        if before is None:
            return None, None
        after = change(before)
        if after is None or replace(after, before):
            return before, after
    raise DocumentBusy(f"{document_id} changed {MAX_WRITE_ATTEMPTS} times in a row")


def replacing(collection, on_replaced=None):
    """``replace(after, before)`` for a plain collection: a whole-document write guarded by version;
    ``on_replaced(before, after)`` hears of each write (the audit trail)."""

    def replace(after, before):
        replaced = (
            collection.replace_one({"_id": before["_id"], "version": before["version"]}, after).matched_count == 1
        )
        if replaced and on_replaced is not None:
            on_replaced(before, after)
        return replaced

    return replace


def take_turn(collection, job, now, every):
    """True for the one caller (of any instance) that finds ``job`` due and moves it on by ``every``."""
    doc = collection.find_one({"_id": job})
    if doc is None:
        doc, _ = insert_once(collection, {"_id": job, "next_at": now, "version": 0})
    if doc["next_at"] > now:
        return False
    return (
        collection.replace_one(
            {"_id": job, "version": doc["version"]}, {"_id": job, "next_at": now + every, "version": doc["version"] + 1}
        ).matched_count
        == 1
    )
