"""A customer's place in the pool: owned by one person (with collaborators), or in the public
pool, the dormant pool or the rejected list — never two owners, never lost.

Every change returns the new holding (or None: nothing to change); the store writes it only if
nobody changed it meanwhile, moving its version on (that is what makes two simultaneous claims
have one winner).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.pool.domain.recycling import DORMANT, INVALID, OWNED, PUBLIC_POOL, REJECTED, SCREENING, WarnedFor

Holding = dict[str, Any]

CLAIMABLE = (PUBLIC_POOL, DORMANT)
SYSTEM = "pool"

# Why a customer is where it is (the start of ``reason``; the rest says more).
ALLOCATED, CLAIMED, FILED_BY_HAND, REASSIGNED = "weighted round-robin", "claimed", "filed by hand", "reassigned"
NEW_UNALLOCATED, RELEASED, RECYCLED, NOBODY_ELIGIBLE = (
    "waiting for allocation",
    "released",
    "recycled",
    "nobody eligible",
)
# A new lead waiting for marketing's screening (BATON.allocation.screening): nobody owns it yet.
AWAITING_SCREENING = "waiting for marketing's screening"
# An inquiry sent with ``allocate: false`` (a backlog imported into the pool): it waits to be claimed.
POOL_ASKED = "not allocated: its inquiry asked for the public pool"
# A new customer that may be someone's existing customer (撞单) waits unallocated, the holding marked
# so, until a person decides; kept apart, it is placed as it would have been (``reviewing``).
HELD_FOR_REVIEW = "held_for_review"


def rejection(reason: str) -> str:
    """Why a rejected customer is where it is: the reason the person gave."""
    return f"{REJECTED}: {reason}"


def rejection_reason(holding: Holding) -> str:
    """The reason the person who rejected the customer gave."""
    return holding["reason"].removeprefix(f"{REJECTED}: ")


class NotAllowed(Exception):
    """The change does not fit the customer's state; the message says why."""


@dataclass(frozen=True)
class Facts:
    """What the pool knows of a customer from profile's events (for rules and search)."""

    company: str | None = None
    country: str | None = None  # as given
    country_code: str | None = None  # ISO 3166 alpha-2 when known: what rules and searches read
    intent_grade: str | None = None
    stage: str = "new_contact"
    tags: tuple[str, ...] = ()
    last_contact_at: datetime | None = None
    last_follow_up_at: datetime | None = None
    has_open_need: bool = True
    deal_closed: bool = False


def new_holding(
    customer_id: str, team: str, facts: Facts, now: datetime, reason: str = NEW_UNALLOCATED, profile_version: int = 0
) -> Holding:
    """A customer new to the pool (the store gives it its first version); ``profile_version``: the
    version of profile's archive its facts were read off (0: only what the creation said)."""
    return {
        "_id": customer_id,
        "state": PUBLIC_POOL,
        "owner_id": None,
        "collaborators": [],
        "team": team,
        "allocated_at": None,
        "reason": reason,
        "since": now,
        "by": SYSTEM,
        "released_by": {},
        "warned_for": None,
        "profile_version": profile_version,
        "created_at": now,
        **facts_fields(facts, now),
    }


def screening_holding(customer_id: str, team: str, facts: Facts, now: datetime, profile_version: int = 0) -> Holding:
    """A new lead in marketing's screening queue: owned by no salesperson, claimable by none, and
    out of recycling until marketing hands it to sales (a handoff) or marks it invalid."""
    return {**new_holding(customer_id, team, facts, now, AWAITING_SCREENING, profile_version), "state": SCREENING}


def held_for_review(holding: Holding, requested_owner: str | None) -> Holding:
    """The new holding waiting for a person's review of its possible duplicates: once they are kept
    apart it is allocated, or given to ``requested_owner`` (who filed it by hand), unless someone
    took it meanwhile."""
    return {**holding, HELD_FOR_REVIEW: True, "requested_owner": requested_owner}


