"""The salespeople the pool allocates to: the gateway's users (``user_saved``) who sell, kept in
the store so leave, overrides and computed weights survive restarts and are shared by every pool
instance. The configuration names nobody into existence: an entry of ``allocation.salespeople``
only sets the weight (and markets, grades, role) of the user with that id."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.pool.domain.claiming import ClaimLimits
from services.pool.domain.eligibility import Salesperson
from services.pool.store import Pool
from services.runtime.guarded import change_guarded

Document = dict[str, Any]


def seed(pool: Pool, allocation: Document, now: datetime) -> None:
    """Bring the people the store knows in line with the configuration (idempotent): a configured
    entry's weight applies to its user; someone who was never a user (an older configuration
    seeded them by name) is allocated nothing. Once per running service: the configuration does
    not change while it runs."""
    if allocation["team"] in pool.seeded_teams:
        return
    configured = {entry["id"]: entry for entry in allocation["salespeople"]}
    for person in pool.everyone():
        change_person(pool, person["_id"], lambda p: as_configured(p, configured.get(p["_id"])), person)
    pool.seeded_teams.add(allocation["team"])


def as_configured(person: Document, entry: Document | None) -> Document | None:
    """The person as the configuration has them now (their entry's weight; inactive when they were
    never a user), or None when nothing changes."""
    changed = dict(person)
    if "user_version" not in person:
        changed["active"] = False  # not a user of the directory: nobody to give customers to
    if entry is not None:
        changed["configured_weight"] = entry["weight"]
        # markets and grades set through the API stand unless the configuration names some
        changed.update({k: entry[k] for k in ("markets", "grades") if entry[k]})
    return None if changed == person else changed


def sync_user(pool: Pool, allocation: Document, user: Document, now: datetime) -> Document | None:
    """A user saved in the gateway's directory (user_saved). A member of the selling department
    joins the salespeople (with the weight, markets and grades configured for their id, else
    ``new_salesperson_weight``, every market and grade, until a manager sets otherwise); one
    deactivated, moved to another department or made a manager is no longer allocated to, and
    comes back when that is undone. Someone who left stays gone: leaving is the pool's own
    operation. Returns the person, or None when the user is not one."""
    sells = user["role"] == "member" and user["department"] == allocation["department"]
    person = pool.person(user["user_id"])
    if person is None:
        if not (sells and user["active"]):
            return None
        entry = next((e for e in allocation["salespeople"] if e["id"] == user["user_id"]), None)
        return pool.add_person(
            {
                "_id": user["user_id"],
                "order": len(pool.everyone()),
                "team": user["team"] or allocation["team"],
                "department": user["department"],
                "role": entry["role"] if entry else "sales",
                "markets": entry["markets"] if entry else [],
                "grades": entry["grades"] if entry else [],
                "on_leave": False,
                "active": True,
                "configured_weight": entry["weight"] if entry else allocation["new_salesperson_weight"],
                "computed_weight": None,
                "weight_override": None,
                "conversion_rate": None,
                "since": now,
                "user_version": user["version"],
            }
        )

    def synced(p: Document) -> Document | None:
        if p.get("user_version", -1) >= user["version"]:
            return None  # an older change, redelivered or overtaken
        return {
            **p,
            "active": sells and user["active"] and not p.get("left_at"),
            "user_version": user["version"],
            "team": user["team"] or p["team"],
            "department": user["department"] or p["department"],
        }

    return change_person(pool, user["user_id"], synced, person)


def effective_weight(person: Document) -> int:
    """The weight the rotation gives the person: a manager's override, else the computed one,
    else the configured one."""
    for weight in (person.get("weight_override"), person.get("computed_weight")):
        if weight is not None:
            return weight
    return person["configured_weight"]


def salespeople(pool: Pool, team: str, limits_of: Callable[[str], ClaimLimits]) -> list[Salesperson]:
    """The team's active salespeople as the eligibility rules see them (holding now, from their
    counters in one read whatever they hold; cap by role)."""
    people = [p for p in pool.everyone(team) if p.get("active", True)]
    caps = {p["_id"]: limits_of(p["role"]).max_held for p in people}
    held = pool.held_by_each(list(caps), at_most=caps.get) if people else {}
    return [
        Salesperson(
            id=p["_id"],
            weight=effective_weight(p),
            team=p["team"],
            department=p["department"],
            markets=tuple(p["markets"]),
            grades=tuple(p["grades"]),
            on_leave=p["on_leave"],
            held=held[p["_id"]],
            max_held=caps[p["_id"]],
        )
        for p in people
    ]


def view(pool: Pool, person: Document) -> Document:
    """The person as ``SalespersonSchema`` shows them: their weight and how many they hold."""
    return {**person, "id": person["_id"], "weight": effective_weight(person), "held": pool.held_by(person["_id"])}


def change_person(
    pool: Pool, person_id: str, change: Callable[[Document], Document | None], current: Document | None = None
) -> Document | None:
    """The person after ``change`` (person -> changed person, or None), or None if unknown.
    ``current``: the person as the caller just read them, if it has them."""
    before, after = change_guarded(pool.person, pool.replace_person, person_id, change, current)
    return after or before
