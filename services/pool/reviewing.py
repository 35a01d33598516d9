"""A new customer held unallocated for a person's review of its possible duplicates (撞单) is placed
once they decide it is a different company (``duplicates_kept_apart``): allocated by the rules, or
given to the salesperson who filed it by hand — as it would have been on arrival — unless someone
claimed or was given it meanwhile, or it still waits for decisions on other possible duplicates."""

import logging
from datetime import datetime
from typing import Any

from contracts.errors import NotFound
from services.pool.allocating import assign_requested_owner
from services.pool.announcing import announce
from services.pool.changing import change_holding
from services.pool.domain.holdings import NEW_UNALLOCATED, released_from_review
from services.pool.domain.recycling import OWNED, PUBLIC_POOL
from services.pool.placing import Placement, allocate_announced

log = logging.getLogger(__name__)

Document = dict[str, Any]


def place_after_review(
    placement: Placement,
    event: Document,
    now: datetime,
) -> list[str]:
    """Place each of the two archives kept apart that was held for this review and waits for no other
    decision; the ids of those placed (or announced again, the event redelivered)."""
    waiting = set(event["with_open_duplicates"])
    placed = []
    for customer_id in dict.fromkeys((event["customer_id"], event["other_id"])):
        if customer_id in waiting:
            log.info("customer %s still waits for the review of its other possible duplicates", customer_id)
        elif _place(placement, customer_id, event["decision_id"], now):
            placed.append(customer_id)
    return placed


def _place(
    placement: Placement,
    customer_id: str,
    decision_id: str,
    now: datetime,
) -> bool:
    pool, dispatch = placement.pool, placement.dispatch
    holding = pool.holding(customer_id)
    if holding is None:
        return False  # not in the pool (merged away, or not placed yet: it arrives unheld then)
    if holding.get("released_by_decision") == decision_id:  # redelivered: released by this decision before
        if holding["state"] == OWNED:
            announce(dispatch, None, holding, now)  # said again; downstream handlers ignore repeats
            return True
        if holding["state"] != PUBLIC_POOL or holding["reason"] != NEW_UNALLOCATED:
            return False  # moved on since (stalled and told, released, rejected…): not this decision's to place
        released = holding  # released, then interrupted before it was placed
    else:
        try:
            _, after = change_holding(pool, customer_id, lambda h: released_from_review(h, decision_id), holding)
        except NotFound:
            return False
        if after is None:
            return False  # not held: claimed, assigned or moved meanwhile, or never held for review
        released = after
    if released.get("requested_owner"):
        owned = assign_requested_owner(pool, customer_id, released["requested_owner"], now)
        announce(dispatch, released, owned, now)
    else:
        allocate_announced(placement, released, customer_id, now)
    return True
