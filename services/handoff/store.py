"""Where handoff keeps handoffs, refused submissions, agreed requirements, started steps, quality
audits and their schedules.

Every change replaces a whole document under a version guard (``services.runtime.guarded``, which
moves the version on): the embedded store has no transactions, and ``$set`` would not keep
datetimes as datetimes. Array fields (receivers, those still to sign) are matched with ``$in``:
equality on an indexed array matches nothing there. Periods are closed at both ends, in whole
seconds. The measures range over when handoffs were submitted and refused: the embedded store
serves no datetime range from an index (nor an ISO-looking string's: it compares those as
datetimes), so that time is kept beside its datetime in whole epoch seconds
(``services.runtime.document_store.epoch``) on every write, and the range goes over that. So is
the time the oldest event in a document's outbox has waited since (``outbox_epoch``, absent when
the outbox is empty): the timer that publishes what a crash left looks every few seconds, and with
the datetime it read every handoff, register, leaver and step (at 100,000 handoffs, seconds of the
store's time each look).

The quality audit's collections were called ``audits`` and ``audit_schedules`` before (read like
the audit trail's ``audit``): an upgrade (``move_quality_audits``) copies them to their new names
and drops the old. Until it is done a schedule not copied yet is copied when read (a person's
passes in a row are never lost to a fresh schedule), and a report is looked for under the old name
too; a page of reports shows only those copied. The reports keep their ``aud_`` ids.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING

from services.handoff.domain import Document, measure_totals
from services.handoff.domain.handoffs import INFO_PENDING
from services.runtime.audit import Store
from services.runtime.directory import KeptPeople
from services.runtime.document_store import count, epoch, guarded_replace
from services.runtime.guarded import change_guarded, replacing, take_turn
from services.runtime.mongo import insert_once

Change = Callable[[Document], Document | None]  # a document -> its changed copy, or None: nothing to change
MEASURED_AT_MOST = 100_000  # handoffs read for one measures request
MAX_TOTALS_ATTEMPTS = 10  # writers changing one month's totals at once (its count repairs the rest)

# collection -> (the datetime the measures range over, its epoch seconds kept beside it)
TIME_KEYS = {"handoffs": ("submitted_at", "submitted_epoch"), "refused_handoffs": ("at", "at_epoch")}
# Collections whose documents keep events to publish (domain.outbox), by the attribute naming them.
OUTBOX_COLLECTIONS = ("handoffs", "registers", "leavers", "steps")
OUTBOX_KEY = "outbox_epoch"  # when the outbox's oldest event was added, in epoch seconds


def keyed(collection_name: str, doc: Document) -> Document:
    """``doc`` with the epoch seconds of the field its collection is ranged over by (when it has one)
    and of its outbox's oldest event (only while the outbox holds one)."""
    if "outbox_since" in doc:
        doc = {k: v for k, v in doc.items() if k != OUTBOX_KEY}
        if doc["outbox_since"] is not None:
            doc[OUTBOX_KEY] = epoch(doc["outbox_since"])
    if collection_name not in TIME_KEYS:
        return doc
    field, key = TIME_KEYS[collection_name]
    return {**doc, key: epoch(doc[field])} if doc.get(field) is not None else doc


