"""Where intake keeps every inquiry it received, accepted or rejected."""

from collections.abc import Collection, Iterable
from datetime import datetime
from itertools import takewhile
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from contracts.paging import sort_spec
from services.runtime.audit import Store
from services.runtime.document_store import Together, count, epoch, moved_on

Record = dict[str, Any]

AUDITED_FIELDS = ("message_id", "status", "via", "routing_key", "customer_id", "submitted_by", "external_id")
DUPLICATE_KEY = 11000


class Inquiries(Store):
    def __init__(self, db: Any) -> None:
        self.collection = db.inquiries

    def ensure_indexes(self) -> None:
        self.collection.create_index([("status", ASCENDING), ("received_at", DESCENDING)])
        self.collection.create_index([("received_at", DESCENDING)])
        self.collection.create_index([("announced", ASCENDING), ("received_at", ASCENDING)])
        self.collection.create_index([("external_id", ASCENDING)])
        self.collection.create_index([("submitted_by", ASCENDING), ("received_at", DESCENDING)])
        self.collection.create_index([("unconfirmed_epoch", ASCENDING)])

    def get(self, inquiry_id: str) -> Record | None:
        return self.collection.find_one({"_id": inquiry_id})

    def add(self, record: Record) -> bool:
        """False if an inquiry with this id is already stored. The record and its audit entry are
        one command; a duplicate stops it before the entry (the trail names the record; the body
        itself is kept here, once)."""
        together = Together().insert(self.collection, {"version": 0, **record})
        self.audit.changed_with(
            together, "inquiry", None, {key: record.get(key) for key in AUDITED_FIELDS} | {"_id": record["_id"]}
        )
        try:
            together.send()
        except DuplicateKeyError:
            return False
        return True

    def get_many(self, inquiry_ids: Collection[str]) -> dict[str, Record]:
        """{id: record} for those of ``inquiry_ids`` stored, in one command."""
        if not inquiry_ids:
            return {}
        return {r["_id"]: r for r in self.collection.find({"_id": {"$in": list(inquiry_ids)}})}

    def add_many(self, records: list[Record]) -> set[str]:
        """Insert new records in one command; returns the ids stored by someone else meanwhile
        (a concurrent submission of the same message), which were not written."""
        if not records:
            return set()
        taken: set[str] = set()
        try:
            self.collection.insert_many(records, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise
            taken = {records[e["index"]]["_id"] for e in errors}
        self.audit.changed_many(
            "inquiry",
            [
                (None, {key: r.get(key) for key in AUDITED_FIELDS} | {"_id": r["_id"]})
                for r in records
                if r["_id"] not in taken
            ],
        )
        return taken

    def mark_announced(self, inquiry_id: str) -> None:
        self.collection.update_one({"_id": inquiry_id}, {"$set": {"announced": True, "unconfirmed_epoch": None}})

    def mark_unannounced(self, record: Record) -> None:
        """Just stored as announced but its publish failed: left to the outbox (``unannounced``). A
        whole-document write (``$set`` would keep the flag as 0 on the embedded store), of the
        version stored; one linked meanwhile was announced after all."""
        stored = {"version": 0, **record}
        unannounced = {**stored, "announced": False, "unconfirmed_epoch": None}
        self.collection.replace_one({"_id": record["_id"], "version": stored["version"]}, unannounced)

    def mark_many_announced(self, inquiry_ids: Collection[str]) -> None:
        if inquiry_ids:
            self.collection.update_many({"_id": {"$in": list(inquiry_ids)}}, {"$set": {"announced": True}})

    def unannounced(self, older_than: datetime, limit: int) -> list[Record]:
        """Up to ``limit`` accepted inquiries not announced yet, received before ``older_than``,
        oldest first. Few are ever pending (the outbox), so the index on "announced" finds them and
        their age is told here: no index serves a range over a datetime on the embedded store
        (``services.runtime.document_store``)."""
        pending = self.collection.find({"announced": False, "status": "accepted"}).sort("received_at", ASCENDING)
        return list(takewhile(lambda record: record["received_at"] < older_than, pending.limit(limit)))

    def unconfirmed(self, announced_before: datetime, limit: int) -> list[Record]:
        """Up to ``limit`` inquiries announced (as stored) before ``announced_before`` for which no
        customer was filed since: an index range on ``unconfirmed_epoch`` (set while unconfirmed)."""
        return list(self.collection.find({"unconfirmed_epoch": {"$lte": epoch(announced_before)}}).limit(limit))

    def mark_confirmed(self, inquiry_ids: Collection[str]) -> None:
        """Announced again after going unconfirmed: not again (one command for them all)."""
        if inquiry_ids:
            self.collection.update_many({"_id": {"$in": list(inquiry_ids)}}, {"$set": {"unconfirmed_epoch": None}})

    def link_customer(self, inquiry_id: str, customer_id: str, filed_as: str | None = None) -> bool:
        """Link a record to the customer filed for it, if it has none yet, with its audit entry: one
        command. ``filed_as``: created, flagged or merged (what profile made of it), kept with the
        link; the link confirms the announcement. False when nothing was linked (linked before:
        a redelivery), and the entry sent with it is taken back (one more command, only then)."""
        change = {"customer_id": customer_id, "unconfirmed_epoch": None} | ({"filed_as": filed_as} if filed_as else {})
        together = Together().update(
            self.collection, {"_id": inquiry_id, "customer_id": None}, {"$set": change}, guarded=True
        )
        before = {"_id": inquiry_id, "customer_id": None}
        entry_id = self.audit.changed_with(together, "inquiry", before, {**before, "customer_id": customer_id})
        [linked] = together.send()
        if not linked and entry_id is not None:
            self.audit.withdraw(entry_id)
        return linked

    def rejected(self, ids: Iterable[str] | None, limit: int) -> list[Record]:
        """Rejected inquiries: these ids, or the oldest ``limit``."""
        query = {"status": "rejected", **({"_id": {"$in": list(ids)}} if ids else {})}
        return list(self.collection.find(query).sort("received_at", ASCENDING).limit(limit))

    def replace_rejected(self, record: Record, before: Record) -> bool:
        """Write a replayed record, its version moved on, if it is still the rejected one read (a
        whole-document write). A record never replayed has no version (None matches its absence)."""
        guard = {"_id": before["_id"], "status": "rejected", "version": before.get("version")}
        replaced = self.collection.replace_one(guard, moved_on(record, before)).matched_count == 1
        if replaced:
            self.audit.changed(
                "inquiry",
                {k: before.get(k) for k in ("_id", "status", "errors")},
                {k: record.get(k) for k in ("_id", "status", "errors")},
            )
        return replaced

    def relink_customer(self, from_customer: str, to_customer: str) -> None:
        self.collection.update_many({"customer_id": from_customer}, {"$set": {"customer_id": to_customer}})

    def page(
        self,
        status: str | None = None,
        channel: str | None = None,
        external_id: str | None = None,
        submitted_by: str | None = None,
        ids: Iterable[str] | None = None,
        limit: int = 50,
        offset: int = 0,
        sort: str = "-received_at",
    ) -> tuple[list[Record], int]:
        query: dict[str, Any] = {"_id": {"$in": list(ids)}} if ids else {}
        if status:
            query["status"] = status
        if channel:
            query["inquiry.channel"] = channel
        if external_id:
            query["external_id"] = external_id
        if submitted_by:
            query["submitted_by"] = submitted_by
        total = count(self.collection, query)
        cursor = self.collection.find(query).sort([sort_spec(sort), ("_id", ASCENDING)]).skip(offset).limit(limit)
        return list(cursor), total
