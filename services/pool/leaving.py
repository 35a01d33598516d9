"""A salesperson leaves: every customer they own goes, in one operation, to a named successor or
by the allocation rules, and a record says what went where (问题4: the history stays).

Effective ``now`` (the person is gone) the customers move at once. Effective ``on_acceptance``
(someone serving notice, handing over through handoffs) the successors are only chosen: the
leaver keeps each customer until its successor signs the handoff, and the pool moves it then."""

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from contracts.errors import Conflict, NotFound
from contracts.pool import EFFECTIVE_NOW, EFFECTIVE_ON_ACCEPTANCE
from services.pool.allocating import allocate, choose_owner
from services.pool.changing import change_holding
from services.pool.directory import change_person
from services.pool.domain.claiming import ClaimLimits
from services.pool.domain.holdings import REASSIGNED, hand_over
from services.pool.domain.recycling import OWNED
from services.pool.store import Pool

Document = dict[str, Any]

MAX_CUSTOMERS = 100_000


def reassign_leaver(
    pool: Pool,
    team: str,
    limits_of: Callable[[str], ClaimLimits],
    rules: Sequence[Any],
    leaver: str,
    successor: str | None,
    by: str,
    now: datetime,
    effective: str = EFFECTIVE_NOW,
) -> tuple[Document, list[tuple[Document | None, Document]]]:
    """The reassignment record, and (holding before, after) for each customer moved.

    The leaver is marked inactive first, so no allocation running meanwhile gives them more;
    asking again (after a crash, or effective now after on acceptance) goes on with what is left
    and returns the same record id. A customer whose successor was chosen before goes to that
    successor (no second turn of the rotation)."""
    if pool.person(leaver) is None:
        raise NotFound.of("salesperson", leaver)
    if successor == leaver:
        raise Conflict("The successor is the person leaving.", {"to": successor})
    if successor and not _active(pool.person(successor)):
        raise Conflict(f"{successor} is not an active salesperson.", {"to": successor})
    change_person(pool, leaver, lambda p: None if not p.get("active", True) else {**p, "active": False, "left_at": now})
    reassignment_id = "rea_" + hashlib.sha256(f"{leaver}".encode()).hexdigest()[:16]
    earlier = pool.reassignment(reassignment_id)
    chosen_before = {m["customer_id"]: m["to"] for m in (earlier or {}).get("moved", []) if m["to"]}
    moved: list[Document] = []
    changes: list[tuple[Document | None, Document]] = []
    for customer_id in pool.owned_ids(leaver, MAX_CUSTOMERS):
        reason = f"{REASSIGNED} from {leaver}"
        to = successor or chosen_before.get(customer_id)
        if effective == EFFECTIVE_ON_ACCEPTANCE:
            if customer_id in chosen_before:
                continue  # chosen already; its handoff decides
            if to is None and (holding := pool.holding(customer_id)) is not None:
                to, _nobody, _people = choose_owner(pool, team, limits_of, rules, holding, exclude=(leaver,))
            moved.append({"customer_id": customer_id, "to": to, "effective": EFFECTIVE_ON_ACCEPTANCE})
            continue
        before: Document | None
        if to:
            before, after = change_holding(
                pool, customer_id, partial(_handed, leaver=leaver, successor=to, reason=reason, by=by, now=now)
            )
        else:
            before = pool.holding(customer_id)
            after, _stalled = allocate(pool, team, limits_of, rules, customer_id, now, reason=reason, exclude=(leaver,))
        after = after or pool.holding(customer_id)
        if after is None:
            continue  # merged away meanwhile: nobody's to move
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


def _active(person: Document | None) -> bool:
    return person is not None and bool(person.get("active", True))


def _handed(holding: Document, leaver: str, successor: str, reason: str, by: str, now: datetime) -> Document | None:
    if holding["state"] != OWNED or holding["owner_id"] != leaver:
        return None
    return hand_over(holding, successor, reason, by, now)
