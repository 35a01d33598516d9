"""Changing one document without losing a concurrent change (two instances, a handler and an RPC):
read it, decide, and write it only if its version has not moved; otherwise read and decide again.
The embedded store has no transactions, so this is how every multi-step change stays whole."""
from services.runtime.mongo import insert_once

MAX_WRITE_ATTEMPTS = 20


class DocumentBusy(Exception):
    """The document kept changing under us; the caller's request or event is retried."""


def change_guarded(collection, document_id, change):
    """(document before, document after): after is None when ``change`` (document -> new document
    with the version moved on, or None) finds nothing to change; before is None if there is no such
    document. ``change`` may raise after seeing the current document."""
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        before = collection.find_one({"_id": document_id})
        if before is None:
            return None, None
        after = change(before)
        if after is None or collection.replace_one({"_id": document_id, "version": before["version"]},
                                                   after).matched_count == 1:
            return before, after
    raise DocumentBusy(f"{collection.name} {document_id} changed {MAX_WRITE_ATTEMPTS} times in a row")


def take_turn(collection, job, now, every):
    """True for the one caller (of any instance) that finds ``job`` due and moves it on by ``every``."""
    doc = collection.find_one({"_id": job})
    if doc is None:
        doc, _ = insert_once(collection, {"_id": job, "next_at": now, "version": 0})
    if doc["next_at"] > now:
        return False
    return collection.replace_one({"_id": job, "version": doc["version"]},
                                  {"_id": job, "next_at": now + every, "version": doc["version"] + 1}
                                  ).matched_count == 1
