"""handoff's store (``services.handoff.store.Handoffs``) in memory, with the methods its application
functions call and the same semantics: insert-once ids, version-guarded whole-document writes
(the write moves the version on) retried through ``services.runtime.guarded.change_guarded``,
periods closed at both ends and compared in whole seconds, the audit trail told of each change. ``tests/unit/test_fake_stores.py``
keeps its methods in step with the real store's."""

from services.handoff.domain import measure_totals
from services.handoff.domain.handoffs import INFO_PENDING
from services.runtime.document_store import moved_on
from services.runtime.guarded import change_guarded
from tests.fakes.documents import Documents, RecordingAudit, take_turn, whole_seconds

# the collections with an outbox, as ``with_unpublished`` names them (the real store's attributes)
OUTBOX_COLLECTIONS = ("handoffs", "registers", "leavers", "steps")


class FakeHandoffs:
    def __init__(self, audit=None):
        self.audit = audit or RecordingAudit()
        self.handoffs = Documents("handoffs")
        self.refusals = Documents("refused_handoffs")
        self.registers = Documents("agreed_requirements")
        self.steps = Documents("started_steps")
        self.transfers = Documents("open_transfers")
        self.schedules = Documents("quality_audit_schedules")
        self.quality_audits = Documents("quality_audits")
        self.turns = Documents("scheduled_turns")
        self.people = Documents("people")
        self.leavers = Documents("leavers")
        self.totals = Documents("handoff_totals")

    # handoffs
    def handoff(self, handoff_id):
        return self.handoffs.find_one(handoff_id)

    def add_handoff(self, doc):
        stored, added = self.handoffs.insert_once(doc)
        if added:
            self.audit.changed("handoff", None, stored)
        self._keep_in_totals(stored)
        return stored, added

    def change_handoff(self, handoff_id, change, current=None):
        before, after = change_guarded(
            self.handoff, self._audited(self.handoffs, "handoff"), handoff_id, change, current
        )
        self._keep_in_totals(after)
        return before, after

    def _keep_in_totals(self, handoff):
        """The handoff's entry in its month's totals, as the real store keeps it."""
        if handoff is None or handoff.get("submitted_at") is None:
            return
        month = measure_totals.month_of(handoff["submitted_at"])
        totals_id = measure_totals.totals_id(measure_totals.HANDOFFS, month)
        before = self.totals.find_one(totals_id)
        if before is None:
            self.totals.insert_once(
                measure_totals.with_handoff(measure_totals.empty(measure_totals.HANDOFFS, month), handoff)
            )
        else:
            self.totals.replace_if(
                moved_on(measure_totals.with_handoff(before, handoff), before), version=before["version"]
            )

    def _audited(self, collection, resource):
        def replace(after, before):
            stored = moved_on(after, before)
            replaced = collection.replace_if(stored, version=before["version"])
            if replaced:
                self.audit.changed(resource, before, stored)
            return replaced

        return replace

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
        equal = {
            name: value
            for name, value in (
                ("customer_id", customer_id),
                ("from_user", from_user),
                ("kind", kind),
                ("state", state),
            )
            if value
        }

        def matches(doc):
            if any(doc.get(name) != value for name, value in equal.items()):
                return False
            if to_user and to_user not in doc["to_users"]:
                return False
            if awaiting and awaiting not in doc["awaiting"]:
                return False
            if overdue_at is not None:
                return doc["state"] == INFO_PENDING and whole_seconds(doc["pending_until"]) < whole_seconds(overdue_at)
            return True

        found = self.handoffs.find(matches, order="submitted_at", descending=True)
        return found[offset : offset + limit], len(found)

    def of_customer(self, customer_id, states=None, limit=500):
        return self.handoffs.find(
            lambda doc: doc["customer_id"] == customer_id and (not states or doc["state"] in states),
            order="submitted_at",
            limit=limit,
        )

    def submitted_between(self, since, until, kind=None):
        return self.handoffs.find(
            lambda doc: _within(doc["submitted_at"], since, until) and (not kind or doc["kind"] == kind)
        )

    # monthly totals of the measures (measuring.py)
    def measure_totals(self, totals_ids, fields=None):
        wanted = set(totals_ids)
        found = self.totals.find(lambda doc: doc["_id"] in wanted)
        if fields is not None:  # as the store's projection: just these fields, the id and version
            kept = {*fields, "_id", "version"}
            found = [{name: value for name, value in doc.items() if name in kept} for doc in found]
        return {doc["_id"]: doc for doc in found}

    def measure_totals_after(self, after, limit):
        return self.totals.find(lambda doc: after is None or doc["_id"] > after, order="_id", limit=limit)

    def keep_measure_totals(self, totals, before):
        if before is None:
            self.totals.insert_once(totals)
        else:
            self.totals.replace_if(moved_on(totals, before), version=before.get("version", 0))

    def count_submitted(self, since, until):
        """``$gte since, $lt until`` over whole epoch seconds, as the real store counts."""
        return len(self.handoffs.find(lambda doc: _before_end(doc["submitted_at"], since, until)))

    def count_refused(self, since, until):
        return len(self.refusals.find(lambda doc: _before_end(doc["at"], since, until)))

    # refusals
    def add_refusal(self, refusal):
        self.refusals.insert_once(refusal)

    def refused_between(self, since, until, kind=None):
        return self.refusals.find(lambda doc: _within(doc["at"], since, until) and (not kind or doc["kind"] == kind))

    # one transfer of ownership at a time per customer
    def hold_transfer(self, customer_id, handoff_id, still_open):
        doc, added = self.transfers.insert_once({"_id": customer_id, "handoff_id": handoff_id, "version": 0})
        if added or doc["handoff_id"] == handoff_id or still_open(doc["handoff_id"]):
            return doc["handoff_id"]
        if self.transfers.replace_if(
            moved_on({"_id": customer_id, "handoff_id": handoff_id}, doc), version=doc["version"]
        ):
            return handoff_id
        return self.transfers.find_one(customer_id)["handoff_id"]

    # events a crash left in an outbox
    def with_unpublished(self, cutoff, limit):
        found = []
        for name in OUTBOX_COLLECTIONS:
            waiting = getattr(self, name).find(
                lambda doc: (
                    doc.get("outbox_since") is not None and whole_seconds(doc["outbox_since"]) <= whole_seconds(cutoff)
                ),
                limit=limit,
            )
            found += [(name, doc["_id"]) for doc in waiting]
        return found

    def document(self, collection_name, document_id):
        return getattr(self, collection_name).find_one(document_id)

    def change_in(self, collection_name, document_id, change):
        collection = getattr(self, collection_name)
        return change_guarded(
            collection.find_one, self._audited(collection, collection_name.removesuffix("s")), document_id, change
        )

    # agreed requirements
    def register(self, customer_id):
        return self.registers.find_one(customer_id)

    def add_register(self, register):
        stored, added = self.registers.insert_once(register)
        if added:
            self.audit.changed("requirements", None, stored)
        return stored

    def change_register(self, customer_id, change):
        return change_guarded(self.register, self._audited(self.registers, "requirements"), customer_id, change)

    # leavers
    def leaver(self, person):
        return self.leavers.find_one(person)

    def add_leaver(self, record):
        return self.leavers.insert_once(record)[0]

    def change_leaver(self, person, change):
        return change_guarded(self.leaver, self._audited(self.leavers, "leaver"), person, change)

    def leavers_holding_customers(self, limit=1000):
        return [
            doc["_id"] for doc in self.leavers.find(lambda doc: doc.get("waits_for_customers") is True, limit=limit)
        ]

    # steps
    def started_steps(self, customer_id):
        return {s["step"]: s for s in self.steps.find(lambda doc: doc["customer_id"] == customer_id)}

    def start_step(self, record):
        return self.steps.insert_once(record)

    # quality audits
    def schedule(self, person):
        return self.schedules.find_one(person)

    def add_schedule(self, schedule):
        return self.schedules.insert_once(schedule)[0]

    def replace_schedule(self, schedule, before):
        return self.schedules.replace_if(moved_on(schedule, before), version=before["version"])

    def add_quality_audit(self, report):
        return self.quality_audits.insert_once(report)

    def quality_audit(self, quality_audit_id):
        return self.quality_audits.find_one(quality_audit_id)

    def take_turn(self, job, now, every):
        return take_turn(self.turns, job, now, every)

    # the users handoff keeps (services.runtime.directory.KeptPeople)
    def person(self, user_id):
        return self.people.find_one(user_id)

    def add_person(self, person):
        return self.people.insert_once(person)

    def replace_person(self, person, before):
        return self.people.replace_if(person, user_version=before["user_version"])


def _before_end(moment, since, until):
    return whole_seconds(since) <= whole_seconds(moment) < whole_seconds(until)


def _within(moment, since, until):
    """``$gte since, $lte until`` over the epoch seconds the real store ranges over."""
    return whole_seconds(since) <= whole_seconds(moment) <= whole_seconds(until)
