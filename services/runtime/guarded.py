"""Changing one document without losing a concurrent change (two instances, a handler and an RPC):
read it, decide, and write it only if its version has not moved; otherwise read and decide again.
The embedded store has no transactions, so this is how every multi-step change stays whole.

Every service's "change one record" goes through ``change_guarded`` with its store's own read and
write methods, so the write is the store's (and lands in the audit trail).
"""

from collections.abc import Callable
from typing import Any

from services.runtime.document_store import guarded_replace, moved_on
from services.runtime.mongo import insert_once

Document = dict[str, Any]

MAX_WRITE_ATTEMPTS = 20


class DocumentBusy(Exception):
    """The document kept changing under us; the caller's request or event is retried."""


def change_guarded(
    get: Callable[[str], Document | None],
    replace: Callable[[Document, Document], bool],
    document_id: str,
    change: Callable[[Document], Document | None],
    current: Document | None = None,
) -> tuple[Document | None, Document | None]:
    """(document before, document after): after is None when ``change`` (document -> new document,
    or None) finds nothing to change; before is None if there is no such document. The version is
    moved on here, never by ``change``: ``after`` holds the one written.
    ``replace(after, before)`` writes only if ``before`` is still the stored one.
    ``change`` may raise after seeing the current document. ``current``: the document as the
    caller just read it, tried first instead of reading it again (a stale one only costs a retry)."""
    for attempt in range(MAX_WRITE_ATTEMPTS):
        before = current if attempt == 0 and current is not None else get(document_id)
        if before is None:
            return None, None
        after = change(before)
        if after is not None:
            after = moved_on(after, before)
        if after is None or replace(after, before):
            return before, after
    raise DocumentBusy(f"{document_id} changed {MAX_WRITE_ATTEMPTS} times in a row")


def replacing(
    collection: Any, on_replaced: Callable[[Document, Document], None] | None = None
) -> Callable[[Document, Document], bool]:
    """``replace(after, before)`` for a plain collection: a whole-document write guarded by version,
    which it moves on; ``on_replaced(before, after)`` hears of each write (the audit trail)."""

    def replace(after: Document, before: Document) -> bool:
        replaced = guarded_replace(collection, after, before)
        if replaced and on_replaced is not None:
            on_replaced(before, moved_on(after, before))
        return replaced

    return replace


def take_turn(collection: Any, job: str, now: Any, every: Any) -> bool:
    """True for the one caller (of any instance) that finds ``job`` due and moves it on by ``every``."""
    doc = collection.find_one({"_id": job})
    if doc is None:
        doc, _ = insert_once(collection, {"_id": job, "next_at": now, "version": 0})
    if doc["next_at"] > now:
        return False
    return guarded_replace(collection, {"_id": job, "next_at": now + every}, doc)
