"""Where a customer goes when something happens to it elsewhere: a new customer waits for
screening, is given to the person who filed it, or is allocated by the rules (or waits in the
pool, a manager told nobody was eligible); a new inquiry brings a dormant customer back and puts
a rejected one first on the review list. What changed is announced (``announcing``)."""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.errors import NotFound
from contracts.events import dump_event
from plugins.errors import PluginFailed
from services.pool.allocating import Reasons, allocate, allocate_new, assign_requested_owner
from services.pool.announcing import Dispatch, announce
from services.pool.changing import change_holding
from services.pool.directory import seed
from services.pool.domain.claiming import ClaimLimits
from services.pool.domain.holdings import (
    ALLOCATED,
    NEW_UNALLOCATED,
    NOBODY_ELIGIBLE,
    POOL_ASKED,
    SYSTEM,
    Facts,
    give_back,
    held_for_review,
    inquired_since_rejection,
    new_holding,
    screening_holding,
    with_facts,
)
from services.pool.domain.recycling import DORMANT, OWNED, PUBLIC_POOL, reactivation_on_inquiry
from services.pool.store import Pool

log = logging.getLogger(__name__)

Document = dict[str, Any]


@dataclass(frozen=True)
class Placement:
    """What placing a customer needs besides the event: the store, the dispatcher, the allocation
    settings, each role's claim limits and the allocation rules in force."""

    pool: Pool
    dispatch: Dispatch
    allocation: Document
    limits_of: Callable[[str], ClaimLimits]
    rules: Sequence[Any]


def place_new_customer(
    placement: Placement,
    event: Document,
    now: datetime,
) -> None:
    """A customer new to the pool (``customer_created``): screened first, filed by hand, allocated,
    or left in the pool (asked for, or a possible duplicate waiting for a person's review)."""
    pool, dispatch, allocation = placement.pool, placement.dispatch, placement.allocation
    facts, version = created_facts(event)
    customer_id = event["customer_id"]
    if allocation["screening"] and event["allocate"] and not event["requested_owner"]:
        # Marketing screens it first; sales gets it by the handoff marketing sends (screening.py).
        pool.add_holding(screening_holding(customer_id, allocation["team"], facts, now, version))
        return
    placed = event["allocate"] or event["requested_owner"]
    reason = NEW_UNALLOCATED if placed else POOL_ASKED
    holding = new_holding(customer_id, allocation["team"], facts, now, reason, version)
    if event["allocate"] and not event["requested_owner"] and not event["needs_review"]:
        allocate_new_announced(placement, holding, now)
        return
    if event["needs_review"] and placed:
        # It may be someone's existing customer (撞单): it waits in the pool until a person decides;
        # kept apart, it is placed then (reviewing.place_after_review).
        holding = held_for_review(holding, event["requested_owner"])
    before = pool.add_holding(holding)
    if before["state"] == OWNED:
        announce(dispatch, None, before, now)  # redelivered: said again, downstream handlers ignore repeats
        return
    if event["needs_review"]:
        log.info("customer %s may duplicate another archive; left unallocated for review", customer_id)
        return
    if event["requested_owner"]:
        announce(dispatch, before, assign_requested_owner(pool, customer_id, event["requested_owner"], now), now)
    elif event["allocate"]:
        allocate_announced(placement, before, customer_id, now, holding=before)


def created_facts(event: Document) -> tuple[Facts, int]:
    """(facts, profile's version they are of) of a new customer: its ``customer_created``'s summary
    (the archive as ``customer_updated`` would say it), or, from a profile before creations carried
    one, what the creation says (version 0: any update is newer)."""
    summary = event.get("summary")
    if summary is not None:
        return profile_facts(summary, summary["country_code"] or event["country_code"]), summary["version"]
    return (
        Facts(
            company=event["company"],
            country=event["country"],
            country_code=event["country_code"],
            intent_grade=event["intent_grade"],
        ),
        0,
    )


def profile_facts(summary: Document, country_code: str | None) -> Facts:
    """What the pool keeps of profile's summary of an archive (``customer_updated``, or a
    ``customer_created``'s summary); ``country_code``: its ISO code as known."""
    return Facts(
        company=summary["company"],
        country=summary["country"],
        country_code=country_code,
        intent_grade=summary["intent_grade"],
        stage=summary["stage"],
        tags=tuple(summary["tags"]),
        last_contact_at=summary["last_contact_at"],
        last_follow_up_at=summary["last_follow_up_at"],
        has_open_need=summary["has_open_need"],
        deal_closed=summary["deal_closed"],
    )


