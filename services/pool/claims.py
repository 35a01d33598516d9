"""Claiming from the public pool (and what a person may still claim), releasing, rejecting and
reactivating customers.

Two people claiming one customer at the same moment: both read it claimable, one version-
guarded write wins, the other re-reads it owned and is told who won. A person's own claims
are counted in one document of theirs, also version-guarded, and counted under that person's
lease (``guarding``), so parallel clicks cannot pass a limit; the holding cap is kept by the
person's counter as the holding is written, so no allocation at the same moment passes it either. A claim is made only within the claimer's own
team's pool, and never straight back by the person a customer was recycled from for neglect.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NoReturn

from contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.pool.changing import change_holding
from services.pool.counting import AtCap
from services.pool.domain.claiming import (
    POOL_SCOPE,
    ClaimLimits,
    ClaimRefused,
    check_claim,
    check_claim_back,
    check_reclaim,
    claim_allowance,
    outside_pool_scope,
    release_reason,
)
from services.pool.domain.holdings import (
    CLAIMABLE,
    CLAIMED,
    NotAllowed,
    give_back,
    recycled_from,
    rejection,
    take,
    with_collaborator,
)
from services.pool.domain.recycling import DORMANT, INVALID, OWNED, PUBLIC_POOL, REJECTED
from services.pool.guarding import PersonBusy, taking_for
from services.pool.store import Pool
from services.runtime.access import ADMIN, MANAGER, Actor

Document = dict[str, Any]
Change = tuple[Document, Document | None]  # (holding before, holding after: None when nothing changed)
CLAIMS_KEPT_DAYS = 40  # a month and a week: enough history for every calendar-period limit
CAP_ATTEMPTS = 5  # a counter found at the cap is recounted; so many tries while others keep moving it


def claim(
    pool: Pool,
    settings: Document,
    limits_of: Callable[[str], ClaimLimits],
    customer_id: str,
    person_id: str,
    now: datetime,
) -> Document | None:
    """The holding ``person_id`` claimed from the pool (None: it was theirs already). Conflict when
    it is not claimable, a limit or a protection refuses it, or someone else claimed it first."""
    person = pool.person(person_id)
    if person is None or not person.get("active", True):
        raise InvalidInput(
            f"{person_id} is not an active salesperson.", {"fields": {"by": ["Not an active salesperson."]}}
        )
    holding = _holding(pool, customer_id)
    if holding["state"] == OWNED:
        _refuse_owned(holding, person_id)
    if holding["state"] not in CLAIMABLE:
        raise Conflict(
            f"{customer_id} is {holding['state']} ({holding['reason']}); only pool customers can be claimed.",
            {"state": holding["state"]},
        )
    if why := outside_pool_scope(person.get("team"), holding.get("team")):
        raise Forbidden.because(
            f"Claim refused: {why}.", limit=POOL_SCOPE, team=holding.get("team"), claimer_team=person.get("team")
        )
    protection = settings["claim_limits"]
    released = (holding.get("released_by") or {}).get(person_id)
    if refusal := check_reclaim(released, protection.release_protection_days, now, tz=settings["time_zone"]):
        raise _refused(refusal)
    if recycled := recycled_from(holding, person_id):
        if refusal := check_claim_back(
            recycled[0], protection.recycle_protection_days, now, tz=settings["time_zone"], reason=recycled[1]
        ):
            raise _refused(refusal)
    limits = limits_of(person["role"])
    try:
        # Claims are counted under the person's lease: parallel claims cannot each read the last
        # claim as still free. The holding cap is kept by their counter as the holding is written
        # (``counting``): an allocation at the same moment, taking no lease, cannot pass it either.
        with taking_for(pool, person_id, settings["person_lock"]):
            for _attempt in range(CAP_ATTEMPTS):
                _count_claim(pool, settings, limits, person_id, customer_id, now)  # refused at the cap
                try:
                    _, after = change_holding(
                        pool,
                        customer_id,
                        lambda h: (
                            take(h, person_id, CLAIMED, person_id, now)
                            if h["state"] in CLAIMABLE
                            else _refuse_owned(h, person_id)
                        ),
                        holding,
                        cap=limits.max_held,
                    )
                    return after
                except AtCap:
                    _uncount_claim(pool, person_id, customer_id)  # counted again, the cap read again
                except Conflict:
                    _uncount_claim(pool, person_id, customer_id)  # lost the race: the claim does not count
                    raise
    except PersonBusy as exc:
        raise Conflict(f"Claim not made: {exc}; try again.", {"busy": True}) from exc
    raise Conflict(f"Claim not made: {person_id}'s holdings kept changing; try again.", {"busy": True})


def _refuse_owned(holding: Document, person_id: str) -> NoReturn:
    if holding["owner_id"] == person_id:
        raise Conflict(f"You already own {holding['_id']}.", {"owner_id": person_id})
    raise Conflict(f"{holding['_id']} was claimed by {holding['owner_id']}.", {"owner_id": holding["owner_id"]})


def _count_claim(
    pool: Pool, settings: Document, limits: ClaimLimits, person_id: str, customer_id: str, now: datetime
) -> None:
    for _attempt in range(20):
        doc = pool.claimer(person_id)
        recent = _recent(doc["claims"], now)
        refusal = check_claim(
            limits,
            [c["at"] for c in recent],
            pool.held(person_id, at_most=limits.max_held),
            now,
            settings["week_starts_on"],
            tz=settings["time_zone"],
        )
        if refusal:
            raise _refused(refusal)
        changed = {**doc, "claims": recent + [{"customer_id": customer_id, "at": now}]}
        if pool.replace_claimer(changed, doc):
            return
    raise Conflict(f"Too many claims by {person_id} at once; try again.", {})


def _recent(claims: list[Document], now: datetime) -> list[Document]:
    """The claims still counted: older ones no period reaches are dropped."""
    return [c for c in claims if c["at"] > now - timedelta(days=CLAIMS_KEPT_DAYS)]


def _uncount_claim(pool: Pool, person_id: str, customer_id: str) -> None:
    for _attempt in range(20):
        doc = pool.claimer(person_id)
        kept = [c for c in doc["claims"] if c["customer_id"] != customer_id]
        if kept == doc["claims"] or pool.replace_claimer({**doc, "claims": kept}, doc):
            return


def _refused(refusal: ClaimRefused) -> Conflict:
    resets = refusal.resets_at.isoformat() if refusal.resets_at else None
    details: Document = {"limit": refusal.limit, "allowed": refusal.allowed, "used": refusal.used, "resets_at": resets}
    if refusal.reason is not None:
        details["reason"] = refusal.reason
    return Conflict(f"Claim refused: {refusal.message}.", details)


def release(pool: Pool, customer_id: str, person_id: str, reason: str, now: datetime, any_owner: bool) -> Change:
    """Owners release their own customers; managers (``any_owner``) any owned customer."""
    reason = given_reason(reason)

    def change(holding: Document) -> Document | None:
        if holding["state"] != OWNED:
            raise NotAllowed(f"only an owned customer can be released ({_who(holding)})")
        _owner_or_manager(holding, person_id, any_owner, "release")
        return give_back(holding, PUBLIC_POOL, f"released: {reason}", person_id, now)

    return changed_or_refused(pool, customer_id, change)


def reject(pool: Pool, customer_id: str, person_id: str, reason: str, now: datetime, any_owner: bool) -> Change:
    """Owners reject their own customers; managers (``any_owner``) any customer."""
    reason = given_reason(reason)

    def change(holding: Document) -> Document | None:
        _owner_or_manager(holding, person_id, any_owner, "reject")
        return give_back(holding, REJECTED, rejection(reason), person_id, now)

    return changed_or_refused(pool, customer_id, change)


def reactivate(pool: Pool, customer_id: str, person_id: str, reason: str, now: datetime) -> Change:
    """A rejected, dormant or invalid customer back in the public pool (managers)."""
    reason = given_reason(reason)

    def change(holding: Document) -> Document | None:
        if holding["state"] not in (REJECTED, DORMANT, INVALID):
            raise NotAllowed(f"only rejected, dormant or invalid customers are reactivated ({_who(holding)})")
        return give_back(holding, PUBLIC_POOL, f"reactivated: {reason}", person_id, now)

    return changed_or_refused(pool, customer_id, change)


def set_collaborator(pool: Pool, customer_id: str, user: str, present: bool, by: str, any_owner: bool) -> Change:
    """The owner names (or removes) collaborators; managers (``any_owner``) on any customer."""

    def change(holding: Document) -> Document | None:
        _owner_or_manager(holding, by, any_owner, "change who works on")
        return with_collaborator(holding, user, present)

    return changed_or_refused(pool, customer_id, change)


def search_scope(actor: Actor | None, query: Document) -> Document:
    """What a caller may search: a salesperson their own customers and their team's pools."""
    if actor is None or actor.is_any(MANAGER, ADMIN):
        return {}
    if query["state"] == OWNED:
        if query.get("owner_id") not in (None, actor.user_id):
            raise Forbidden.because(f"{actor.user_id} may search only their own customers.", owner_id=query["owner_id"])
        return {"owner_id": actor.user_id}
    return {"team": actor.team or ""}


