"""A salesperson leaves: every customer they own goes, in one operation, to a named successor or
by the allocation rules, and a record says what went where (问题4: the history stays).

Effective ``now`` (the person is gone) the customers move at once. Effective ``on_acceptance``
(someone serving notice, handing over through handoffs) the successors are only chosen: the
leaver keeps each customer until its successor signs the handoff, and the pool moves it then."""

import hashlib

from contracts.errors import Conflict, NotFound
from contracts.pool import EFFECTIVE_NOW, EFFECTIVE_ON_ACCEPTANCE
from services.pool.allocating import allocate, choose_owner
from services.pool.changing import change_holding
from services.pool.directory import change_person
from services.pool.domain.holdings import REASSIGNED, hand_over
from services.pool.domain.recycling import OWNED

MAX_CUSTOMERS = 100_000


def reassign_leaver(pool, team, limits_of, rules, leaver, successor, by, now, effective=EFFECTIVE_NOW):
    """The reassignment record, and (holding before, after) for each customer moved.

    The leaver is marked inactive first, so no allocation running meanwhile gives them more;
    asking again (after a crash, or effective now after on acceptance) goes on with what is left
    and returns the same record id. A customer whose successor was chosen before goes to that
    successor (no second turn of the rotation)."""
    if pool.person(leaver) is None:
        raise NotFound.of("salesperson", leaver)
    if successor == leaver:
        raise Conflict("The successor is the person leaving.", {"to": successor})
    if successor and (pool.person(successor) is None or not pool.person(successor).get("active", True)):
        raise Conflict(f"{successor} is not an active salesperson.", {"to": successor})
    change_person(pool, leaver, lambda p: None if not p.get("active", True) else {**p, "active": False, "left_at": now})
    reassignment_id = "rea_" + hashlib.sha256(f"{leaver}".encode()).hexdigest()[:16]
    earlier = pool.reassignment(reassignment_id)
    chosen_before = {m["customer_id"]: m["to"] for m in (earlier or {}).get("moved", []) if m["to"]}
    moved, changes = [], []
    for customer_id in pool.owned_ids(leaver, MAX_CUSTOMERS):
        reason = f"{REASSIGNED} from {leaver}"
        to = successor or chosen_before.get(customer_id)
        if effective == EFFECTIVE_ON_ACCEPTANCE:
            if customer_id in chosen_before:
                continue  # chosen already; its handoff decides
            if to is None:
                to, _nobody = choose_owner(pool, team, limits_of, rules, pool.holding(customer_id), exclude=(leaver,))
            moved.append({"customer_id": customer_id, "to": to, "effective": EFFECTIVE_ON_ACCEPTANCE})
            continue
        if to:
            before, after = change_holding(
                pool, customer_id, lambda h, to=to, reason=reason: _handed(h, leaver, to, reason, by, now)
            )
            after = after or pool.holding(customer_id)
        else:
            before = pool.holding(customer_id)
            after, _stalled = allocate(pool, team, limits_of, rules, customer_id, now, reason=reason, exclude=(leaver,))
            after = after or pool.holding(customer_id)
        moved.append(
            {
                "customer_id": customer_id,
                "to": after["owner_id"] if after["state"] == OWNED else None,
                "effective": EFFECTIVE_NOW,
            }
        )
        changes.append((before, after))
    record = pool.record_reassignment(
        {"_id": reassignment_id, "leaver": leaver, "by": by, "at": now, "to": successor, "moved": moved}
    )
    if record["moved"] != moved and moved:
        # asked again: the first record stands, extended with what moved (or was chosen) now
        first, record = record, {**record, "moved": record["moved"] + moved}
        pool.extend_reassignment(record, first)
    return record, changes


def _handed(holding, leaver, successor, reason, by, now):
    if holding["state"] != OWNED or holding["owner_id"] != leaver:
        return None
    return hand_over(holding, successor, reason, by, now)