def released_from_review(holding: Holding, decision_id: str) -> Holding | None:
    """The holding no longer held for review, released by the decision ``decision_id`` (remembered:
    a redelivered decision finds its own release); None when it is not held (never was, claimed,
    assigned or moved meanwhile, or released already)."""
    if not holding.get(HELD_FOR_REVIEW) or holding["state"] != PUBLIC_POOL or holding.get("owner_id"):
        return None
    return {**holding, HELD_FOR_REVIEW: False, "released_by_decision": decision_id}


def _review_over(holding: Holding) -> Holding:
    """The fields that end a hold for review: any owner or move decides the customer's place."""
    return {HELD_FOR_REVIEW: False} if holding.get(HELD_FOR_REVIEW) else {}


def invalid_lead(reason: str) -> str:
    """Why an invalid lead is where it is: the reason marketing gave."""
    return f"{INVALID}: {reason}"


def marked_invalid(holding: Holding, reason: str, by: str, now: datetime, any_owner: bool) -> Holding | None:
    """The lead out of the screening queue (or the public pool) as invalid (无效线索), or None when
    it is already, for the same reason. An owned customer only by its owner or a manager
    (``any_owner``); a rejected one stays rejected (``NotAllowed``)."""
    if holding["state"] == REJECTED:
        raise NotAllowed(f"rejected ({holding['reason']}): it is not a lead to screen")
    if holding["state"] == OWNED and not any_owner and holding["owner_id"] != by:
        raise NotAllowed(f"owned by {holding['owner_id']}: only its owner or a manager may mark it invalid")
    return give_back(holding, INVALID, invalid_lead(reason), by, now)


def facts_fields(facts: Facts, created_at: datetime) -> dict[str, Any]:
    return {
        "company": facts.company,
        "country": facts.country,
        "country_code": facts.country_code,
        "intent_grade": facts.intent_grade,
        "stage": facts.stage,
        "tags": list(facts.tags),
        "last_contact_at": facts.last_contact_at,
        "last_follow_up_at": facts.last_follow_up_at,
        "has_open_need": facts.has_open_need,
        "deal_closed": facts.deal_closed,
        # kept as fields so one index serves each recycling query (see recycling.due_thresholds)
        "contact_clock": facts.last_contact_at or created_at,
    }


def with_facts(holding: Holding, facts: Facts, profile_version: int) -> Holding | None:
    """The holding with newer facts from profile, or None if these are not newer."""
    if profile_version <= holding.get("profile_version", 0):
        return None
    changed = {**holding, **facts_fields(facts, holding["created_at"]), "profile_version": profile_version}
    changed["follow_up_clock"] = _follow_up_clock(changed)
    return changed


def with_country_code(holding: Holding, country_code: str | None) -> Holding | None:
    """The holding keeping the ISO code of its country, or None if it keeps one already (holdings
    written before holdings kept one)."""
    if "country_code" in holding:
        return None
    return {**holding, "country_code": country_code}


def take(holding: Holding, owner_id: str, reason: str, by: str, now: datetime) -> Holding | None:
    """The holding owned by ``owner_id``. Raises ``NotAllowed`` if someone else owns it or it is
    rejected (a rejected customer is reactivated first, by a person)."""
    if holding["state"] == OWNED:
        if holding["owner_id"] == owner_id:
            return None
        raise NotAllowed(f"already owned by {holding['owner_id']}")
    if holding["state"] == REJECTED:
        raise NotAllowed(f"rejected ({holding['reason']}): reactivate it first")
    taken = {
        **holding,
        "state": OWNED,
        "owner_id": owner_id,
        "allocated_at": now,
        "reason": reason,
        "since": now,
        "by": by,
        "warned_for": None,
        "collaborators": [c for c in holding["collaborators"] if c != owner_id],
        **_review_over(holding),
        # named by the change that made it (the version it was taken at), so announcing it again
        # (redelivery) names the same one
        "allocation_id": f"{holding['_id']}:{owner_id}:from-v{holding.get('version', 0)}",
    }
    taken["follow_up_clock"] = _follow_up_clock(taken)
    return taken


