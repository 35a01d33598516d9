"""Where intake keeps every inquiry it received, accepted or rejected."""

from collections.abc import Collection, Iterable
from datetime import datetime
from itertools import takewhile
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError

from contracts.paging import sort_spec
from services.runtime.audit import Store
from services.runtime.document_store import count, moved_on
from services.runtime.mongo import insert_once

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

    def get(self, inquiry_id: str) -> Record | None:
        return self.collection.find_one({"_id": inquiry_id})

    def add(self, record: Record) -> bool:
        """False if an inquiry with this id is already stored."""
        added = insert_once(self.collection, record)[1]
        if added:  # the trail names the record; the body itself is kept here, once
            self.audit.changed(
                "inquiry", None, {key: record.get(key) for key in AUDITED_FIELDS} | {"_id": record["_id"]}
            )
        return added

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
        self.collection.update_one({"_id": inquiry_id}, {"$set": {"announced": True}})

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

    def link_customer(self, inquiry_id: str, customer_id: str, filed_as: str | None = None) -> None:
        """``filed_as``: created, flagged or merged (what profile made of it), kept with the link."""
        change = {"customer_id": customer_id} | ({"filed_as": filed_as} if filed_as else {})
        before = self.collection.find_one_and_update(
            {"_id": inquiry_id}, {"$set": change}, projection={"customer_id": 1}
        )
        if before is not None:
            self.audit.changed("inquiry", before, {**before, "customer_id": customer_id})

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
