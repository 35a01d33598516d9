"""Who may read and change which customer archives, and which fields they see.

The caller is an actor (user_id, role, department, team; ``is_any(*labels)``), or None for the
system. The rules (DOMAIN "Permissions", issue 7):

- admins see and change everything;
- marketing sees every archive (every customer is a lead of theirs) but changes none of
  sales' records;
- a member of sales, service, tech or production sees the customers they own or collaborate
  on; sales also sees its team's pool (an archive nobody owns, in its team or in no team yet);
- a manager sees the customers their department holds: marketing and sales every customer,
  the others those handed over to them;
- the owner, a collaborator or a manager who sees it may change an archive; marketing changes
  the leads nobody owns yet (it screens them: contacts attempted, needs made specific) and reads,
  but does not change, a customer someone owns (README "Access", issue 15);
- price fields (quotes' prices, order amounts, target price) are shown only to the roles the
  configuration names, and so are the value grade's reasons: the yearly order value a rule read
  ("orders of the last 365 days: 340,800 CNY"), or what a person wrote about the customer's worth.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from contracts.access import EVERY_CUSTOMER
from services.profile.domain.documents import Archive

PRICE_FIELDS = ("target_price",)
PRICED_RECORDS = {"quotes": "unit_price", "orders": "amount"}
POOLED = ("public_pool", "dormant")


class Person(Protocol):
    """A caller as these rules read it (``services.runtime.access.Actor``)."""

    @property
    def user_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def department(self) -> str | None: ...
    @property
    def team(self) -> str | None: ...


@dataclass(frozen=True)
class Scope:
    """The archives a caller may list, as filters a store can apply (None: every archive)."""

    owner_or_collaborator: str | None = None
    team_pool: bool = False
    team: str | None = None
    department: str | None = None


def scope_of(actor: Person | None) -> Scope | None:
    if actor is None or actor.role == "admin" or actor.department == "marketing":
        return None
    if actor.role == "manager":
        return None if actor.department in EVERY_CUSTOMER else Scope(department=actor.department)
    if actor.role == "member" and actor.department:
        return Scope(owner_or_collaborator=actor.user_id, team_pool=actor.department == "sales", team=actor.team)
    return Scope(owner_or_collaborator="")  # anyone else (an integration): nothing


def can_read(actor: Person | None, archive: Archive) -> bool:
    scope = scope_of(actor)
    if scope is None:
        return True
    if scope.department is not None:
        return scope.department in archive.get("departments", ())
    if actor is not None and scope.owner_or_collaborator and _works_on(actor, archive):
        return True
    return (
        scope.team_pool
        and archive.get("owner_id") is None
        and archive.get("pool_state", "public_pool") in POOLED
        and archive.get("team") in (None, scope.team)
    )


def can_change(actor: Person | None, archive: Archive) -> bool:
    """Owner, collaborator, admin, a manager who sees it; marketing only a lead nobody owns."""
    if actor is None or actor.role == "admin" or _works_on(actor, archive):
        return True
    if actor.department == "marketing":
        return not archive.get("owner_id")
    if actor.role == "manager":
        return can_read(actor, archive)
    return False


def refusal(actor: Person, archive: Archive, doing: str) -> str | None:
    """Why ``actor`` may not do this to ``archive`` (None: they may)."""
    if can_change(actor, archive):
        return None
    if actor.department == "marketing":
        return (
            f"{actor.user_id} may not {doing} {archive['_id']}: it is owned by {archive['owner_id']}; marketing "
            f"reads the customers sales owns but does not change them (its owner, a collaborator or a sales "
            f"manager may)."
        )
    holder = f"owned by {archive['owner_id']}" if archive.get("owner_id") else "in the pool"
    return (
        f"{actor.user_id} may not {doing} {archive['_id']}: it is {holder}; its owner, a collaborator or a manager may."
    )


def without_prices(view: dict[str, Any]) -> dict[str, Any]:
    """The archive view with every price field blanked (null), for callers who may not see them;
    the value grade keeps its grade and who set it, without its reasons."""
    hidden = {**view, **{name: None for name in PRICE_FIELDS if name in view}}
    for records, field in PRICED_RECORDS.items():
        if records in view:
            hidden[records] = [{**record, field: None} for record in view[records]]
    if view.get("value_grade"):
        hidden["value_grade"] = {**view["value_grade"], "reasons": []}
    return hidden


def _works_on(actor: Person, archive: Archive) -> bool:
    return archive.get("owner_id") == actor.user_id or actor.user_id in archive.get("collaborators", ())