def remaining_claims(
    pool: Pool,
    settings: Document,
    limits_of: Callable[[str], ClaimLimits],
    actor: Actor | None,
    person_id: str,
    now: datetime,
) -> Document:
    """What ``person_id`` may still claim (``ClaimAllowanceSchema``): their role's limits over the
    claims and holdings the claim rule counts. A person sees their own, a manager those of the
    people of their department, an admin anyone's."""
    department = _claims_readable_in(actor, person_id)
    person = pool.person(person_id)
    if person is None:
        raise NotFound.of("salesperson", person_id)
    if actor is not None and department is not None and person["department"] != department:
        raise Forbidden.because(
            f"{actor.describe()} may not see the claims of {person_id} (department "
            f"{person['department']}): only their own department's.",
            user_id=person_id,
        )
    allowance = claim_allowance(
        limits_of(person["role"]),
        [c["at"] for c in _recent(pool.claims_of(person_id), now)],
        pool.held(person_id),
        now,
        settings["week_starts_on"],
        tz=settings["time_zone"],
    )
    return {
        "user_id": person_id,
        "held": allowance.held,
        "max_held": allowance.max_held,
        "limits": [
            {"period": p.period, "used": p.used, "limit": p.allowed, "remaining": p.remaining, "resets_at": p.resets_at}
            for p in allowance.periods
        ],
    }