def give_back(holding: Holding, state: str, reason: str, by: str, now: datetime) -> Holding | None:
    """The holding without an owner, in ``state`` (public pool, dormant or rejected)."""
    if holding["state"] == state and state != OWNED and holding["reason"] == reason:
        return None
    released_by = dict(holding.get("released_by") or {})
    if holding["owner_id"] and by == holding["owner_id"]:
        released_by[by] = now  # protects the customer from its releaser's own re-claim
    return {
        **holding,
        "state": state,
        "owner_id": None,
        "allocated_at": None,
        "allocation_id": None,
        "reason": reason,
        "since": now,
        "by": by,
        "warned_for": None,
        "released_by": released_by,
        "follow_up_clock": None,
        **_review_over(holding),
    }


def allocation_id(holding: Holding) -> str:
    """The id of the allocation that made the holding's owner its owner. Holdings taken before
    allocations had ids are named by their stored time (the store keeps milliseconds): read back
    on redelivery, it is the same every time."""
    if holding.get("allocation_id"):
        return holding["allocation_id"]
    at = holding["allocated_at"]
    stored = at.replace(microsecond=at.microsecond // 1000 * 1000)
    return f"{holding['_id']}:{holding['owner_id']}:{stored.isoformat()}"


def recycle(holding: Holding, why: str, now: datetime) -> Holding | None:
    """The holding back in the public pool because its owner neglected it (``why``: the rule's
    reason), remembering whom it was taken from and when, so they cannot claim it straight back.
    Kept as a list of {person, at, reason}, not an object keyed by person: ids may hold "."."""
    returned = give_back(holding, PUBLIC_POOL, f"{RECYCLED}: {why}", SYSTEM, now)
    if returned is None or not holding.get("owner_id"):
        return returned
    earlier = [r for r in holding.get("recycled_from") or () if r["person"] != holding["owner_id"]]
    return {**returned, "recycled_from": earlier + [{"person": holding["owner_id"], "at": now, "reason": why}]}


def recycled_from(holding: Holding, person_id: str) -> tuple[datetime, str] | None:
    """The latest time (and why) the customer was recycled from ``person_id``: (at, reason) or None."""
    found = [r for r in holding.get("recycled_from") or () if r["person"] == person_id]
    return (found[-1]["at"], found[-1]["reason"]) if found else None


def hand_over(holding: Holding, owner_id: str, reason: str, by: str, now: datetime) -> Holding | None:
    """The holding owned by ``owner_id``, given back to the pool first when someone else owns it
    (so the move shows as a release and a take, and the releaser's protection applies)."""
    released = give_back(holding, PUBLIC_POOL, reason, by, now) if holding["state"] == OWNED else holding
    return take(released or holding, owner_id, reason, by, now)


def warned(holding: Holding, warning: WarnedFor) -> Holding | None:
    """The holding remembering the warning its owner was sent (None: it does already)."""
    return None if holding.get("warned_for") == warning else {**holding, "warned_for": warning}


def inquired_since_rejection(holding: Holding, now: datetime) -> Holding | None:
    """The rejected holding marked as inquiring again since its rejection (first on the review
    list), or None when it is already."""
    return None if holding.get("inquiry_since_rejection") else {**holding, "inquiry_since_rejection": now}


def warning_answered(holding: Holding) -> Holding:
    """The holding without the warning it was sent: a follow-up answered it."""
    return {**holding, "warned_for": None}


def with_collaborator(holding: Holding, user: str, present: bool) -> Holding | None:
    collaborators = [c for c in holding["collaborators"] if c != user] + ([user] if present else [])
    if collaborators == holding["collaborators"]:
        return None
    if present and user == holding.get("owner_id"):
        raise NotAllowed(f"{user} owns this customer")
    return {**holding, "collaborators": collaborators}


def _follow_up_clock(holding: Holding) -> datetime | None:
    if holding["state"] != OWNED:
        return None
    last = holding.get("last_follow_up_at")
    return max(holding["allocated_at"], last) if last else holding["allocated_at"]
