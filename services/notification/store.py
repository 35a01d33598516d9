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

from pymongo import ASCENDING, DESCENDING

from services.runtime.audit import Store
from services.runtime.directory import KeptPeople
from services.runtime.document_store import count
from services.runtime.mongo import insert_once

OPEN = ["pending", "firing", "fired"]


def epoch(moment):
    return int(moment.timestamp()) if moment is not None else None


class Schedule(Store):
    """Documents that wait for a time (``pending`` until ``wake_field``) and are then leased
    (``busy_status`` until ``lease_until``): reminders, deliveries, digests. Every write replaces
    the whole document, guarded by its version where it must not race."""

    def __init__(self, collection, wake_field, busy_status):
        self.collection, self.wake_field, self.busy_status = collection, wake_field, busy_status

    def ensure_indexes(self):
        self.collection.create_index([("wake_epoch", ASCENDING)])
        self.collection.create_index([("lease_epoch", ASCENDING)])

    def get(self, doc_id):
        return self.collection.find_one({"_id": doc_id})

    def add(self, doc):
        """(stored document, inserted?): this one, or the one stored first under the same id."""
        return insert_once(self.collection, self._keyed(doc))

    def add_many(self, docs):
        """New documents in bulk (a bench's or an import's load), keyed as ``add`` keys them."""
        self.collection.insert_many([self._keyed(doc) for doc in docs], ordered=False)

    def replace(self, doc, before):
        """False when another writer changed it since ``before`` was read (the caller re-reads)."""
        return (
            self.collection.replace_one(
                {"_id": doc["_id"], "version": before["version"]}, self._keyed(doc)
            ).matched_count
            == 1
        )

    def due(self, now, limit):
        """Pending documents whose time has come, oldest first: an index range, no scan."""
        return list(
            self.collection.find({"wake_epoch": {"$lte": epoch(now)}, "status": "pending"})
            .sort("wake_epoch", ASCENDING)
            .limit(limit)
        )

    def stale(self, now, limit):
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
    def __init__(self, db):
        super().__init__(db.reminders, "fire_at", "firing")
        self.followed = db.followed_customers  # per customer: name, owner, grades, stage, last contact

    def replace(self, doc, before):
        replaced = super().replace(doc, before)
        if replaced and self.audit.actor is not None:  # what people do (snooze, done); firing is bookkeeping
            self.audit.changed("reminder", before, doc)
        return replaced

    def ensure_indexes(self):
        super().ensure_indexes()
        for field in ("user_id", "customer_id", "subject_id"):
            self.collection.create_index([(field, ASCENDING)])

    def open_for_customer(self, customer_id):
        return list(self.collection.find({"customer_id": customer_id, "status": {"$in": OPEN}}))

    def open_of_users(self, user_ids, kinds):
        """Open reminders of these kinds for these people (a manager's team summary)."""
        if not user_ids:
            return []
        return list(
            self.collection.find(
                {"user_id": {"$in": list(user_ids)}, "status": {"$in": OPEN}, "kind": {"$in": list(kinds)}}
            )
        )

    def open_about(self, subject_id):
        return list(self.collection.find({"subject_id": subject_id, "status": {"$in": OPEN}}))

    def page_for(self, user_id, statuses, limit=50, offset=0, kind=None, customer_id=None):
        query = {"user_id": user_id, "status": {"$in": list(statuses)}}
        if kind:
            query["kind"] = kind
        if customer_id:
            query["customer_id"] = customer_id
        total = count(self.collection, query)
        cursor = self.collection.find(query).sort("due_at", ASCENDING).skip(offset).limit(limit)
        return list(cursor), total

    # what notification knows of each customer's follow-up
    def followed_customer(self, customer_id):
        return self.followed.find_one({"_id": customer_id})

    def add_followed_customer(self, doc):
        return insert_once(self.followed, doc)[0]

    def replace_followed_customer(self, doc, before):
        return self.followed.replace_one({"_id": doc["_id"], "version": before["version"]}, doc).matched_count == 1

    def forget_customer(self, customer_id):
        self.followed.delete_one({"_id": customer_id})

    def customer_names(self, customer_ids):
        """{customer id: company name} of the followed customers among ``customer_ids``, in one
        query by id (a page of reminders or inbox entries, a firing batch); unknown ones are left out."""
        ids = sorted({customer_id for customer_id in customer_ids if customer_id})
        if not ids:
            return {}
        return {doc["_id"]: doc.get("company") for doc in self.followed.find({"_id": {"$in": ids}}, {"company": 1})}