def _claims_readable_in(actor: Actor | None, person_id: str) -> str | None:
    """None: the caller may see anyone's claims (the system, an admin, the person themselves);
    else the department whose people's claims they may see (its manager). Others are refused
    before anything is looked up."""
    if actor is None or actor.user_id == person_id or actor.is_any(ADMIN):
        return None
    if actor.is_any(MANAGER) and actor.department:
        return actor.department
    raise Forbidden.because(
        f"{actor.describe()} may not see the claims of {person_id}: only their own.", user_id=person_id
    )


def changed_or_refused(pool: Pool, customer_id: str, change: Callable[[Document], Document | None]) -> Change:
    """``change_holding``, a change that does not fit the customer's state refused as a Conflict."""
    try:
        before, after = change_holding(pool, customer_id, change)
    except NotAllowed as exc:
        raise Conflict(f"{customer_id}: {exc}.", {}) from exc
    return before, after


def _owner_or_manager(holding: Document, person_id: str, any_owner: bool, doing: str) -> None:
    """Owners act on their own customers; managers (``any_owner``) on any."""
    if not any_owner and holding["owner_id"] != person_id:
        raise Forbidden.because(
            f"{person_id} may not {doing} {holding['_id']} ({_who(holding)}): its owner or a manager may.",
            owner_id=holding["owner_id"],
        )


def given_reason(text: str) -> str:
    """The reason a person gave, trimmed; InvalidInput naming ``reason`` when there is none."""
    try:
        return release_reason(text)
    except ValueError as exc:
        raise InvalidInput(str(exc).capitalize() + ".", {"fields": {"reason": ["A reason is required."]}}) from exc


def _who(holding: Document) -> str:
    return f"owned by {holding['owner_id']}" if holding["state"] == OWNED else holding["state"].replace("_", " ")


def _holding(pool: Pool, customer_id: str) -> Document:
    holding = pool.holding(customer_id)
    if holding is None:
        raise NotFound.of("customer in the pool", customer_id)
    return holding
