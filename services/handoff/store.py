"""Where handoff keeps handoffs, refused submissions, agreed requirements, started steps, audits
and its schedules.

Every change replaces a whole document under a version guard (``services.runtime.guarded``):
the embedded store has no transactions, and ``$set`` would not keep datetimes as datetimes. Array
fields (receivers, those still to sign) are matched with ``$in``: equality on an indexed array
matches nothing there. Periods are closed at both ends: the embedded store compares datetimes in
whole seconds, so ``$lt`` misses what happened earlier in the same second.
"""

from pymongo import ASCENDING, DESCENDING

from services.handoff.domain.handoffs import INFO_PENDING
from services.runtime.audit import Store
from services.runtime.directory import KeptPeople
from services.runtime.document_store import count
from services.runtime.guarded import change_guarded, replacing, take_turn
from services.runtime.mongo import insert_once

MEASURED_AT_MOST = 100_000  # handoffs read for one measures request


class Handoffs(KeptPeople, Store):
    def __init__(self, db):
        self.handoffs = db.handoffs
        self.refusals = db.refused_handoffs  # submissions refused by their checklist (measures)
        self.registers = db.agreed_requirements  # one per customer: agreed fields and their changes
        self.steps = db.started_steps  # one per customer and step
        self.transfers = db.open_transfers  # one per customer: the handoff that may change its owner
        self.schedules = db.audit_schedules  # one per person audited
        self.audits = db.audits
        self.turns = db.scheduled_turns
        self.people = db.people  # the gateway's users, as handoff needs them
        self.leavers = db.leavers  # one per leaver: when their sign-in ends

    def ensure_indexes(self):
        for field in (
            "customer_id",
            "state",
            "kind",
            "from_user",
            "to_users",
            "awaiting",
            "submitted_at",
            "outbox_since",
        ):
            self.handoffs.create_index([(field, ASCENDING)])
        self.handoffs.create_index([("state", ASCENDING), ("pending_until", ASCENDING)])
        self.refusals.create_index([("at", ASCENDING)])
        self.registers.create_index([("outbox_since", ASCENDING)])
        self.leavers.create_index([("outbox_since", ASCENDING)])
        self.leavers.create_index([("waits_for_customers", ASCENDING)])
        self.steps.create_index([("customer_id", ASCENDING)])
        self.audits.create_index([("person", ASCENDING), ("at", DESCENDING)])
        self.audits.create_index([("at", DESCENDING)])

    # handoffs
    def handoff(self, handoff_id):
        return self.handoffs.find_one({"_id": handoff_id})

    def add_handoff(self, doc):
        """(stored handoff, added?): this one, or the one submitted first with the same id."""
        stored, added = insert_once(self.handoffs, doc)
        if added:
            self.audit.changed("handoff", None, stored)
        return stored, added

    def change_handoff(self, handoff_id, change, current=None):
        """``current``: the handoff as the caller just read it, if it has it."""
        return change_guarded(self.handoff, self._audited(self.handoffs, "handoff"), handoff_id, change, current)

    def _audited(self, collection, resource):
        return replacing(collection, lambda before, after: self.audit.changed(resource, before, after))

    def page(
        self,
        limit,
        offset,
        customer_id=None,
        from_user=None,
        to_user=None,
        awaiting=None,
        kind=None,
        state=None,
        overdue_at=None,
    ):
        query = {
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

    def of_customer(self, customer_id, states=None, limit=500):
        query = {"customer_id": customer_id}
        if states:
            query["state"] = {"$in": list(states)}
        return list(self.handoffs.find(query).sort("submitted_at", ASCENDING).limit(limit))

    def submitted_between(self, since, until, kind=None):
        query = {"submitted_at": {"$gte": since, "$lte": until}}
        if kind:
            query["kind"] = kind
        return list(self.handoffs.find(query).limit(MEASURED_AT_MOST))

    # refusals
    def add_refusal(self, refusal):
        insert_once(self.refusals, refusal)

    def refused_between(self, since, until, kind=None):
        query = {"at": {"$gte": since, "$lte": until}}
        if kind:
            query["kind"] = kind
        return list(self.refusals.find(query).limit(MEASURED_AT_MOST))

    # one transfer of ownership at a time per customer
    def hold_transfer(self, customer_id, handoff_id, still_open):
        """The handoff that may change this customer's owner: ``handoff_id``, unless another one
        ``still_open`` (handoff id -> bool) holds it."""
        doc, added = insert_once(self.transfers, {"_id": customer_id, "handoff_id": handoff_id, "version": 0})
        if added or doc["handoff_id"] == handoff_id or still_open(doc["handoff_id"]):
            return doc["handoff_id"]
        taken = {"_id": customer_id, "handoff_id": handoff_id, "version": doc["version"] + 1}
        if self.transfers.replace_one({"_id": customer_id, "version": doc["version"]}, taken).matched_count == 1:
            return handoff_id
        return self.transfers.find_one({"_id": customer_id})["handoff_id"]

    # events a crash left in an outbox
    def with_unpublished(self, cutoff, limit):
        """(collection name, document id) of documents holding events older than ``cutoff``."""
        found = []
        for name, collection in (
            ("handoffs", self.handoffs),
            ("registers", self.registers),
            ("leavers", self.leavers),
            ("steps", self.steps),
        ):
            found += [
                (name, d["_id"]) for d in collection.find({"outbox_since": {"$lte": cutoff}}, {"_id": 1}).limit(limit)
            ]
        return found

    def document(self, collection_name, document_id):
        return getattr(self, collection_name).find_one({"_id": document_id})

    def change_in(self, collection_name, document_id, change):
        collection = getattr(self, collection_name)
        return change_guarded(
            lambda doc_id: collection.find_one({"_id": doc_id}),
            self._audited(collection, collection_name.removesuffix("s")),
            document_id,
            change,
        )

    # agreed requirements
    def register(self, customer_id):
        return self.registers.find_one({"_id": customer_id})

    def add_register(self, register):
        stored, added = insert_once(self.registers, register)
        if added:
            self.audit.changed("requirements", None, stored)
        return stored

    def change_register(self, customer_id, change):
        return change_guarded(self.register, self._audited(self.registers, "requirements"), customer_id, change)

    # leavers
    def leaver(self, person):
        return self.leavers.find_one({"_id": person})

    def add_leaver(self, record):
        return insert_once(self.leavers, record)[0]

    def change_leaver(self, person, change):
        return change_guarded(self.leaver, self._audited(self.leavers, "leaver"), person, change)

    def leavers_holding_customers(self, limit=1000):
        """Leavers whose sign-in waits for their last customer to move."""
        return [r["_id"] for r in self.leavers.find({"waits_for_customers": True}, {"_id": 1}).limit(limit)]

    # steps
    def started_steps(self, customer_id):
        return {s["step"]: s for s in self.steps.find({"customer_id": customer_id})}

    def start_step(self, record):
        """(stored record, started now?)."""
        return insert_once(self.steps, record)

    # audits
    def schedule(self, person):
        return self.schedules.find_one({"_id": person})

    def add_schedule(self, schedule):
        return insert_once(self.schedules, schedule)[0]

    def replace_schedule(self, schedule, expected_version):
        return (
            self.schedules.replace_one({"_id": schedule["_id"], "version": expected_version}, schedule).matched_count
            == 1
        )

    def add_audit(self, report):
        return insert_once(self.audits, report)

    def quality_audit(self, audit_id):
        return self.audits.find_one({"_id": audit_id})

    def audit_page(self, limit, offset, person=None, passed=None):
        query = {}
        if person:
            query["person"] = person
        if passed is not None:
            query["passed"] = passed
        total = count(self.audits, query)
        return list(self.audits.find(query).sort("at", DESCENDING).skip(offset).limit(limit)), total

    def take_turn(self, job, now, every):
        return take_turn(self.turns, job, now, every)
