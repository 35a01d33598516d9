"""pool's store (``services.pool.store.Pool``) in memory, with the methods its application functions
call and the same semantics: insert-once ids, whole-document writes guarded by the version read and
moving it on (``services.runtime.document_store.guarded_replace``), the sweep's candidates found by
clock (or by the deadline a holding was warned of) at or before a cutoff to the millisecond, oldest
first, paged after the last one, counts of what each person owns that never say less than the
truth, and the audit trail told of each change. ``tests/unit/test_pool_fake_store.py`` keeps its
methods in step with the real store's and runs the same checks against both."""

from datetime import UTC, datetime, timedelta

from services.pool.counting import AtCap
from services.pool.domain.rotation import Rotation
from services.pool.store import SWEEP_KEYS, RotationMoved
from services.runtime.document_store import moved_on
from tests.fakes.documents import Documents, RecordingAudit, as_stored, audited_replace, take_turn

OWNED = "owned"


class FakePoolStore:
    def __init__(self, audit=None):
        self.audit = audit or RecordingAudit()
        self.holdings = Documents("holdings")
        self.rotations = Documents("rotations")
        self.people = Documents("salespeople")
        self.claimers = Documents("claimers")
        self.reassignments = Documents("reassignments")
        self.turns = Documents("scheduled_turns")
        self.seeded_teams = set()
        self.leases: dict = {}  # person id -> the holder taking customers for them now

    # holdings
    def holding(self, customer_id):
        return self.holdings.find_one(customer_id)

    def holdings_of(self, customer_ids):
        customer_ids = list(customer_ids)
        found = {h["_id"]: h for h in self.holdings.find(lambda doc: doc["_id"] in customer_ids)}
        return [found[c] for c in dict.fromkeys(customer_ids) if c in found]

    def add_holding(self, holding):
        return self.add_allocated(holding)[0]

    def add_allocated(self, holding, turn=None, cap=None):
        """The real store's one command: the rotation's turn guarded by its version, the owner's
        cap, then the holding (or the one added first, nothing written) and its audit entry."""
        if turn is not None:
            key, rotation, version = turn
            written = {"_id": key, "rotation": rotation, "version": version + 1}
            if not (self.rotations.replace_if(written, version=version) or self.rotations.insert_once(written)[1]):
                raise RotationMoved(key)
        owner = holding.get("owner_id") if holding.get("state") == OWNED else None
        if owner and cap is not None and self.held(owner) >= cap:
            raise AtCap(owner)
        stored, added = self.holdings.insert_once({**holding, "version": holding.get("version", 0)})
        if added:
            self.audit.changed("holding", None, as_stored(stored))
        return as_stored(stored), added

    def replace_holding(self, holding, before, cap=None):
        gained = holding.get("owner_id") if holding.get("state") == OWNED else None
        if gained and gained != before.get("owner_id") and cap is not None and self.held(gained) >= cap:
            raise AtCap(gained)
        return audited_replace(self.holdings, self.audit, "holding", holding, before)

    def forget(self, customer_id):
        before = self.holding(customer_id)
        if before is not None:
            self.holdings.delete(customer_id)
            self.audit.changed("holding", before, None)

    def without_country_code(self, after, limit):
        holdings = self._page_by_id(self.holdings, after, limit)
        return holdings, [h for h in holdings if "country_code" not in h]

    def without_since_key(self, after, limit):
        # the fake keeps no derived keys (it sorts and ranges in memory): none is ever missing
        return self._page_by_id(self.holdings, after, limit), []

    def without_tag_terms(self, after, limit):
        # the fake searches tags in memory and keeps no terms: none is ever missing
        return self._page_by_id(self.holdings, after, limit), []

    def rekey(self, holding):
        stored = self.holdings.find_one(holding["_id"])
        return stored is not None and stored.get("version") == holding.get("version")

    def with_warning_text(self, after, limit):
        holdings = self._page_by_id(self.holdings, after, limit)
        return holdings, [h for h in holdings if isinstance(h.get("warned_for"), str)]

    def held_by(self, owner_id, at_most=None):
        held = len(self.holdings.find(lambda doc: doc.get("owner_id") == owner_id and doc["state"] == OWNED))
        return min(held, at_most) if at_most else held

    def held(self, owner_id, at_most=None):
        return self.held_by(owner_id)  # counted exactly: never less than the truth

    def held_by_each(self, owner_ids, at_most=None):
        return {owner_id: self.held(owner_id) for owner_id in owner_ids}

    def recount_held(self, owner_id):
        return self.held(owner_id)

    def owned_ids(self, owner_id, limit):
        owned = self.holdings.find(lambda doc: doc.get("owner_id") == owner_id and doc["state"] == OWNED, limit=limit)
        return [h["_id"] for h in owned]

    def due(self, clock, cutoff, state, limit, after=None, warned=False, **condition):
        """The real store's index range (``Pool.due``): by the clock's time — or, ``warned``, the
        deadline a holding was warned of under the clock's rule — to the millisecond, then by id."""
        flag, _rule = SWEEP_KEYS[clock]
        if set(condition) != {flag}:
            raise ValueError(f"due({clock!r}) needs the condition {flag}=True or False")

        def place(doc):
            at = _sweep_time(doc, clock, warned)
            return None if at is None else (_to_the_millisecond(at), doc["_id"])

        limit_place = (_to_the_millisecond(cutoff), "\uffff")
        start = place(after) if after is not None else None
        found = [
            (spot, doc)
            for doc in self.holdings.find(
                lambda doc: doc["state"] == state and bool(doc.get(flag)) == bool(condition[flag])
            )
            if (spot := place(doc)) is not None and spot <= limit_place and (start is None or spot > start)
        ]
        return [doc for _spot, doc in sorted(found, key=lambda pair: pair[0])[:limit]]

    def converted(self, owner_id, since):
        allocated = self.holdings.find(
            lambda doc: doc.get("owner_id") == owner_id and doc.get("allocated_at") and doc["allocated_at"] >= since
        )
        return len(allocated), sum(1 for h in allocated if h.get("deal_closed"))

    # rotations
    def rotation(self, key):
        doc = self.rotations.find_one(key)
        return (doc["rotation"], doc["version"]) if doc is not None else (Rotation(()), 0)

    def load_rotation(self, key):
        doc = self.rotations.find_one(key)
        if doc is None:
            doc, _ = self.rotations.insert_once({"_id": key, "rotation": Rotation(()), "version": 0})
        return doc["rotation"], doc["version"]

    def save_rotation(self, key, rotation, expected_version):
        return self.rotations.replace_if(
            {"_id": key, "rotation": rotation, "version": expected_version + 1}, version=expected_version
        )

    # salespeople
    def person(self, person_id):
        return self.people.find_one(person_id)

    def people_after(self, after, limit):
        return [doc["_id"] for doc in self._page_by_id(self.people, after, limit)]

    def everyone(self, team=None):
        return self.people.find(lambda doc: not team or doc.get("team") == team, order="order")

    def add_person(self, person):
        return as_stored(self.people.insert_once({**person, "version": person.get("version", 0)})[0])

    def replace_person(self, person, before):
        return audited_replace(self.people, self.audit, "salesperson", person, before)

    # claims per person
    def claimer(self, person_id):
        doc = self.claimers.find_one(person_id)
        if doc is None:
            doc, _ = self.claimers.insert_once({"_id": person_id, "claims": [], "version": 0})
        return as_stored(doc)

    def claims_of(self, person_id):
        doc = self.claimers.find_one(person_id)
        return doc["claims"] if doc is not None else []

    def replace_claimer(self, doc, before):
        return self.claimers.replace_if(moved_on(doc, before), version=before["version"])

    # one taker at a time per person
    def hold_person(self, person_id, holder, lease_seconds):
        if self.leases.get(person_id) not in (None, holder):
            return False
        self.leases[person_id] = holder
        return True

    def let_go_person(self, person_id, holder):
        if self.leases.get(person_id) == holder:
            del self.leases[person_id]

    def take_turn(self, job, now, every):
        return take_turn(self.turns, job, now, every)

    # reassignments
    def record_reassignment(self, record):
        stored, added = self.reassignments.insert_once(record)
        if added:
            self.audit.changed("reassignment", None, as_stored(stored))
        return as_stored(stored)

    def extend_reassignment(self, record, before):
        self.reassignments.put(record)
        self.audit.changed("reassignment", before, record)

    def reassignment(self, reassignment_id):
        return self.reassignments.find_one(reassignment_id)

    @staticmethod
    def _page_by_id(documents, after, limit):
        return sorted(documents.find(lambda doc: after is None or doc["_id"] > after), key=lambda d: d["_id"])[:limit]


def _sweep_time(holding, clock, warned):
    """When the holding comes due in ``clock``'s range: the clock, or (``warned``) the deadline it
    was warned of under the clock's rule; None when it is not in that range."""
    _flag, rule = SWEEP_KEYS[clock]
    if holding.get(clock) is None:
        return None
    warning = holding.get("warned_for")
    is_warned = bool(rule) and isinstance(warning, dict) and warning.get("rule") == rule
    if is_warned != warned:
        return None
    return warning["due_at"] if is_warned else holding[clock]


def _to_the_millisecond(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment - timedelta(microseconds=moment.microsecond % 1000)