def keep_facts(pool: Pool, customer_id: str, facts: Facts, version: int, early: Document) -> None:
    """The customer's holding with profile's newer facts (``customer_updated``). A new customer's
    holding is written with its creation's facts; an update that comes while that holding is still
    being written (the archive changed at once: a second inquiry, a change by hand, while the
    customer's allocation decides its owner before writing it) is tried again, ``early["tries"]``
    times ``early["wait_seconds"]`` apart; a customer the pool never gets (merged away) is let be."""
    for attempt in range(early["tries"]):
        try:
            change_holding(pool, customer_id, lambda h: with_facts(h, facts, version))
            return
        except NotFound:
            if attempt + 1 < early["tries"]:
                time.sleep(early["wait_seconds"])  # a green sleep under nameko: other workers run


def place_on_inquiry(
    placement: Placement,
    event: Document,
    now: datetime,
) -> None:
    """A new inquiry from a customer the pool holds (``inquiry_matched``): a dormant one back in
    the public pool (and allocated, when the inquiry asks), a rejected one first on the review list."""
    pool = placement.pool
    customer_id = event["customer_id"]
    holding = pool.holding(customer_id)
    if holding is None or (change := reactivation_on_inquiry(holding["state"])) is None:
        return
    if change.state == PUBLIC_POOL:
        before, after = change_holding(
            pool,
            customer_id,
            lambda h: give_back(h, PUBLIC_POOL, change.note, SYSTEM, now) if h["state"] == DORMANT else None,
            holding,
        )
        if event["allocate"]:
            allocate_announced(placement, before, customer_id, now, f"{change.note}, {ALLOCATED}")
        else:
            announce(placement.dispatch, before, after, now)  # back in the public pool, to be claimed
    else:  # rejected: stays rejected, first on the review list
        change_holding(pool, customer_id, lambda h: inquired_since_rejection(h, now), holding)


def allocate_new_announced(placement: Placement, holding: Document, now: datetime) -> None:
    """A new customer allocated by the rules as its holding is first written, its owner announced;
    when nobody is eligible (or a plugin's rule failed) it waits in the public pool and
    ``allocation_stalled`` says why. A holding the pool had already (the event redelivered) is
    placed as it stands: its owner announced again, or allocated now."""
    pool, allocation = placement.pool, placement.allocation
    seed(pool, allocation, now)
    try:
        stored, added, stalled = allocate_new(
            pool, allocation["team"], placement.limits_of, placement.rules, holding, now
        )
    except PluginFailed as exc:
        waiting = give_back(holding, PUBLIC_POOL, f"{NOBODY_ELIGIBLE}: {exc.message}", SYSTEM, now) or holding
        stored, added = pool.add_allocated(waiting)
        stalled = {"": [exc.message]} if added else None
    if added:
        if stalled is not None:
            _stalled(placement, holding["_id"], stalled, now)
        else:
            announce(placement.dispatch, None, stored, now)
    elif stored["state"] == OWNED:
        announce(placement.dispatch, None, stored, now)  # redelivered: said again, downstream handlers ignore repeats
    else:
        allocate_announced(placement, stored, stored["_id"], now, holding=stored)


def allocate_announced(
    placement: Placement,
    before: Document | None,
    customer_id: str,
    now: datetime,
    reason: str = ALLOCATED,
    holding: Document | None = None,
) -> None:
    """Allocate the customer by the rules and announce its owner; when nobody is eligible (or a
    plugin's rule failed) it waits in the public pool and ``allocation_stalled`` says why.
    ``holding``: the customer's holding as just written, when the caller has it (not read again)."""
    pool, dispatch, allocation = placement.pool, placement.dispatch, placement.allocation
    seed(pool, allocation, now)
    stalled: dict[str, list[str]] | None
    try:
        after, stalled = allocate(
            pool,
            allocation["team"],
            placement.limits_of,
            placement.rules,
            customer_id,
            now,
            reason=reason,
            holding=holding,
        )
    except PluginFailed as exc:
        failure = exc.message
        after, stalled = None, {"": [failure]}
        change_holding(
            pool,
            customer_id,
            lambda h: (
                give_back(h, PUBLIC_POOL, f"{NOBODY_ELIGIBLE}: {failure}", SYSTEM, now) if h["state"] != OWNED else None
            ),
        )
    if stalled is not None:
        _stalled(placement, customer_id, stalled, now)
        return
    announce(dispatch, before, after, now)


def _stalled(placement: Placement, customer_id: str, stalled: Reasons, now: datetime) -> None:
    """Nobody was given the customer: it waits in the pool, and ``allocation_stalled`` says why."""
    allocation = placement.allocation
    log.warning("customer %s waits in the pool: nobody eligible (%s)", customer_id, stalled)
    placement.dispatch(
        "allocation_stalled",
        dump_event(
            "allocation_stalled",
            {
                "customer_id": customer_id,
                "team": allocation["team"],
                "department": allocation["department"],
                "reasons": stalled,
                "at": now,
            },
        ),
    )
