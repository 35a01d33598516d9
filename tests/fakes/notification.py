"""notification's stores (``services.notification.store``: ``Schedule``, ``Reminders``, ``Outbox``,
``Recipients``) in memory, with the methods its application functions call and the same
semantics: insert-once ids, writes guarded by the version read, "due" and "stale" asked of the
whole-second ``wake_epoch`` / ``lease_epoch`` keys the real store keeps on each document.
``tests/unit/test_fake_stores.py`` keeps their methods in step with the real stores'."""

from services.notification.store import OPEN
from services.runtime.document_store import epoch, moved_on
from tests.fakes.documents import Documents, RecordingAudit


class FakeSchedule:
    """Documents that wait for a time (``pending`` until ``wake_field``), then are leased
    (``busy_status`` until ``lease_until``): reminders, deliveries, digests."""

    def __init__(self, name, wake_field, busy_status, audit=None):
        self.collection = Documents(name)
        self.wake_field, self.busy_status = wake_field, busy_status
        self.audit = audit or RecordingAudit()

    def get(self, doc_id):
        return self.collection.find_one(doc_id)

    def add(self, doc):
        return self.collection.insert_once(self._keyed(doc))

    def add_all(self, docs):
        return {doc["_id"] for doc in docs if not self.collection.insert_once(self._keyed(doc))[1]}

    def replace(self, doc, before):
        return self.collection.replace_if(moved_on(self._keyed(doc), before), version=before["version"])

    def due(self, now, limit):
        return self.collection.find(
            lambda doc: (
                doc["status"] == "pending" and doc["wake_epoch"] is not None and doc["wake_epoch"] <= epoch(now)
            ),
            order="wake_epoch",
            limit=limit,
        )

    def stale(self, now, limit):
        return self.collection.find(
            lambda doc: (
                doc["status"] == self.busy_status
                and doc["lease_epoch"] is not None
                and doc["lease_epoch"] <= epoch(now)
            ),
            limit=limit,
        )

    def all(self):
        return self.collection.find(order="_id")

    def _keyed(self, doc):
        status = doc.get("status")
        return {
            **doc,
            "wake_epoch": epoch(doc.get(self.wake_field)) if status == "pending" else None,
            "lease_epoch": epoch(doc.get("lease_until")) if status == self.busy_status else None,
        }


class FakeReminders(FakeSchedule):
    def __init__(self, audit=None):
        super().__init__("reminders", "fire_at", "firing", audit)
        self.followed = Documents("followed_customers")

    def replace(self, doc, before):
        replaced = super().replace(doc, before)
        if replaced and self.audit.actor is not None:
            self.audit.changed("reminder", before, moved_on(doc, before))
        return replaced

    def open_for_customer(self, customer_id):
        return self.collection.find(lambda doc: doc["customer_id"] == customer_id and doc["status"] in OPEN)

    def open_of_users(self, user_ids, kinds):
        if not user_ids:
            return []
        return self.collection.find(
            lambda doc: doc["user_id"] in user_ids and doc["status"] in OPEN and doc["kind"] in kinds
        )

    def open_about(self, subject_id):
        return self.collection.find(lambda doc: doc.get("subject_id") == subject_id and doc["status"] in OPEN)

    def followed_customer(self, customer_id):
        return self.followed.find_one(customer_id)

    def add_followed_customer(self, doc):
        return self.followed.insert_once(doc)

    def name_followed_customer(self, customer_id, company):
        stored = self.followed.find_one(customer_id)
        if stored is None:
            self.followed.insert_once(
                {
                    "_id": customer_id,
                    "version": 1,
                    "customer_id": customer_id,
                    "company": company,
                    "profile_version": -1,
                }
            )
            return True
        if stored.get("profile_version", -1) >= 0:
            return False
        self.followed.put({**stored, "company": company, "version": stored["version"] + 1})
        return True

    def assign_followed_owner(self, customer_id, owner_id):
        stored = self.followed.find_one(customer_id)
        if stored is not None:
            self.followed.put(
                {**stored, "owner_id": owner_id, "stall_noticed": False, "version": stored["version"] + 1}
            )
        return stored

    def note_allocation_stalled(self, customer_id):
        stored = self.followed.find_one(customer_id)
        if stored is None:
            self.followed.insert_once(
                {
                    "_id": customer_id,
                    "version": 1,
                    "customer_id": customer_id,
                    "profile_version": -1,
                    "stall_noticed": True,
                }
            )
        else:
            self.followed.put({**stored, "stall_noticed": True, "version": stored["version"] + 1})

    def replace_followed_customer(self, doc, before):
        return self.followed.replace_if(moved_on(doc, before), version=before["version"])

    def forget_customer(self, customer_id):
        self.followed.delete(customer_id)

    def customer_names(self, customer_ids):
        ids = {customer_id for customer_id in customer_ids if customer_id}
        return {doc["_id"]: doc.get("company") for doc in self.followed.find(lambda doc: doc["_id"] in ids)}


