"""The audit trail: every change to a record — who, when, what, each field before and after.

Stores record changes themselves, in the methods that write, so no write path can skip the
trail: a service's store is handed to each worker bound to an ``AuditRecorder`` that knows the
caller (``services.runtime.access``) and the entrypoint that is writing. A store used outside a
worker (a bench, a migration) records nothing.

Each service keeps its entries in the shared ``audit`` collection under its own name and answers
for them (``AuditTrailEntrypoints``); the gateway asks every service and merges the answers.
"""

import copy
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, Self

from pymongo import ASCENDING, DESCENDING

from contracts.access import MANAGERS, AuditPageSchema, AuditQuerySchema
from contracts.errors import EXPECTED_ERRORS
from services.runtime.access import Actor, require
from services.runtime.document_store import Together, count
from services.runtime.queries import load_input, page_of
from services.runtime.queues import rpc

Document = dict[str, Any]

SYSTEM = "system"
# Bookkeeping every write moves on: not a change anyone made.
UNAUDITED_FIELDS = frozenset({"version", "updated_at", "outbox", "outbox_since", "outbox_epoch", "announce"})
AUDIT_READERS = MANAGERS


def changes_between(before: Document | None, after: Document | None) -> dict[str, dict[str, Any]]:
    """{field: change} for every top-level field that differs (a created record has no before,
    a deleted one no after). A change is {"before", "after"}; for lists on both sides it is
    {"added", "removed"}, so a long history is not copied into every entry."""
    before, after = before or {}, after or {}
    changes: dict[str, dict[str, Any]] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if field in UNAUDITED_FIELDS or field == "_id" or old == new:
            continue
        if isinstance(old, list) and isinstance(new, list):
            changes[field] = {
                "added": [item for item in new if item not in old],
                "removed": [item for item in old if item not in new],
            }
        else:
            changes[field] = {"before": old, "after": new}
    return changes


class AuditTrail:
    """The ``audit`` collection, one service's entries at a time."""

    def __init__(self, db: Any, service: str) -> None:
        self.entries = db.audit
        self.service = service

    def ensure_indexes(self) -> None:
        self.entries.create_index([("service", ASCENDING), ("resource_id", ASCENDING)])
        self.entries.create_index([("service", ASCENDING), ("at", DESCENDING)])
        self.entries.create_index([("service", ASCENDING), ("actor", ASCENDING)])

    def add(self, entry: Document) -> None:
        self.entries.insert_one({**entry, "service": self.service})

    def add_many(self, entries: list[Document]) -> None:
        """Several entries of one change in one command (a round trip each would cost more than the write)."""
        if entries:
            self.entries.insert_many([{**entry, "service": self.service} for entry in entries], ordered=False)

    def page(
        self,
        limit: int,
        offset: int,
        resource_id: str | None = None,
        resource: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[list[Document], int]:
        query: Document = {"service": self.service}
        for name, value in (("resource_id", resource_id), ("resource", resource), ("actor", actor)):
            if value:
                query[name] = value
        if since or until:
            query["at"] = {k: v for k, v in (("$gte", since), ("$lt", until)) if v}
        total = count(self.entries, query)
        return list(self.entries.find(query).sort("at", DESCENDING).skip(offset).limit(limit)), total


class AuditRecorder:
    """What one worker writes into the trail: its caller and entrypoint are already known."""

    def __init__(self, trail: AuditTrail, actor: Actor | None, action: str) -> None:
        self.trail, self.actor, self.action = trail, actor, action

    def changed(self, resource: str, before: Document | None, after: Document | None) -> None:
        entry = self._entry(resource, before, after)
        if entry is not None:
            self.trail.add(entry)

    def changed_many(self, resource: str, pairs: Iterable[tuple[Document | None, Document | None]]) -> None:
        """``changed`` for each (before, after) of ``pairs``, written in one command."""
        self.trail.add_many([e for e in (self._entry(resource, b, a) for b, a in pairs) if e is not None])

    def changed_with(
        self, together: Together, resource: str, before: Document | None, after: Document | None
    ) -> str | None:
        """``changed``, its entry added to ``together``: written in the command that writes the change.
        The entry's id (None: nothing changed), for ``withdraw`` when a guarded write it went with lost."""
        entry = self._entry(resource, before, after)
        if entry is None:
            return None
        together.insert(self.trail.entries, {**entry, "service": self.trail.service})
        return str(entry["_id"])

    def withdraw(self, entry_id: str) -> None:
        """Take back an entry sent with a guarded write that matched nothing (the change was not made)."""
        self.trail.entries.delete_one({"_id": entry_id, "service": self.trail.service})

    def _entry(self, resource, before, after):
        changes = changes_between(before, after)
        if not changes:
            return None
        record = after or before
        return {
            "_id": "trail_" + uuid.uuid4().hex,
            "at": datetime.now(UTC),
            "resource": resource,
            "resource_id": str(record["_id"]),
            "action": self.action,
            "actor": self.actor.user_id if self.actor else SYSTEM,
            "actor_role": self.actor.role if self.actor else None,
            "changes": _storable(changes),
        }


class NotAudited:
    """The recorder of a store used outside any worker."""

    actor = None

    def changed(self, resource: str, before: Document | None, after: Document | None) -> None:
        return None

    def changed_many(self, resource: str, pairs: Iterable[tuple[Document | None, Document | None]]) -> None:
        return None

    def changed_with(
        self, together: Together, resource: str, before: Document | None, after: Document | None
    ) -> str | None:
        return None

    def withdraw(self, entry_id: str) -> None:
        return None


class Store:
    """Base of every service's store: ``audit`` is where its write methods report changes."""

    audit: AuditRecorder | NotAudited = NotAudited()

    def audited_by(self, recorder: AuditRecorder) -> Self:
        """This store, for one worker, reporting to ``recorder`` (a shallow copy: same collections)."""
        bound = copy.copy(self)
        bound.audit = recorder
        return bound


class AuditTrailEntrypoints:
    """Mixed into a service: ``audit_trail`` answers for the entries this service wrote.
    The service needs ``caller`` (``services.runtime.access.Caller``) and ``audit_trail_store``
    (``services.runtime.mongo.AuditTrailStore``)."""

    caller: Actor | None
    audit_trail_store: AuditTrail

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def audit_trail(self, query: Document | None = None) -> Document:
        require(self.caller, AUDIT_READERS, "read the audit trail")
        query = load_input(AuditQuerySchema, query)
        entries, total = self.audit_trail_store.page(**query)
        return AuditPageSchema().dump(page_of([{**e, "id": e["_id"]} for e in entries], total, query))


def _storable(changes):
    """JSON-safe values (times as ISO text), so the trail reads the same through any API; field
    names become document keys, where the store refuses "." and a leading "$"."""
    return {field.replace(".", "\uff0e").lstrip("$"): _plain(values) for field, values in changes.items()}


def _plain(value):
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
