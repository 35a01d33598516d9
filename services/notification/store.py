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

from services.runtime.mongo import insert_once

OPEN = ["pending", "firing", "fired"]


def epoch(moment):
    return int(moment.timestamp()) if moment is not None else None


def _keyed(doc, wake_field, busy_status):
    """``doc`` with its due-query keys: ``wake_epoch`` while pending, ``lease_epoch`` while leased."""
    return {**doc, "wake_epoch": epoch(doc.get(wake_field)) if doc.get("status") == "pending" else None,
            "lease_epoch": epoch(doc.get("lease_until")) if doc.get("status") == busy_status else None}


def _due(collection, now, limit):
    return list(collection.find({"wake_epoch": {"$lte": epoch(now)}, "status": "pending"})
                .sort("wake_epoch", ASCENDING).limit(limit))


def _stale(collection, busy_status, now, limit):
    return list(collection.find({"lease_epoch": {"$lte": epoch(now)}, "status": busy_status}).limit(limit))


class Reminders:
    def __init__(self, db):
        self.collection = db.reminders
        self.followed = db.followed_customers   # per customer: owner, grades, stage, last contact

    def ensure_indexes(self):
        self.collection.create_index([("user_id", ASCENDING)])
        self.collection.create_index([("wake_epoch", ASCENDING)])
        self.collection.create_index([("lease_epoch", ASCENDING)])
        self.collection.create_index([("customer_id", ASCENDING)])
        self.collection.create_index([("subject_id", ASCENDING)])

    # reminders
    def get(self, reminder_id):
        return self.collection.find_one({"_id": reminder_id})

    def add(self, reminder):
        """(stored reminder, inserted?): this one, or the one scheduled first under the same id."""
        return insert_once(self.collection, _keyed(reminder, "fire_at", "firing"))

    def add_many(self, reminders):
        """Store new reminders in bulk (a bench's or an import's load), keyed as ``add`` keys them."""
        self.collection.insert_many([_keyed(r, "fire_at", "firing") for r in reminders], ordered=False)

    def replace(self, reminder, expected_version):
        """False when another writer changed it first (the caller re-reads and decides again)."""
        return self.collection.replace_one({"_id": reminder["_id"], "version": expected_version},
                                           _keyed(reminder, "fire_at", "firing")).matched_count == 1

    def open_for_customer(self, customer_id):
        return list(self.collection.find({"customer_id": customer_id, "status": {"$in": OPEN}}))

    def open_about(self, subject_id):
        return list(self.collection.find({"subject_id": subject_id, "status": {"$in": OPEN}}))

    def page_for(self, user_id, statuses, limit=50, offset=0, kind=None, customer_id=None):
        query = {"user_id": user_id, "status": {"$in": list(statuses)}}
        if kind:
            query["kind"] = kind
        if customer_id:
            query["customer_id"] = customer_id
        total = self.collection.count_documents(query)
        cursor = self.collection.find(query).sort("due_at", ASCENDING).skip(offset).limit(limit)
        return list(cursor), total

    def due(self, now, limit):
        """Pending reminders whose firing time has come, oldest first: an index range, no scan."""
        return _due(self.collection, now, limit)

    def stale_leases(self, now, limit):
        """Reminders an instance began to fire and did not finish (it died): their lease ran out."""
        return _stale(self.collection, "firing", now, limit)

    # what notification knows of each customer's follow-up
    def followed_customer(self, customer_id):
        return self.followed.find_one({"_id": customer_id})

    def add_followed_customer(self, doc):
        return insert_once(self.followed, doc)[0]

    def replace_followed_customer(self, doc, expected_version):
        return self.followed.replace_one({"_id": doc["_id"], "version": expected_version}, doc).matched_count == 1

    def forget_customer(self, customer_id):
        self.followed.delete_one({"_id": customer_id})


