"""Where notification keeps reminders, indexed by whom they are for and when they are due."""
from pymongo import ASCENDING

from services.runtime.mongo import insert_once


class Reminders:
    def __init__(self, db):
        self.collection = db.reminders

    def ensure_indexes(self):
        self.collection.create_index([("user_id", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING)])
        self.collection.create_index([("status", ASCENDING), ("due_at", ASCENDING)])

    def schedule(self, reminder):
        """The stored reminder: this one, or the one scheduled first under the same id."""
        return insert_once(self.collection, reminder)[0]

    def complete(self, reminder_id, at):
        """Mark a pending reminder done (a whole-document write: the embedded store's $set
        would turn the datetime into a string). Nothing happens if it is not pending."""
        reminder = self.collection.find_one({"_id": reminder_id, "status": "pending"})
        if reminder is not None:
            self.collection.replace_one({"_id": reminder_id, "status": "pending"},
                                        {**reminder, "status": "done", "done_at": at})

    def page_for(self, user_id, status, limit=50, offset=0):
        query = {"user_id": user_id, "status": status}
        total = self.collection.count_documents(query)
        cursor = self.collection.find(query).sort("due_at", ASCENDING).skip(offset).limit(limit)
        return list(cursor), total