class Handoffs(KeptPeople, Store):
    def __init__(self, db: Any):
        self.handoffs = db.handoffs
        self.refusals = db.refused_handoffs  # submissions refused by their checklist (measures)
        self.totals = db.handoff_totals  # per month, what the measures read of each (domain.measure_totals)
        self.registers = db.agreed_requirements  # one per customer: agreed fields and their changes
        self.steps = db.started_steps  # one per customer and step
        self.transfers = db.open_transfers  # one per customer: the handoff that may change its owner
        self.schedules = db.quality_audit_schedules  # one per person audited
        self.quality_audits = db.quality_audits
        # the same, under the names of the release before; moved by move_quality_audits (one release)
        self.old_schedules, self.old_quality_audits = db.audit_schedules, db.audits
        self.turns = db.scheduled_turns
        self.people = db.people  # the gateway's users, as handoff needs them
        self.leavers = db.leavers  # one per leaver: when their sign-in ends

    def ensure_indexes(self) -> None:
        for field in (
            "customer_id",
            "state",
            "kind",
            "from_user",
            "to_users",
            "awaiting",
            "submitted_at",
            "submitted_epoch",
        ):
            self.handoffs.create_index([(field, ASCENDING)])
        self.handoffs.create_index([("state", ASCENDING), ("pending_until", ASCENDING)])
        self.refusals.create_index([("at_epoch", ASCENDING)])
        for outbox_collection in OUTBOX_COLLECTIONS:
            collection = getattr(self, outbox_collection)
            collection.create_index([(OUTBOX_KEY, ASCENDING)])
            # the index releases before kept on outbox_since served nothing (a datetime range reads every document)
            for name, index in collection.index_information().items():
                if index["key"] == [("outbox_since", ASCENDING)]:
                    collection.drop_index(name)
        self.leavers.create_index([("waits_for_customers", ASCENDING)])
        self.steps.create_index([("customer_id", ASCENDING)])
        self.quality_audits.create_index([("person", ASCENDING), ("at", DESCENDING)])
        self.quality_audits.create_index([("at", DESCENDING)])

    # handoffs
    def handoff(self, handoff_id: str) -> Document | None:
        return self.handoffs.find_one({"_id": handoff_id})

    def add_handoff(self, doc: Document) -> tuple[Document, bool]:
        """(stored handoff, added?): this one, or the one submitted first with the same id."""
        stored, added = insert_once(self.handoffs, keyed(self.handoffs.name, doc))
        if added:
            self.audit.changed("handoff", None, stored)
        self._keep_in_totals(stored)  # again when added before: the same entry
        return stored, added

    def change_handoff(
        self, handoff_id: str, change: Change, current: Document | None = None
    ) -> tuple[Document | None, Document | None]:
        """``current``: the handoff as the caller just read it, if it has it."""
        before, after = change_guarded(
            self.handoff, self._audited(self.handoffs, "handoff"), handoff_id, change, current
        )
        self._keep_in_totals(after)
        return before, after

    def _audited(self, collection, resource):
        """A guarded replacement (it moves the version on) keyed and told to the audit trail."""
        replace = replacing(collection, lambda before, after: self.audit.changed(resource, before, after))
        return lambda after, before: replace(keyed(collection.name, after), before)

    def page(
        self,
        limit: int,
        offset: int,
        customer_id: str | None = None,
        from_user: str | None = None,
        to_user: str | None = None,
        awaiting: str | None = None,
        kind: str | None = None,
        state: str | None = None,
        overdue_at: datetime | None = None,
    ) -> tuple[list[Document], int]:
        query: Document = {
            name: value
            for name, value in (
                ("customer_id", customer_id),
                ("from_user", from_user),
                ("kind", kind),
                ("state", state),
            )
            if value
        }
        for field, person in (("to_users", to_user), ("awaiting", awaiting)):
            if person:
                query[field] = {"$in": [person]}
        if overdue_at is not None:
            query["state"] = INFO_PENDING
            query["pending_until"] = {"$lt": overdue_at}
        total = count(self.handoffs, query)
        cursor = self.handoffs.find(query).sort("submitted_at", DESCENDING).skip(offset).limit(limit)
        return list(cursor), total

    def of_customer(self, customer_id: str, states: Iterable[str] | None = None, limit: int = 500) -> list[Document]:
        query: Document = {"customer_id": customer_id}
        if states:
            query["state"] = {"$in": list(states)}
        return list(self.handoffs.find(query).sort("submitted_at", ASCENDING).limit(limit))

    def _keep_in_totals(self, handoff: Document | None) -> None:
        """The handoff's entry in its month's totals, as the handoff is now (a writer that stops
        before this leaves the entry as it was until the handoff's next change)."""
        if handoff is None or handoff.get("submitted_at") is None:
            return
        totals_id = measure_totals.totals_id(measure_totals.HANDOFFS, measure_totals.month_of(handoff["submitted_at"]))
        for _attempt in range(MAX_TOTALS_ATTEMPTS):
            before = self.totals.find_one({"_id": totals_id})
            if before is None:
                blank = measure_totals.empty(measure_totals.HANDOFFS, measure_totals.month_of(handoff["submitted_at"]))
                if insert_once(self.totals, measure_totals.with_handoff(blank, handoff))[1]:
                    return
                continue
            after = measure_totals.with_handoff(before, handoff)
            if after == before or guarded_replace(self.totals, after, before):
                return

    def measure_totals(self, totals_ids: Iterable[str], fields: Iterable[str] | None = None) -> dict[str, Document]:
        """{id: the month's totals (just ``fields`` and the version, if given)} found by these ids."""
        projection = {name: 1 for name in (*fields, "version")} if fields is not None else None
        return {doc["_id"]: doc for doc in self.totals.find({"_id": {"$in": list(totals_ids)}}, projection)}

    def measure_totals_after(self, after: str | None, limit: int) -> list[Document]:
        """Up to ``limit`` months' totals after the id ``after`` (None: from the first), in id order."""
        query = {"_id": {"$gt": after}} if after is not None else {}
        return list(self.totals.find(query).sort("_id", ASCENDING).limit(limit))

    def keep_measure_totals(self, totals: Document, before: Document | None) -> None:
        """Write a month's totals made afresh, unless another writer changed them meanwhile."""
        if before is None:
            insert_once(self.totals, totals)
        else:
            guarded_replace(self.totals, totals, before)

    def count_submitted(self, since: datetime, until: datetime) -> int:
        """Handoffs first submitted in [since, until): an index count."""
        return count(self.handoffs, {"submitted_epoch": {"$gte": epoch(since), "$lt": epoch(until)}})

    def count_refused(self, since: datetime, until: datetime) -> int:
        return count(self.refusals, {"at_epoch": {"$gte": epoch(since), "$lt": epoch(until)}})

    def submitted_between(self, since: datetime, until: datetime, kind: str | None = None) -> list[Document]:
        query: Document = {"submitted_epoch": {"$gte": epoch(since), "$lte": epoch(until)}}
        if kind:
            query["kind"] = kind
        return list(self.handoffs.find(query).limit(MEASURED_AT_MOST))

    # refusals
    def add_refusal(self, refusal: Document) -> None:
        insert_once(self.refusals, keyed(self.refusals.name, refusal))

    def refused_between(self, since: datetime, until: datetime, kind: str | None = None) -> list[Document]:
        query: Document = {"at_epoch": {"$gte": epoch(since), "$lte": epoch(until)}}
        if kind:
            query["kind"] = kind
        return list(self.refusals.find(query).limit(MEASURED_AT_MOST))

    # one transfer of ownership at a time per customer
    def hold_transfer(self, customer_id: str, handoff_id: str, still_open: Callable[[str], bool]) -> str:
        """The handoff that may change this customer's owner: ``handoff_id``, unless another one
        ``still_open`` (handoff id -> bool) holds it."""
        doc, added = insert_once(self.transfers, {"_id": customer_id, "handoff_id": handoff_id, "version": 0})
        if added or doc["handoff_id"] == handoff_id or still_open(doc["handoff_id"]):
            return doc["handoff_id"]
        if guarded_replace(self.transfers, {"_id": customer_id, "handoff_id": handoff_id}, doc):
            return handoff_id
        return self.transfers.find_one({"_id": customer_id})["handoff_id"]

    # events a crash left in an outbox
    def with_unpublished(self, cutoff: datetime, limit: int) -> list[tuple[str, str]]:
        """(collection name, document id) of documents holding events older than ``cutoff``."""
        found = []
        older = {OUTBOX_KEY: {"$lte": epoch(cutoff)}}  # in whole seconds, as the measures
        for name in OUTBOX_COLLECTIONS:
            found += [(name, d["_id"]) for d in getattr(self, name).find(older, {"_id": 1}).limit(limit)]
        return found

    def document(self, collection_name: str, document_id: str) -> Document | None:
        return getattr(self, collection_name).find_one({"_id": document_id})

    def change_in(
        self, collection_name: str, document_id: str, change: Change
    ) -> tuple[Document | None, Document | None]:
        collection = getattr(self, collection_name)
        return change_guarded(
            lambda doc_id: collection.find_one({"_id": doc_id}),
            self._audited(collection, collection_name.removesuffix("s")),
            document_id,
            change,
        )

    # agreed requirements
    def register(self, customer_id: str) -> Document | None:
        return self.registers.find_one({"_id": customer_id})

    def add_register(self, register: Document) -> Document:
        stored, added = insert_once(self.registers, keyed(self.registers.name, register))
        if added:
            self.audit.changed("requirements", None, stored)
        return stored

    def change_register(self, customer_id: str, change: Change) -> tuple[Document | None, Document | None]:
        return change_guarded(self.register, self._audited(self.registers, "requirements"), customer_id, change)

    # leavers
    def leaver(self, person: str) -> Document | None:
        return self.leavers.find_one({"_id": person})

    def add_leaver(self, record: Document) -> Document:
        return insert_once(self.leavers, keyed(self.leavers.name, record))[0]

    def change_leaver(self, person: str, change: Change) -> tuple[Document | None, Document | None]:
        return change_guarded(self.leaver, self._audited(self.leavers, "leaver"), person, change)

    def leavers_holding_customers(self, limit: int = 1000) -> list[str]:
        """Leavers whose sign-in waits for their last customer to move."""
        return [r["_id"] for r in self.leavers.find({"waits_for_customers": True}, {"_id": 1}).limit(limit)]

    # steps
    def started_steps(self, customer_id: str) -> dict[str, Document]:
        return {s["step"]: s for s in self.steps.find({"customer_id": customer_id})}

    def start_step(self, record: Document) -> tuple[Document, bool]:
        """(stored record, started now?)."""
        return insert_once(self.steps, keyed(self.steps.name, record))

    # quality audits
    def schedule(self, person: str) -> Document | None:
        found = self.schedules.find_one({"_id": person})
        if found is None and (old := self.old_schedules.find_one({"_id": person})) is not None:
            found = insert_once(self.schedules, moved_schedule(old))[0]  # not moved yet: moved now
        return found

    def add_schedule(self, schedule: Document) -> Document:
        return insert_once(self.schedules, schedule)[0]

    def replace_schedule(self, schedule: Document, before: Document) -> bool:
        """False when another instance moved the schedule on since ``before`` was read."""
        return guarded_replace(self.schedules, schedule, before)

    def add_quality_audit(self, report: Document) -> tuple[Document, bool]:
        return insert_once(self.quality_audits, report)

    def quality_audit(self, quality_audit_id: str) -> Document | None:
        query = {"_id": quality_audit_id}
        return self.quality_audits.find_one(query) or self.old_quality_audits.find_one(query)

    def quality_audit_page(
        self, limit: int, offset: int, person: str | None = None, passed: bool | None = None
    ) -> tuple[list[Document], int]:
        query: Document = {}
        if person:
            query["person"] = person
        if passed is not None:
            query["passed"] = passed
        total = count(self.quality_audits, query)
        return list(self.quality_audits.find(query).sort("at", DESCENDING).skip(offset).limit(limit)), total

    def take_turn(self, job: str, now: datetime, every: timedelta) -> bool:
        return take_turn(self.turns, job, now, every)

    # upgrades (services/runtime/upgrades.py)
    def key_times(self, collection_name: str, after: str | None, limit: int) -> str | None:
        """One batch of documents of ``collection_name`` (after the id ``after``) given the epoch
        seconds their measures range over; the cursor of the next batch, or None after the last."""
        collection = {"handoffs": self.handoffs, "refused_handoffs": self.refusals}[collection_name]
        return _key_epochs(collection, *TIME_KEYS[collection_name], after, limit)

    def key_outboxes(self, collection_name: str, after: str | None, limit: int) -> str | None:
        """One batch of documents of ``collection_name`` (after the id ``after``) given the epoch
        seconds their outbox's oldest event waits since, when it holds one; the cursor of the next
        batch, or None after the last."""
        collection = next(c for c in (getattr(self, n) for n in OUTBOX_COLLECTIONS) if c.name == collection_name)
        return _key_epochs(collection, "outbox_since", OUTBOX_KEY, after, limit)

    def move_quality_audits(self, old_name: str, after: str | None, limit: int) -> str | None:
        """One batch of the old collection ``old_name`` (after the id ``after``) copied under its new
        name, the old collection dropped after the last; the next batch's cursor, or None when done.
        Idempotent: a document copied already (or made since under the new name) is kept as it is."""
        moves: dict[str, tuple[Any, Any, Callable[[Document], Document]]] = {
            "audits": (self.old_quality_audits, self.quality_audits, dict),
            "audit_schedules": (self.old_schedules, self.schedules, moved_schedule),
        }
        old, new, moved = moves[old_name]
        query = {"_id": {"$gt": after}} if after is not None else {}
        batch = list(old.find(query).sort("_id", ASCENDING).limit(limit))
        for doc in batch:
            insert_once(new, moved(doc))
        if len(batch) == limit:
            return batch[-1]["_id"]
        old.drop()
        return None


def _key_epochs(collection: Any, field: str, key: str, after: str | None, limit: int) -> str | None:
    """One upgrade batch: documents after the id ``after`` given ``key``, the epoch seconds of their
    datetime ``field`` (where set); the cursor of the next batch, or None after the last."""
    query = {"_id": {"$gt": after}} if after is not None else {}
    batch = list(collection.find(query, {"_id": 1, field: 1}).sort("_id", ASCENDING).limit(limit))
    for doc in batch:
        if doc.get(field) is not None:  # an integer: $set keeps it as it is
            collection.update_one({"_id": doc["_id"]}, {"$set": {key: epoch(doc[field])}})
    return batch[-1]["_id"] if len(batch) == limit else None


def moved_schedule(old: Document) -> Document:
    """A schedule of the release before under its new field names."""
    renamed = {**old, "last_quality_audit_id": old.get("last_quality_audit_id", old.get("last_audit_id"))}
    renamed.pop("last_audit_id", None)
    return renamed
