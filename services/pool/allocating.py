"""Giving a customer an owner by the allocation rules, exactly once, whatever the number of
pool instances: eligibility first, then the weighted rotation of the people eligible now."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from threading import Lock
from typing import Any

from contracts.errors import NotFound
from services.pool.changing import change_holding
from services.pool.counting import AtCap
from services.pool.directory import salespeople
from services.pool.domain.claiming import ClaimLimits
from services.pool.domain.eligibility import NewCustomer, Salesperson, below_holding_cap, eligible, rule_name
from services.pool.domain.holdings import (
    ALLOCATED,
    FILED_BY_HAND,
    NOBODY_ELIGIBLE,
    SYSTEM,
    give_back,
    hand_over,
    take,
)
from services.pool.domain.recycling import OWNED
from services.pool.domain.rotation import Member, NobodyEligible
from services.pool.store import Pool, RotationMoved, Turn

Document = dict[str, Any]
Reasons = dict[str, list[str]]  # {person: why they may not take the customer}
LimitsOf = Callable[[str], ClaimLimits]

MAX_SAVE_ATTEMPTS = 50  # optimistic-concurrency retries against other pool instances
# {rotation key: the lock its turns take in this process} (a handful: one per eligible set)
_TURNING: dict[str, Lock] = {}


class RotationBusy(Exception):
    """Other instances kept winning the race; the event is redelivered and tried again."""


def allocate(
    pool: Pool,
    team: str,
    limits_of: LimitsOf,
    rules: Sequence[Any],
    customer_id: str,
    now: datetime,
    reason: str = ALLOCATED,
    exclude: Iterable[str] = (),
    holding: Document | None = None,
) -> tuple[Document | None, Reasons | None]:
    """(holding, None) once owned, or (None, {person: reasons}) when nobody is eligible: the
    customer then waits in the public pool, marked so, for a manager to settle.

    The chosen person's holding cap is guarded by their counter as the customer is written (a
    step that matches only below the cap, ``counting``): allocations and claims at the same moment,
    on any instance, never take anyone past it. One found at the cap then (their counter recounted
    first when it may say too much) is passed over and the rotation asked again without them.
    ``holding``: the customer's holding as the caller just read or wrote it (a stale one only
    costs a retry)."""
    exclude = tuple(exclude)
    holding = holding if holding is not None else pool.holding(customer_id)
    if holding is None:
        raise NotFound.of("customer in the pool", customer_id)
    if holding["state"] == OWNED and not exclude:
        return holding, None
    capped: Reasons = {}
    while True:
        owner_id, excluded, people = choose_owner(pool, team, limits_of, rules, holding, (*exclude, *capped))
        if owner_id is None:
            change_holding(
                pool,
                customer_id,
                lambda h: give_back(
                    h, h["state"] if h["state"] != OWNED else "public_pool", NOBODY_ELIGIBLE, SYSTEM, now
                ),
                holding,
            )
            return None, {**(excluded or {}), **capped}
        cap = _cap(rules, people[owner_id].max_held)
        for _attempt in range(MAX_SAVE_ATTEMPTS):
            try:
                _, after = change_holding(
                    pool,
                    customer_id,
                    partial(_take_unless_owned, owner_id=owner_id, reason=reason, now=now, exclude=exclude),
                    holding,
                    cap=cap,
                )
                return after or pool.holding(customer_id), None
            except AtCap:
                if (at_cap := _at_cap(pool, owner_id, cap)) is not None:
                    capped[owner_id] = [at_cap]
                    break
                holding = pool.holding(customer_id) or holding
        else:
            raise RotationBusy(f"{owner_id}'s counter kept moving while allocating {customer_id}")


def allocate_new(
    pool: Pool,
    team: str,
    limits_of: LimitsOf,
    rules: Sequence[Any],
    holding: Document,
    now: datetime,
    reason: str = ALLOCATED,
) -> tuple[Document, bool, Reasons | None]:
    """A customer new to the pool given its owner as its holding is first written: the rotation's
    turn, the owner's counter step (guarded by their cap), the holding and its audit entry in one
    command (``Pool.add_allocated``); or, when nobody is eligible, the holding added waiting in the
    public pool, marked so. (the holding stored, added now?, {person: reasons} when it was added
    with nobody eligible); not added: the customer's holding was there already (a redelivery), as
    stored, for the caller to place as any holding the pool has."""
    customer_id = holding["_id"]
    capped: Reasons = {}
    while True:
        chosen, excluded, people = _eligible_now(pool, team, limits_of, rules, holding, tuple(capped))
        members = tuple(Member(p.id, p.weight) for p in chosen)
        key = _rotation_key(team, members)
        for _attempt in range(MAX_SAVE_ATTEMPTS):
            try:
                # One turn of a rotation at a time in this process: its workers would otherwise
                # mostly lose the race to each other (other instances' turns are met by the guard).
                with _TURNING.setdefault(key, Lock()):
                    owner_id, turn = _decide(pool, key, members, customer_id)
                    cap = _cap(rules, people[owner_id].max_held)
                    taken = take(holding, owner_id, reason, SYSTEM, now) or holding
                    stored, added = pool.add_allocated(taken, turn, cap)
                return stored, added, None
            except NobodyEligible:
                waiting = give_back(holding, holding["state"], NOBODY_ELIGIBLE, SYSTEM, now) or holding
                stored, added = pool.add_allocated(waiting)
                return stored, added, ({**_nobody(chosen, excluded), **capped} if added else None)
            except RotationMoved:
                continue  # another instance took a turn first: read it and decide again
            except AtCap:
                if (at_cap := _at_cap(pool, owner_id, cap)) is not None:
                    capped[owner_id] = [at_cap]
                    break  # passed over: asked again without them
                # their counter said too much; recounted, it has room: the turn stands, tried again
        else:
            raise RotationBusy(f"the rotation or counters kept moving while allocating {customer_id}")


def _cap(rules: Sequence[Any], max_held: int | None) -> int | None:
    """The holding cap an allocation keeps to: the person's, while that rule is in force."""
    return max_held if any(rule_name(r) == below_holding_cap.name for r in rules) else None


