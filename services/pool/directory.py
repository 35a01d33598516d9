"""The salespeople the pool allocates to: seeded from configuration, then kept in the store so
leave, overrides and computed weights survive restarts and are shared by every pool instance."""
from services.pool.domain.eligibility import Salesperson
from services.runtime.guarded import change_guarded


def seed(pool, allocation, now):
    """Add every configured salesperson the store does not know yet (idempotent). Once per running
    service: the configuration does not change while it runs."""
    if allocation["team"] in pool.seeded_teams:
        return
    known = {p["_id"] for p in pool.everyone()}
    for order, person in enumerate(allocation["salespeople"]):
        if person["id"] in known:
            continue
        pool.add_person({"_id": person["id"], "order": order, "team": allocation["team"],
                         "department": person["department"], "role": person["role"],
                         "markets": person["markets"], "grades": person["grades"], "on_leave": False, "active": True,
                         "configured_weight": person["weight"], "computed_weight": None, "weight_override": None,
                         "conversion_rate": None, "since": now, "version": 0})
    pool.seeded_teams.add(allocation["team"])


def sync_user(pool, allocation, user, now):
    """A user saved in the gateway's directory (user_saved). A member of the selling department
    joins the salespeople (weight ``new_salesperson_weight``, every market and grade, until a
    manager sets otherwise); one deactivated, moved to another department or made a manager is no
    longer allocated to, and comes back when that is undone. Someone who left stays gone: leaving
    is the pool's own operation. Returns the person, or None when the user is not one."""
    sells = user["role"] == "member" and user["department"] == allocation["department"]
    person = pool.person(user["user_id"])
    if person is None:
        if not (sells and user["active"]):
            return None
        return pool.add_person({"_id": user["user_id"], "order": len(pool.everyone()),
                         "team": user["team"] or allocation["team"],
                         "department": user["department"], "role": "sales", "markets": [], "grades": [],
                         "on_leave": False, "active": True, "configured_weight": allocation["new_salesperson_weight"],
                         "computed_weight": None, "weight_override": None, "conversion_rate": None, "since": now,
                         "user_version": user["version"], "version": 0})

    def synced(p):
        if p.get("user_version", -1) >= user["version"]:
            return None       # an older change, redelivered or overtaken
        return {**p, "active": sells and user["active"] and not p.get("left_at"), "user_version": user["version"],
                "team": user["team"] or p["team"], "department": user["department"] or p["department"]}
    return change_person(pool, user["user_id"], synced, person)


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


def change_person(pool, person_id, change, current=None):
    """The person after ``change`` (person -> changed person, or None), or None if unknown.
    ``current``: the person as the caller just read them, if it has them."""
    before, after = change_guarded(pool.person, pool.replace_person, person_id,
                                   lambda p: (changed := change(p)) and {**changed, "version": p["version"] + 1},
                                   current)
    return after or before
