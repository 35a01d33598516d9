"""Where pool keeps each customer's holding, the rotations, the salespeople and their claims.

Every write replaces a whole document under a version guard (single-document atomicity):
the embedded store has no transactions, and ``$set`` would not keep datetimes as datetimes.
"""
from datetime import timezone

from pymongo import ASCENDING, DESCENDING

from services.pool.domain.rotation import Member, Rotation
from services.runtime.mongo import insert_once


class Pool:
    def __init__(self, db):
        self.holdings = db.holdings
        self.rotations = db.rotations
        self.people = db.salespeople
        self.claimers = db.claimers           # one document per person: their recent claim times
        self.reassignments = db.reassignments
        self.turns = db.scheduled_turns       # when each scheduled job is next due, shared by instances

    def ensure_indexes(self):
        for field in ("state", "owner_id", "country", "intent_grade", "stage", "reason",
                      "follow_up_clock", "allocated_at", "contact_clock", "since", "state_key"):
            self.holdings.create_index([(field, ASCENDING)])
        self.reassignments.create_index([("leaver", ASCENDING)])

    # holdings
    def holding(self, customer_id):
        return self.holdings.find_one({"_id": customer_id})

    def holdings_of(self, customer_ids):
        """The holdings of these customers (those the pool knows), in the order asked."""
        found = {h["_id"]: h for h in self.holdings.find({"_id": {"$in": list(customer_ids)}})}
        return [found[c] for c in dict.fromkeys(customer_ids) if c in found]

    def add_holding(self, holding):
        """The stored holding: this one, or the one added first."""
        return insert_once(self.holdings, _with_state_key(holding))[0]

    def replace_holding(self, holding, expected_version):
        return self.holdings.replace_one({"_id": holding["_id"], "version": expected_version},
                                         _with_state_key(holding)).matched_count == 1

    def entered_between(self, state, since, until):
        """Holdings that entered ``state`` in [since, until) and are in it still: a range of the
        ``state_key`` index (the embedded store ranges over no datetime index)."""
        return list(self.holdings.find({"state_key": {"$gte": state_key(state, since), "$lt": state_key(state, until)}},
                                       {"reason": 1}))

    def without_state_key(self, state, after, limit):
        """(up to ``limit`` holdings in ``state`` after ``after`` in id order, those of them written
        before holdings had a ``state_key``)."""
        query = {"state": state, **({"_id": {"$gt": after}} if after else {})}
        holdings = list(self.holdings.find(query).sort("_id", ASCENDING).limit(limit))
        return holdings, [h for h in holdings if "state_key" not in h]

    def forget(self, customer_id):
        self.holdings.delete_one({"_id": customer_id})

    def held_by(self, owner_id):
        return self.holdings.count_documents({"state": "owned", "owner_id": owner_id})

    def owned_ids(self, owner_id, limit):
        return [h["_id"] for h in self.holdings.find({"state": "owned", "owner_id": owner_id}, {"_id": 1}).limit(limit)]

    def search(self, state, limit, offset, owner_id=None, country=None, grade=None, stage=None, tag=None,
               reason=None, last_contact_before=None, last_contact_after=None, team=None):
        query = {"state": state}
        for name, value in (("owner_id", owner_id), ("country", country), ("intent_grade", grade), ("stage", stage),
                            ("team", team)):
            if value is not None:
                query[name] = value
        if tag:
            # $in, not equality: the embedded store matches nothing on equality with an indexed array
            query["tags"] = {"$in": [tag]}
        if reason:
            # a prefix range, not a regex: index-backed, and the embedded store has no compiled regex
            query["reason"] = {"$gte": reason, "$lt": reason + "\uffff"}
        if last_contact_before or last_contact_after:
            query["contact_clock"] = {k: v for k, v in (("$lt", last_contact_before), ("$gte", last_contact_after)) if v}
        total = self.holdings.count_documents(query)
        cursor = self.holdings.find(query).sort("since", DESCENDING).skip(offset).limit(limit)
        return list(cursor), total

    def due(self, field, cutoff, state, limit):
        """Holdings in ``state`` whose ``field`` is at or before ``cutoff``: an index range, no scan."""
        return list(self.holdings.find({field: {"$lte": cutoff}, "state": state}).limit(limit))

    def converted(self, owner_id, since):
        """(customers allocated to ``owner_id`` since ``since``, how many of those closed a deal)."""
        allocated = list(self.holdings.find({"owner_id": owner_id, "allocated_at": {"$gte": since}}, {"deal_closed": 1}))
        return len(allocated), sum(1 for h in allocated if h.get("deal_closed"))

    # rotations: one per team and set of eligible people, decided in memory, written back guarded
    def load_rotation(self, key):
        """(rotation, version); a rotation seen for the first time starts empty at version 0."""
        doc = self.rotations.find_one({"_id": key})
        if doc is None:
            doc, _ = insert_once(self.rotations, {"_id": key, "version": 0, **_rotation_fields(Rotation(()))})
        return _rotation_of(doc), doc["version"]

    def save_rotation(self, key, rotation, expected_version):
        """False when another instance saved first (the caller reloads and decides again)."""
        return self.rotations.replace_one({"_id": key, "version": expected_version},
                                          {"_id": key, "version": expected_version + 1, **_rotation_fields(rotation)}
                                          ).matched_count == 1

    # salespeople
    def person(self, person_id):
        return self.people.find_one({"_id": person_id})

    def everyone(self, team=None):
        return list(self.people.find({"team": team} if team else {}).sort("order", ASCENDING))

    def add_person(self, person):
        return insert_once(self.people, person)[0]

    def replace_person(self, person, expected_version):
        return self.people.replace_one({"_id": person["_id"], "version": expected_version}, person).matched_count == 1

    # claims per person
    def claimer(self, person_id):
        doc = self.claimers.find_one({"_id": person_id})
        if doc is None:
            doc, _ = insert_once(self.claimers, {"_id": person_id, "claims": [], "version": 0})
        return doc

    def replace_claimer(self, doc, expected_version):
        return self.claimers.replace_one({"_id": doc["_id"], "version": expected_version}, doc).matched_count == 1

    # scheduled jobs: exactly one instance takes each turn
    def take_turn(self, job, now, every):
        """True for the one caller that finds ``job`` due and moves it on by ``every``."""
        doc = self.turns.find_one({"_id": job})
        if doc is None:
            doc, _ = insert_once(self.turns, {"_id": job, "next_at": now, "version": 0})
        if doc["next_at"] > now:
            return False
        return self.turns.replace_one({"_id": job, "version": doc["version"]},
                                      {"_id": job, "next_at": now + every, "version": doc["version"] + 1}
                                      ).matched_count == 1

    # reassignments when someone leaves
    def record_reassignment(self, record):
        return insert_once(self.reassignments, record)[0]

    def reassignment(self, reassignment_id):
        return self.reassignments.find_one({"_id": reassignment_id})


def state_key(state, moment):
    """``state`` and a moment as one string that sorts by state, then time."""
    return f"{state}|{moment.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S.%fZ}"


def _with_state_key(holding):
    # Derived on every write, so the key never disagrees with the state and since it stands for.
    return {**holding, "state_key": state_key(holding["state"], holding["since"])}


def _rotation_fields(rotation):
    return {
        "members": [{"id": m.id, "weight": m.weight} for m in rotation.members],
        "credit": rotation.credit,
        "last_turn": rotation.last_turn,
        "turn": rotation.turn,
        "decisions": [{"customer_id": c, "owner_id": o} for c, o in rotation.decisions],
        "served": rotation.served,
    }


def _rotation_of(doc):
    return Rotation(
        members=tuple(Member(m["id"], m["weight"]) for m in doc["members"]),
        credit=dict(doc["credit"]),
        last_turn=dict(doc["last_turn"]),
        turn=doc["turn"],
        decisions=tuple((d["customer_id"], d["owner_id"]) for d in doc["decisions"]),
        served=dict(doc.get("served") or {}),
    )