class Outbox:
    """What went out: notices (fired reminders and digests), their deliveries per channel with
    every attempt, the digests waiting for their hour, and each person's in-app inbox."""

    def __init__(self, db):
        self.notices = db.notices
        self.deliveries = db.deliveries
        self.digests = db.digests
        self.inbox = db.inbox

    def ensure_indexes(self):
        self.notices.create_index([("digest_id", ASCENDING)])
        self.deliveries.create_index([("wake_epoch", ASCENDING)])
        self.deliveries.create_index([("lease_epoch", ASCENDING)])
        self.deliveries.create_index([("user_id", ASCENDING)])
        self.deliveries.create_index([("created_at", ASCENDING)])
        self.digests.create_index([("wake_epoch", ASCENDING)])
        self.digests.create_index([("lease_epoch", ASCENDING)])
        self.inbox.create_index([("user_id", ASCENDING)])

    # notices
    def add_notice(self, notice):
        return insert_once(self.notices, notice)

    def notice(self, notice_id):
        return self.notices.find_one({"_id": notice_id})

    def notices_in(self, digest_id):
        return list(self.notices.find({"digest_id": digest_id}).sort("fired_at", ASCENDING))

    # deliveries
    def add_delivery(self, delivery):
        return insert_once(self.deliveries, _keyed(delivery, "next_attempt_at", "sending"))

    def delivery(self, delivery_id):
        return self.deliveries.find_one({"_id": delivery_id})

    def replace_delivery(self, delivery, expected_version):
        return self.deliveries.replace_one({"_id": delivery["_id"], "version": expected_version},
                                           _keyed(delivery, "next_attempt_at", "sending")).matched_count == 1

    def deliveries_due(self, now, limit):
        return _due(self.deliveries, now, limit)

    def stale_deliveries(self, now, limit):
        return _stale(self.deliveries, "sending", now, limit)

    def page_of_deliveries(self, limit, offset, user_id=None, status=None, channel=None):
        query = {k: v for k, v in (("user_id", user_id), ("status", status), ("channel", channel)) if v}
        total = self.deliveries.count_documents(query)
        cursor = self.deliveries.find(query).sort("created_at", DESCENDING).skip(offset).limit(limit)
        return list(cursor), total

    # digests
    def add_digest(self, digest):
        return insert_once(self.digests, _keyed(digest, "due_at", "sending"))

    def digest(self, digest_id):
        return self.digests.find_one({"_id": digest_id})

    def replace_digest(self, digest, expected_version):
        return self.digests.replace_one({"_id": digest["_id"], "version": expected_version},
                                        _keyed(digest, "due_at", "sending")).matched_count == 1

    def digests_due(self, now, limit):
        return _due(self.digests, now, limit)

    def stale_digests(self, now, limit):
        return _stale(self.digests, "sending", now, limit)

    # the in-app inbox
    def file_in_inbox(self, entry):
        return insert_once(self.inbox, entry)[0]

    def inbox_entry(self, entry_id):
        return self.inbox.find_one({"_id": entry_id})

    def replace_inbox_entry(self, entry):
        self.inbox.replace_one({"_id": entry["_id"]}, entry)

    def inbox_page(self, user_id, unread_only, limit, offset):
        query = {"user_id": user_id}
        if unread_only:
            query["read"] = False
        total = self.inbox.count_documents(query)
        cursor = self.inbox.find(query).sort("fired_at", DESCENDING).skip(offset).limit(limit)
        return list(cursor), total


class Recipients:
    """Each person's notification preferences (time zone, quiet hours, digest, channels, addresses)."""

    def __init__(self, db):
        self.preferences = db.preferences

    def ensure_indexes(self):
        pass   # read by _id only

    def stored(self, user_id):
        return self.preferences.find_one({"_id": user_id})

    def add(self, doc):
        return insert_once(self.preferences, doc)

    def replace(self, doc, expected_version):
        return self.preferences.replace_one({"_id": doc["_id"], "version": expected_version}, doc).matched_count == 1
