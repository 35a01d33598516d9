"""An in-memory collection with the few behaviours of the document store that the services' stores
rely on, so fake stores built on it keep the same semantics as the real ones:

- documents go in and come out as copies, the way they would round-trip the store: tuples come
  back as lists, datetimes as timezone-aware UTC with milliseconds (BSON keeps no more);
- ``insert_once``: the first document stored under an ``_id`` wins, a second one reports the
  first (``services.runtime.mongo.insert_once``);
- ``replace_if``: a whole-document write that lands only while the stored document still has
  the values the caller read (its version): otherwise False, as ``matched_count == 0``;
- ``race``: a test makes another writer change a document between a caller's read and its
  guarded write, to see the loser read again and decide again.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from services.runtime.document_store import moved_on


def as_stored(value):
    """``value`` as the document store would give it back."""
    if isinstance(value, dict):
        return {str(key): as_stored(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_stored(item) for item in value]
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.replace(microsecond=aware.microsecond // 1000 * 1000)
    return value


def whole_seconds(moment):
    """A datetime as the embedded store compares it in a range query: to the whole second."""
    return int(moment.timestamp())


class Documents:
    """One collection: documents by ``_id``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.docs: dict = {}
        self.writes = 0  # inserts and replaces that landed
        self._races: dict = {}  # document id -> changes other writers make before our next guarded write

    def find_one(self, doc_id):
        doc = self.docs.get(doc_id)
        return as_stored(doc) if doc is not None else None

    def find(self, matches: Callable[[dict], bool] = lambda doc: True, order=None, descending=False, limit=None):
        """Copies of the documents ``matches`` accepts, sorted by ``order`` (a field) if given."""
        found = [doc for doc in self.docs.values() if matches(doc)]
        if order is not None:
            found.sort(key=lambda doc: (doc.get(order) is not None, doc.get(order)), reverse=descending)
        return [as_stored(doc) for doc in found[:limit]]

    def insert_once(self, doc):
        """(stored document, inserted?): ``doc``, or the one stored first under its ``_id``."""
        if doc["_id"] in self.docs:
            return self.find_one(doc["_id"]), False
        doc = {"version": 0, **doc}  # as services.runtime.mongo.insert_once
        self.docs[doc["_id"]] = as_stored(doc)
        self.writes += 1
        return doc, True

    def replace_if(self, doc, **expected) -> bool:
        """Replace the document with ``doc`` only while its fields still hold ``expected``."""
        self._run_races(doc["_id"])
        stored = self.docs.get(doc["_id"])
        if stored is None or any(stored.get(field) != value for field, value in expected.items()):
            return False
        self.docs[doc["_id"]] = as_stored(doc)
        self.writes += 1
        return True

    def put(self, doc) -> None:
        """An unguarded whole-document write (upsert: False when nothing matched is not asked)."""
        if doc["_id"] in self.docs:
            self.docs[doc["_id"]] = as_stored(doc)
            self.writes += 1

    def update_field(self, doc_ids, field, value) -> None:
        """``update_many({_id: {$in: doc_ids}}, {$set: {field: value}})``."""
        for doc_id in doc_ids:
            if doc_id in self.docs:
                self.docs[doc_id] = {**self.docs[doc_id], field: as_stored(value)}
                self.writes += 1

    def delete(self, doc_id) -> None:
        self.docs.pop(doc_id, None)

    def race(self, doc_id, change: Callable[[dict], dict], times: int = 1) -> None:
        """Before each of the next ``times`` guarded writes to ``doc_id``, another writer applies
        ``change`` (document -> document, its version moved on) to the stored document."""
        self._races.setdefault(doc_id, []).extend([change] * times)

    def _run_races(self, doc_id):
        pending = self._races.get(doc_id)
        if pending:
            change = pending.pop(0)
            self.docs[doc_id] = as_stored(change(as_stored(self.docs[doc_id])))


def take_turn(turns: Documents, job, now, every) -> bool:
    """``services.runtime.guarded.take_turn`` over ``turns``: True for the one caller that finds ``job`` due."""
    doc = turns.find_one(job)
    if doc is None:
        doc, _ = turns.insert_once({"_id": job, "next_at": now, "version": 0})
    if doc["next_at"] > now:
        return False
    return turns.replace_if(moved_on({"_id": job, "next_at": now + every}, doc), version=doc["version"])


def audited_replace(documents: Documents, audit, resource, doc, before) -> bool:
    """A guarded replace of ``before`` by ``doc`` (its version moved on), audited when it lands."""
    after = moved_on(doc, before)
    replaced = documents.replace_if(after, version=before["version"])
    if replaced:
        audit.changed(resource, before, as_stored(after))
    return replaced


class RecordingAudit:
    """The audit recorder a worker binds a store to (``services.runtime.audit.AuditRecorder``),
    keeping (resource, before, after) in ``entries``. ``actor`` None is the system (a timer)."""

    def __init__(self, actor=None) -> None:
        self.actor = actor
        self.entries: list = []

    def changed(self, resource, before, after):
        self.entries.append((resource, before, after))

    def changed_many(self, resource, pairs):
        for before, after in pairs:
            self.changed(resource, before, after)

    def resources(self):
        return [resource for resource, _, _ in self.entries]
