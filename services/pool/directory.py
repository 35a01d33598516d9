"""The salespeople the pool allocates to: seeded from configuration, then kept in the store so
leave, overrides and computed weights survive restarts and are shared by every pool instance."""
from services.pool.domain.eligibility import Salesperson
from services.runtime.guarded import change_guarded


def seed(pool, allocation, now):
    """Add every configured salesperson the store does not know yet (idempotent)."""
    known = {p["_id"] for p in pool.everyone()}
    for order, person in enumerate(allocation["salespeople"]):
        if person["id"] in known:
            continue
        pool.add_person({"_id": person["id"], "order": order, "team": allocation["team"],
                         "department": person["department"], "role": person["role"],
                         "markets": person["markets"], "grades": person["grades"], "on_leave": False, "active": True,
                         "configured_weight": person["weight"], "computed_weight": None, "weight_override": None,
                         "conversion_rate": None, "since": now, "version": 0})


def effective_weight(person):
    for weight in (person.get("weight_override"), person.get("computed_weight")):
        if weight is not None:
            return weight
    return person["configured_weight"]


def salespeople(pool, team, limits_of):
    """The team's active salespeople as the eligibility rules see them (holding now, cap by role)."""
    return [Salesperson(id=p["_id"], weight=effective_weight(p), team=p["team"], department=p["department"],
                        markets=tuple(p["markets"]), grades=tuple(p["grades"]), on_leave=p["on_leave"],
                        held=pool.held_by(p["_id"], at_most=limits_of(p["role"]).max_held),
                        max_held=limits_of(p["role"]).max_held)
            for p in pool.everyone(team) if p.get("active", True)]


def view(pool, person):
    return {**person, "id": person["_id"], "weight": effective_weight(person), "held": pool.held_by(person["_id"])}


def change_person(pool, person_id, change):
    """The person after ``change`` (person -> changed person, or None), or None if unknown."""
    before, _after = change_guarded(pool.person, pool.replace_person, person_id,
                                    lambda p: (changed := change(p)) and {**changed, "version": p["version"] + 1})
    return pool.person(person_id) if before is not None else None
