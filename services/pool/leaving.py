"""A salesperson leaves: every customer they own moves in one operation — to a named successor
or by the allocation rules — and a record says what went where (问题4: the history stays)."""
import hashlib

from contracts.errors import Conflict, NotFound
from services.pool.allocating import allocate
from services.pool.changing import change_holding
from services.pool.directory import change_person
from services.pool.domain.holdings import REASSIGNED, give_back, take
from services.pool.domain.recycling import OWNED, PUBLIC_POOL

MAX_CUSTOMERS = 100_000


def reassign_leaver(pool, team, limits_of, rules, leaver, successor, by, now):
    """The reassignment record, and (holding before, after) for each customer moved.

    The leaver is marked inactive first, so no allocation running meanwhile gives them more;
    asking again (after a crash) moves what is left and returns the same record id.
    """
    if pool.person(leaver) is None:
        raise NotFound.of("salesperson", leaver)
    if successor == leaver:
        raise Conflict("The successor is the person leaving.", {"to": successor})
    if successor and (pool.person(successor) is None or not pool.person(successor).get("active", True)):
        raise Conflict(f"{successor} is not an active salesperson.", {"to": successor})
    change_person(pool, leaver, lambda p: None if not p.get("active", True) else {**p, "active": False, "left_at": now})
    reassignment_id = "rea_" + hashlib.sha256(f"{leaver}".encode()).hexdigest()[:16]
    moved, changes = [], []
    for customer_id in pool.owned_ids(leaver, MAX_CUSTOMERS):
        reason = f"{REASSIGNED} from {leaver}"
        if successor:
            before, after = change_holding(pool, customer_id, lambda h: _handed(h, leaver, successor, reason, by, now))
        else:
            before = pool.holding(customer_id)
            after, _stalled = allocate(pool, team, limits_of, rules, customer_id, now, reason=reason,
                                       exclude=(leaver,))
            after = after or pool.holding(customer_id)
        moved.append({"customer_id": customer_id, "to": after["owner_id"] if after["state"] == OWNED else None})
        changes.append((before, after))
    record = pool.record_reassignment({"_id": reassignment_id, "leaver": leaver, "by": by, "at": now, "to": successor,
                                       "moved": moved})
    if record["moved"] != moved and moved:
        # asked again after a partial run: the first record stands, extended with what moved now
        first, record = record, {**record, "moved": record["moved"] + moved}
        pool.extend_reassignment(record, first)
    return record, changes


def _handed(holding, leaver, successor, reason, by, now):
    if holding["state"] != OWNED or holding["owner_id"] != leaver:
        return None
    return take(give_back(holding, PUBLIC_POOL, reason, by, now), successor, reason, by, now)
