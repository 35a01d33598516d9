"""Where pool keeps rotation state (one document per team) and each customer's owner."""
from services.pool.domain.rotation import Member, Rotation
from services.runtime.mongo import insert_once


class Ownership:
    def __init__(self, db):
        self.rotations = db.rotations
        self.owners = db.owners

    def ensure_indexes(self):
        self.owners.create_index("owner_id")

    # rotations: read, decide in memory, write back only if nobody moved it meanwhile
    def load_rotation(self, team):
        """(rotation, version); a team seen for the first time starts empty at version 0."""
        doc = self.rotations.find_one({"_id": team})
        if doc is None:
            doc, _ = insert_once(self.rotations, {"_id": team, "version": 0, **_rotation_fields(Rotation(()))})
        return _rotation_of(doc), doc["version"]

    def save_rotation(self, team, rotation, expected_version):
        """False when another instance saved first (the caller reloads and decides again)."""
        return self.rotations.find_one_and_update(
            {"_id": team, "version": expected_version},
            {"$set": {"version": expected_version + 1, **_rotation_fields(rotation)}},
        ) is not None

    # owners
    def forget(self, customer_id):
        self.owners.delete_one({"_id": customer_id})

    def owner_record(self, customer_id):
        return self.owners.find_one({"_id": customer_id})

    def record_owner(self, record):
        """The stored record: this one, or the one recorded first for the customer."""
        return insert_once(self.owners, record)[0]


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