def _at_cap(pool: Pool, person_id: str, cap: int | None) -> str | None:
    """Why ``person_id`` can take no more customers now (the holding-cap rule's words), or None:
    their counter, found at ``cap``, is recounted when it may say too much (``counting``)."""
    if cap is None or (held := pool.held(person_id, at_most=cap)) < cap:
        return None
    return f"{below_holding_cap.name}: holds {held} customers, the cap is {cap}"


def choose_owner(
    pool: Pool,
    team: str,
    limits_of: LimitsOf,
    rules: Sequence[Any],
    holding: Document,
    exclude: Iterable[str] = (),
) -> tuple[str | None, Reasons | None, dict[str, Salesperson]]:
    """(the person whose turn it is among those eligible for the holding, None) — or (None,
    {person: reasons}) when nobody is eligible — and the salespeople it chose among by id (read
    once, for the cap). Takes a turn of the rotation, changes no holding."""
    chosen, excluded, by_id = _eligible_now(pool, team, limits_of, rules, holding, tuple(exclude))
    try:
        return _turn(pool, team, chosen, holding["_id"]), None, by_id
    except NobodyEligible:
        return None, _nobody(chosen, excluded), by_id


def _eligible_now(
    pool: Pool, team: str, limits_of: LimitsOf, rules: Sequence[Any], holding: Document, exclude: tuple[str, ...]
) -> tuple[list[Salesperson], Reasons, dict[str, Salesperson]]:
    """(the people eligible for the holding, {person: why not} of the others, the salespeople read
    by id): the team's salespeople and their counters read once."""
    people = [p for p in salespeople(pool, team, limits_of) if p.id not in exclude]
    customer = NewCustomer(holding.get("country_code"), holding.get("intent_grade"), None, team)
    chosen, excluded = eligible(people, customer, rules=rules)
    return list(chosen), excluded, {p.id: p for p in people}


def _nobody(chosen: Sequence[Salesperson], excluded: Reasons) -> Reasons:
    """Why nobody was given the customer."""
    return excluded if chosen else excluded or {"": ["nobody in the team"]}


def _take_unless_owned(
    holding: Document, owner_id: str, reason: str, now: datetime, exclude: tuple[str, ...]
) -> Document | None:
    if holding["state"] == OWNED and holding["owner_id"] not in exclude:
        return None  # another instance allocated it meanwhile: its decision stands
    return hand_over(holding, owner_id, reason, SYSTEM, now)


def _rotation_key(team: str, members: Sequence[Member]) -> str:
    return f"{team}:" + ",".join(sorted(m.id for m in members))


def _decide(pool: Pool, key: str, members: tuple[Member, ...], customer_id: str) -> tuple[str, Turn | None]:
    """(the next owner from the rotation ``key`` of exactly these members, the turn to write: None
    when the rotation had decided it already), the rotation read, nothing written."""
    rotation, version = pool.rotation(key)
    current = rotation.with_members(members)
    owner_id, turned = current.assign(customer_id)
    return owner_id, (None if turned is current else (key, turned, version))


def _turn(pool: Pool, team: str, chosen: Sequence[Salesperson], customer_id: str) -> str:
    """The next owner from the rotation of exactly these people (one rotation per eligible set:
    customers with different eligible people must not reset each other's rotation)."""
    members = tuple(Member(p.id, p.weight) for p in chosen)
    key = _rotation_key(team, members)
    for _attempt in range(MAX_SAVE_ATTEMPTS):
        rotation, version = pool.load_rotation(key)
        current = rotation.with_members(members)
        owner_id, turned = current.assign(customer_id)
        if turned is current or pool.save_rotation(key, turned, version):
            return owner_id
    raise RotationBusy(f"rotation {key} changed {MAX_SAVE_ATTEMPTS} times while allocating {customer_id}")


def assign_requested_owner(pool: Pool, customer_id: str, owner_id: str, now: datetime) -> Document | None:
    """A salesperson who filed the customer by hand owns it; no rotation takes a turn."""
    _, after = change_holding(
        pool, customer_id, lambda h: None if h["state"] == OWNED else take(h, owner_id, FILED_BY_HAND, owner_id, now)
    )
    return after or pool.holding(customer_id)
