"""Where notification keeps reminders and what it knows of each customer's follow-up, indexed by
whom they are for, what they are about and when they fire."""
from pymongo import ASCENDING

from services.runtime.mongo import insert_once

OPEN = ["pending", "firing", "fired"]


class Reminders:
    def __init__(self, db):
        self.collection = db.reminders

    def ensure_indexes(self):
        self.collection.create_index([("user_id", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING)])
        self.collection.create_index([("status", ASCENDING), ("due_at", ASCENDING)])
        self.collection.create_index([("customer_id", ASCENDING)])
        self.collection.create_index([("subject_id", ASCENDING)])

    # reminders
    def get(self, reminder_id):
        return self.collection.find_one({"_id": reminder_id})

    def add(self, reminder):
        """(stored reminder, inserted?): this one, or the one scheduled first under the same id."""
        return insert_once(self.collection, reminder)

    def replace(self, reminder, expected_version):
        """False when another writer changed it first (the caller re-reads and decides again)."""
        return self.collection.replace_one({"_id": reminder["_id"], "version": expected_version},
                                           reminder).matched_count == 1

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