class Outbox:
    """What went out: notices (fired reminders and digests), their deliveries per channel with
    every attempt, the digests waiting for their hour, and each person's in-app inbox."""

    def __init__(self, db):
        self.notices = db.notices
        self.deliveries = Schedule(db.deliveries, "next_attempt_at", "sending")
        self.digests = Schedule(db.digests, "due_at", "sending")
        self.inbox = db.inbox

    def ensure_indexes(self):
        self.notices.create_index([("digest_id", ASCENDING)])
        self.deliveries.ensure_indexes()
        self.deliveries.collection.create_index([("user_id", ASCENDING)])
        self.deliveries.collection.create_index([("created_at", ASCENDING)])
        self.digests.ensure_indexes()
        self.inbox.create_index([("user_id", ASCENDING)])
        self.inbox.create_index([("group_id", ASCENDING)])

    # notices
    def add_notice(self, notice):
        return insert_once(self.notices, notice)

    def notice(self, notice_id):
        return self.notices.find_one({"_id": notice_id})

    def notices_in(self, digest_id):
        return list(self.notices.find({"digest_id": digest_id}).sort("fired_at", ASCENDING))

    # deliveries (self.deliveries) and digests (self.digests) are Schedules
    def page_of_deliveries(self, limit, offset, user_id=None, status=None, channel=None):
        query = {k: v for k, v in (("user_id", user_id), ("status", status), ("channel", channel)) if v}
        total = count(self.deliveries.collection, query)
        cursor = self.deliveries.collection.find(query).sort("created_at", DESCENDING).skip(offset).limit(limit)
        return list(cursor), total

    # the in-app inbox
    def file_in_inbox(self, entry):
        return insert_once(self.inbox, entry)[0]

    def inbox_entry(self, entry_id):
        return self.inbox.find_one({"_id": entry_id})

    def replace_inbox_entry(self, entry):
        self.inbox.replace_one({"_id": entry["_id"]}, entry)

    def inbox_members(self, group_id):
        """The inbox entries of a digest's window (its kind, person and window), oldest first."""
        return list(self.inbox.find({"group_id": group_id}).sort("fired_at", ASCENDING))

    def save_inbox_digest(self, digest, stored):
        """False when another filing changed it since ``stored`` was read (the caller re-reads)."""
        if stored is None:
            return insert_once(self.inbox, digest)[1]
        return self.inbox.replace_one({"_id": digest["_id"], "version": stored["version"]}, digest).matched_count == 1

    def mark_grouped(self, entry_ids, group_id):
        """Entries a digest stands for: left out of the inbox's list, listed under the digest."""
        self.inbox.update_many({"_id": {"$in": list(entry_ids)}}, {"$set": {"grouped_in": group_id}})

    def inbox_page(self, user_id, unread_only, limit, offset, digest=None):
        """``digest``: the entries that digest stands for; otherwise the inbox as shown, each
        digest in place of its entries."""
        query = {"user_id": user_id, "grouped_in": digest}
        if unread_only:
            query["read"] = False
        total = count(self.inbox, query)
        cursor = self.inbox.find(query).sort("fired_at", DESCENDING).skip(offset).limit(limit)
        return list(cursor), total


class Recipients(KeptPeople, Store):
    """Each person's notification preferences (time zone, quiet hours, digest, channels, addresses),
    and what the user directory says of them (role, department, team: who manages whom)."""

    def __init__(self, db):
        self.preferences = db.preferences
        self.people = db.people

    def ensure_indexes(self):
        self.people.create_index([("department", ASCENDING)])  # preferences: read by _id only

    def managers_in(self, department):
        """(user id, team) of the department's active managers."""
        return [
            (p["_id"], p["team"])
            for p in self.people.find({"department": department})
            if p["role"] == "manager" and p["active"]
        ]

    def active_managers(self):
        """The directory's active managers ({_id, department, team})."""
        return [p for p in self.people.find({"role": "manager"}) if p["active"]]

    def people_in(self, department):
        """What the user directory says of the department's people ({_id, role, team, active})."""
        return list(self.people.find({"department": department}))

    def stored(self, user_id):
        return self.preferences.find_one({"_id": user_id})

    def add(self, doc):
        stored, added = insert_once(self.preferences, doc)
        if added:
            self.audit.changed("preferences", None, stored)
        return stored, added

    def replace(self, doc, before):
        replaced = (
            self.preferences.replace_one({"_id": doc["_id"], "version": before["version"]}, doc).matched_count == 1
        )
        if replaced:
            self.audit.changed("preferences", before, doc)
        return replaced
