"""Giving a customer an owner by the allocation rules, exactly once, whatever the number of
pool instances: eligibility first, then the weighted rotation of the people eligible now."""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from contracts.errors import NotFound
from services.pool.changing import change_holding
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
from services.pool.guarding import PersonBusy, PersonLock, taking_for
from services.pool.store import Pool

Document = dict[str, Any]
Reasons = dict[str, list[str]]  # {person: why they may not take the customer}
LimitsOf = Callable[[str], ClaimLimits]

MAX_SAVE_ATTEMPTS = 50  # optimistic-concurrency retries against other pool instances


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
    lock: PersonLock | None = None,
    holding: Document | None = None,
) -> tuple[Document | None, Reasons | None]:
    """(holding, None) once owned, or (None, {person: reasons}) when nobody is eligible: the
    customer then waits in the public pool, marked so, for a manager to settle.

    The chosen person's holding cap is read again from their counter (never below the truth,
    ``counting``) under their lease (``guarding``), as the customer is written: allocations and
    claims at the same moment never take anyone past it. One
    found at the cap then is passed over and the rotation asked again without them. ``holding``:
    the customer's holding as the caller just read or wrote it (a stale one only costs a retry)."""
    lock = lock or PersonLock()
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
        try:
            with taking_for(pool, owner_id, lock):
                if (at_cap := _at_cap(pool, rules, owner_id, people[owner_id].max_held)) is None:
                    _, after = change_holding(
                        pool,
                        customer_id,
                        partial(_take_unless_owned, owner_id=owner_id, reason=reason, now=now, exclude=exclude),
                        holding,
                    )
                    return after or pool.holding(customer_id), None
        except PersonBusy as exc:
            raise RotationBusy(str(exc)) from exc
        capped[owner_id] = [at_cap]


def _at_cap(pool: Pool, rules: Sequence[Any], person_id: str, max_held: int | None) -> str | None:
    """Why ``person_id`` can take no more customers now (the holding-cap rule's words), or None —
    and None when that rule is not in force. ``max_held``: their cap, as the rotation just read
    it (their role's); what they hold is read again here, under their lease."""
    if not any(rule_name(r) == below_holding_cap.name for r in rules):
        return None
    if max_held is None or (held := pool.held(person_id, at_most=max_held)) < max_held:
        return None
    return f"{below_holding_cap.name}: holds {held} customers, the cap is {max_held}"


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
    exclude = tuple(exclude)
    people = [p for p in salespeople(pool, team, limits_of) if p.id not in exclude]
    customer = NewCustomer(holding.get("country_code"), holding.get("intent_grade"), None, team)
    chosen, excluded = eligible(people, customer, rules=rules)
    by_id = {p.id: p for p in people}
    try:
        return _turn(pool, team, chosen, holding["_id"]), None, by_id
    except NobodyEligible:
        return None, (excluded if chosen else excluded or {"": ["nobody in the team"]}), by_id


def _take_unless_owned(
    holding: Document, owner_id: str, reason: str, now: datetime, exclude: tuple[str, ...]
) -> Document | None:
    if holding["state"] == OWNED and holding["owner_id"] not in exclude:
        return None  # another instance allocated it meanwhile: its decision stands
    return hand_over(holding, owner_id, reason, SYSTEM, now)


def _turn(pool: Pool, team: str, chosen: Sequence[Salesperson], customer_id: str) -> str:
    """The next owner from the rotation of exactly these people (one rotation per eligible set:
    customers with different eligible people must not reset each other's rotation)."""
    members = tuple(Member(p.id, p.weight) for p in chosen)
    key = f"{team}:" + ",".join(sorted(m.id for m in members))
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
