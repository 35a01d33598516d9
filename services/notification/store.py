"""Where notification keeps reminders and what it knows of each customer's follow-up, indexed by
whom they are for, what they are about and when they fire.

The firing loops ask "what is due?" with an index range on ``wake_epoch`` (whole epoch seconds,
set only while a document waits: a pending reminder's fire time, a pending delivery's next
attempt, a pending digest's hour) and "whose lease ran out?" on ``lease_epoch`` (set only while
leased). On the embedded document store a datetime range is compared through SQL's datetime()
of a JSON fallback expression no index serves, and equality under a compound index's leading
field is not index-backed either; an integer range on a field that is null once done touches
only what is due, however many reminders are stored (bench/reminder_firing.py measures it).
"""

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.notification.domain import Document
from services.runtime.audit import Store
from services.runtime.directory import KeptPeople
from services.runtime.document_store import count, epoch, guarded_replace, moved_on
from services.runtime.mongo import insert_once

OPEN = ["pending", "firing", "fired"]
DUPLICATE_KEY_CODES = (11000, 11001)


class Schedule(Store):
    """Documents that wait for a time (``pending`` until ``wake_field``) and are then leased
    (``busy_status`` until ``lease_until``): reminders, deliveries, digests. Every write replaces
    the whole document, guarded by its version where it must not race."""

    def __init__(self, collection: Any, wake_field: str, busy_status: str):
        self.collection, self.wake_field, self.busy_status = collection, wake_field, busy_status

    def ensure_indexes(self) -> None:
        self.collection.create_index([("wake_epoch", ASCENDING)])
        self.collection.create_index([("lease_epoch", ASCENDING)])

    def get(self, doc_id: str) -> Document | None:
        return self.collection.find_one({"_id": doc_id})

    def add(self, doc: Document) -> tuple[Document, bool]:
        """(stored document, inserted?): this one, or the one stored first under the same id."""
        return insert_once(self.collection, self._keyed(doc))

    def add_all(self, docs: list[Document]) -> set[str]:
        """Insert ``docs`` (keyed as ``add`` keys them) in one command; the ids of those already
        stored under the same id, which were not written."""
        keyed = [{"version": 0, **self._keyed(doc)} for doc in docs]
        if not keyed:
            return set()
        try:
            self.collection.insert_many(keyed, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") not in DUPLICATE_KEY_CODES for e in errors):
                raise
            return {keyed[e["index"]]["_id"] for e in errors}
        return set()

    def add_many(self, docs: Iterable[Document]) -> None:
        """New documents in bulk (a bench's or an import's load), keyed as ``add`` keys them."""
        self.collection.insert_many([{"version": 0, **self._keyed(doc)} for doc in docs], ordered=False)

    def replace(self, doc: Document, before: Document) -> bool:
        """False when another writer changed it since ``before`` was read (the caller re-reads);
        the write moves the version on."""
        return guarded_replace(self.collection, self._keyed(doc), before)

    def due(self, now: datetime, limit: int) -> list[Document]:
        """Pending documents whose time has come, oldest first: an index range, no scan."""
        return list(
            self.collection.find({"wake_epoch": {"$lte": epoch(now)}, "status": "pending"})
            .sort("wake_epoch", ASCENDING)
            .limit(limit)
        )

    def stale(self, now: datetime, limit: int) -> list[Document]:
        """Documents an instance leased and did not finish (it died): their lease ran out."""
        return list(
            self.collection.find({"lease_epoch": {"$lte": epoch(now)}, "status": self.busy_status}).limit(limit)
        )

    def _keyed(self, doc):
        """``doc`` with its query keys: ``wake_epoch`` while pending, ``lease_epoch`` while leased."""
        status = doc.get("status")
        return {
            **doc,
            "wake_epoch": epoch(doc.get(self.wake_field)) if status == "pending" else None,
            "lease_epoch": epoch(doc.get("lease_until")) if status == self.busy_status else None,
        }


class Reminders(Schedule):
    def __init__(self, db: Any):
        super().__init__(db.reminders, "fire_at", "firing")
        self.followed = db.followed_customers  # per customer: name, owner, grades, stage, last contact

    def replace(self, doc: Document, before: Document) -> bool:
        replaced = super().replace(doc, before)
        if replaced and self.audit.actor is not None:  # what people do (snooze, done); firing is bookkeeping
            self.audit.changed("reminder", before, moved_on(doc, before))
        return replaced

    def ensure_indexes(self) -> None:
        super().ensure_indexes()
        for field in ("user_id", "customer_id", "subject_id"):
            self.collection.create_index([(field, ASCENDING)])

    def open_for_customer(self, customer_id: str) -> list[Document]:
        return list(self.collection.find({"customer_id": customer_id, "status": {"$in": OPEN}}))

    def open_of_users(self, user_ids: Collection[str], kinds: Iterable[str]) -> list[Document]:
        """Open reminders of these kinds for these people (a manager's team summary)."""
        if not user_ids:
            return []
        return list(
            self.collection.find(
                {"user_id": {"$in": list(user_ids)}, "status": {"$in": OPEN}, "kind": {"$in": list(kinds)}}
            )
        )

    def open_about(self, subject_id: str) -> list[Document]:
        return list(self.collection.find({"subject_id": subject_id, "status": {"$in": OPEN}}))

    def page_for(
        self,
        user_id: str,
        statuses: Iterable[str],
        limit: int = 50,
        offset: int = 0,
        kind: str | None = None,
        customer_id: str | None = None,
    ) -> tuple[list[Document], int]:
        query = {"user_id": user_id, "status": {"$in": list(statuses)}}
        if kind:
            query["kind"] = kind
        if customer_id:
            query["customer_id"] = customer_id
        total = count(self.collection, query)
        cursor = self.collection.find(query).sort("due_at", ASCENDING).skip(offset).limit(limit)
        return list(cursor), total

    # what notification knows of each customer's follow-up
    def followed_customer(self, customer_id: str) -> Document | None:
        return self.followed.find_one({"_id": customer_id})

    def add_followed_customer(self, doc: Document) -> tuple[Document, bool]:
        """(stored document, inserted?): ``doc``, or the one another handler stored first."""
        return insert_once(self.followed, doc)

    def name_followed_customer(self, customer_id: str, company: str | None) -> bool:
        """The company name an archive was opened with, kept unless one of profile's updates (which
        carry the name as it is now: ``profile_version`` 0 or more) was kept first; a customer not
        followed yet starts followed with it. One command, nothing read; False when not kept."""
        try:
            self.followed.update_one(
                {"_id": customer_id, "profile_version": {"$lt": 0}},
                {
                    "$set": {"company": company},
                    "$inc": {"version": 1},
                    "$setOnInsert": {"customer_id": customer_id, "profile_version": -1},
                },
                upsert=True,
            )
        except DuplicateKeyError:  # followed, with an update kept: its name stands
            return False
        return True

    def assign_followed_owner(self, customer_id: str, owner_id: str | None) -> Document | None:
        """Make ``owner_id`` the followed customer's owner (a stall noticed before is over), moving
        its version on, in one command; the document as it was before (None: not followed yet,
        nothing written)."""
        return self.followed.find_one_and_update(
            {"_id": customer_id},
            {"$set": {"owner_id": owner_id, "stall_noticed": False}, "$inc": {"version": 1}},
        )

    def note_allocation_stalled(self, customer_id: str) -> None:
        """Nobody could take the customer: a manager's notice may be open until it is allocated."""
        self.followed.update_one(
            {"_id": customer_id},
            {
                "$set": {"stall_noticed": True},
                "$inc": {"version": 1},
                "$setOnInsert": {"customer_id": customer_id, "profile_version": -1},
            },
            upsert=True,
        )

    def replace_followed_customer(self, doc: Document, before: Document) -> bool:
        return guarded_replace(self.followed, doc, before)

    def forget_customer(self, customer_id: str) -> None:
        self.followed.delete_one({"_id": customer_id})

    def customer_names(self, customer_ids: Iterable[str | None]) -> dict[str, str | None]:
        """{customer id: company name} of the followed customers among ``customer_ids``, in one
        query by id (a page of reminders or inbox entries, a firing batch); unknown ones are left out."""
        ids = sorted({customer_id for customer_id in customer_ids if customer_id})
        if not ids:
            return {}
        return {doc["_id"]: doc.get("company") for doc in self.followed.find({"_id": {"$in": ids}}, {"company": 1})}


class Outbox:
    """What went out: notices (fired reminders and digests), their deliveries per channel with
    every attempt, the digests waiting for their hour, and each person's in-app inbox."""

    def __init__(self, db: Any):
        self.notices = db.notices
        self.deliveries = Schedule(db.deliveries, "next_attempt_at", "sending")
        self.digests = Schedule(db.digests, "due_at", "sending")
        self.inbox = db.inbox

    def ensure_indexes(self) -> None:
        self.notices.create_index([("digest_id", ASCENDING)])
        self.deliveries.ensure_indexes()
        self.deliveries.collection.create_index([("user_id", ASCENDING)])
        self.deliveries.collection.create_index([("created_at", ASCENDING)])
        self.digests.ensure_indexes()
        self.inbox.create_index([("user_id", ASCENDING)])
        self.inbox.create_index([("group_id", ASCENDING)])

    # notices
    def add_notice(self, notice: Document) -> tuple[Document, bool]:
        return insert_once(self.notices, notice)

    def notice(self, notice_id: str) -> Document | None:
        return self.notices.find_one({"_id": notice_id})

    def notices_in(self, digest_id: str) -> list[Document]:
        return list(self.notices.find({"digest_id": digest_id}).sort("fired_at", ASCENDING))

    # deliveries (self.deliveries) and digests (self.digests) are Schedules
    def page_of_deliveries(
        self, limit: int, offset: int, user_id: str | None = None, status: str | None = None, channel: str | None = None
    ) -> tuple[list[Document], int]:
        query = {k: v for k, v in (("user_id", user_id), ("status", status), ("channel", channel)) if v}
        total = count(self.deliveries.collection, query)
        cursor = self.deliveries.collection.find(query).sort("created_at", DESCENDING).skip(offset).limit(limit)
        return list(cursor), total

    # the in-app inbox
    def file_in_inbox(self, entry: Document) -> Document:
        return insert_once(self.inbox, {**entry, "version": 0})[0]

    def inbox_entry(self, entry_id: str) -> Document | None:
        return self.inbox.find_one({"_id": entry_id})

    def replace_inbox_entry(self, entry: Document, before: Document) -> bool:
        """False when another writer (a digest's filing) changed it since ``before`` was read; the
        write moves the version on. Entries filed before they had a version are matched as such."""
        if "version" in before:
            return guarded_replace(self.inbox, entry, before)
        unversioned = {"_id": before["_id"], "version": {"$exists": False}}
        return self.inbox.replace_one(unversioned, moved_on(entry, before)).matched_count == 1

    def inbox_members(self, group_id: str) -> list[Document]:
        """The inbox entries of a digest's window (its kind, person and window), oldest first."""
        return list(self.inbox.find({"group_id": group_id}).sort("fired_at", ASCENDING))

    def save_inbox_digest(self, digest: Document, stored: Document | None) -> bool:
        """False when another filing changed it since ``stored`` was read (the caller re-reads)."""
        if stored is None:
            return insert_once(self.inbox, {**digest, "version": 0})[1]
        return guarded_replace(self.inbox, digest, stored)

    def mark_grouped(self, entry_ids: Iterable[str], group_id: str) -> None:
        """Entries a digest stands for: left out of the inbox's list, listed under the digest."""
        self.inbox.update_many({"_id": {"$in": list(entry_ids)}}, {"$set": {"grouped_in": group_id}})

    def inbox_page(
        self, user_id: str, unread_only: bool, limit: int, offset: int, digest: str | None = None
    ) -> tuple[list[Document], int]:
        """``digest``: the entries that digest stands for; otherwise the inbox as shown, each
        digest in place of its entries."""
        query: Document = {"user_id": user_id, "grouped_in": digest}
        if unread_only:
            query["read"] = False
        total = count(self.inbox, query)
        cursor = self.inbox.find(query).sort("fired_at", DESCENDING).skip(offset).limit(limit)
        return list(cursor), total


class Recipients(KeptPeople, Store):
    """Each person's notification preferences (time zone, quiet hours, digest, channels, addresses),
    and what the user directory says of them (role, department, team: who manages whom)."""

    def __init__(self, db: Any):
        self.preferences = db.preferences
        self.people = db.people

    def ensure_indexes(self) -> None:
        self.people.create_index([("department", ASCENDING)])  # preferences: read by _id only

    def managers_in(self, department: str) -> list[tuple[str, str | None]]:
        """(user id, team) of the department's active managers."""
        return [
            (p["_id"], p["team"])
            for p in self.people.find({"department": department})
            if p["role"] == "manager" and p["active"]
        ]

    def active_managers(self) -> list[Document]:
        """The directory's active managers ({_id, department, team})."""
        return [p for p in self.people.find({"role": "manager"}) if p["active"]]

    def people_in(self, department: str) -> list[Document]:
        """What the user directory says of the department's people ({_id, role, team, active})."""
        return list(self.people.find({"department": department}))

    def stored(self, user_id: str) -> Document | None:
        return self.preferences.find_one({"_id": user_id})

    def add(self, doc: Document) -> tuple[Document, bool]:
        stored, added = insert_once(self.preferences, doc)
        if added:
            self.audit.changed("preferences", None, stored)
        return stored, added

    def replace(self, doc: Document, before: Document) -> bool:
        replaced = guarded_replace(self.preferences, doc, before)
        if replaced:
            self.audit.changed("preferences", before, moved_on(doc, before))
        return replaced