class FakeOutbox:
    """Notices, their deliveries, the digests waiting for their hour, and the in-app inbox."""

    def __init__(self):
        self.notices = Documents("notices")
        self.deliveries = FakeSchedule("deliveries", "next_attempt_at", "sending")
        self.digests = FakeSchedule("digests", "due_at", "sending")
        self.inbox = Documents("inbox")

    # notices
    def add_notice(self, notice):
        return self.notices.insert_once(notice)

    def notice(self, notice_id):
        return self.notices.find_one(notice_id)

    def notices_in(self, digest_id):
        return self.notices.find(lambda doc: doc.get("digest_id") == digest_id, order="fired_at")

    # the in-app inbox
    def file_in_inbox(self, entry):
        return self.inbox.insert_once({**entry, "version": 0})[0]

    def inbox_entry(self, entry_id):
        return self.inbox.find_one(entry_id)

    def replace_inbox_entry(self, entry, before):
        return self.inbox.replace_if(moved_on(entry, before), version=before.get("version"))

    def inbox_members(self, group_id):
        return self.inbox.find(lambda doc: doc.get("group_id") == group_id, order="fired_at")

    def save_inbox_digest(self, digest, stored):
        if stored is None:
            return self.inbox.insert_once({**digest, "version": 0})[1]
        return self.inbox.replace_if(moved_on(digest, stored), version=stored["version"])

    def mark_grouped(self, entry_ids, group_id):
        self.inbox.update_field(entry_ids, "grouped_in", group_id)

    def inbox_page(self, user_id, unread_only, limit, offset, digest=None):
        found = self.inbox.find(
            lambda doc: (
                doc["user_id"] == user_id
                and doc.get("grouped_in") == digest
                and (not unread_only or doc["read"] is False)
            ),
            order="fired_at",
            descending=True,
        )
        return found[offset : offset + limit], len(found)


class FakeRecipients:
    """Preferences, and what the user directory says of each person."""

    def __init__(self, audit=None):
        self.audit = audit or RecordingAudit()
        self.preferences = Documents("preferences")
        self.people = Documents("people")

    def managers_in(self, department):
        return [
            (p["_id"], p["team"])
            for p in self.people.find(lambda doc: doc.get("department") == department)
            if p["role"] == "manager" and p["active"]
        ]

    def active_managers(self):
        return self.people.find(lambda doc: doc.get("role") == "manager" and doc["active"])

    def people_in(self, department):
        return self.people.find(lambda doc: doc.get("department") == department)

    def stored(self, user_id):
        return self.preferences.find_one(user_id)

    def add(self, doc):
        stored, added = self.preferences.insert_once(doc)
        if added:
            self.audit.changed("preferences", None, stored)
        return stored, added

    def replace(self, doc, before):
        replaced = self.preferences.replace_if(moved_on(doc, before), version=before["version"])
        if replaced:
            self.audit.changed("preferences", before, moved_on(doc, before))
        return replaced

    # the users notification keeps (services.runtime.directory.KeptPeople)
    def person(self, user_id):
        return self.people.find_one(user_id)

    def add_person(self, person):
        return self.people.insert_once(person)

    def replace_person(self, person, before):
        return self.people.replace_if(person, user_version=before["user_version"])
