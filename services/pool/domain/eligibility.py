"""Who may receive a new customer, and why the others may not.

Each rule is a named callable ``(person, customer) -> reason | None``; None means "no
objection". Every rule is asked about every person, so when nobody is eligible a manager
sees all the reasons, not only the first. Plugins add rules of the same shape.

Eligibility comes before the rotation: ``rotation_for`` runs the weighted round-robin over
the people eligible now, so someone on leave, at their holding cap or outside the
customer's market takes no turn and builds up no credit.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from services.pool.domain.rotation import Member, Rotation


@dataclass(frozen=True)
class Salesperson:
    id: str
    weight: int
    team: str
    department: str
    markets: tuple[str, ...] = ()  # ISO 3166 alpha-2 codes; empty: every market
    grades: tuple[str, ...] = ()  # intent grades served; empty: every grade
    on_leave: bool = False
    held: int = 0  # customers owned now
    max_held: int | None = None  # holding cap (from claiming.limits_for); None: no cap


@dataclass(frozen=True)
class NewCustomer:
    country: str | None  # ISO 3166 alpha-2; None when unknown
    intent_grade: str | None
    department: str | None  # None: any department may take it
    team: str | None  # None: any team may take it


@dataclass(frozen=True)
class Rule:
    name: str
    check: "Check"

    def __call__(self, person: Salesperson, customer: NewCustomer) -> str | None:
        return self.check(person, customer)


Check = Callable[[Salesperson, NewCustomer], str | None]  # a rule: why the person may not, or None


def rule(name: str) -> Callable[[Check], Rule]:
    """Decorator turning ``(person, customer) -> reason | None`` into a named ``Rule``."""
    return lambda check: Rule(name, check)


@rule("market")
def serves_market(person: Salesperson, customer: NewCustomer) -> str | None:
    if not person.markets:
        return None
    # An unknown country is no market of theirs: better unassigned than sent to the wrong desk.
    served = {m.upper() for m in person.markets}
    if customer.country and customer.country.upper() in served:
        return None
    return f"serves {', '.join(sorted(served))}; customer's country is {customer.country or 'unknown'}"


@rule("grade")
def serves_grade(person: Salesperson, customer: NewCustomer) -> str | None:
    if not person.grades or customer.intent_grade in person.grades:
        return None
    return f"serves grades {', '.join(person.grades)}; customer is graded {customer.intent_grade or 'ungraded'}"


@rule("department")
def in_department(person: Salesperson, customer: NewCustomer) -> str | None:
    if customer.department is None or person.department == customer.department:
        return None
    return f"in department {person.department}; customer goes to {customer.department}"


@rule("team")
def in_team(person: Salesperson, customer: NewCustomer) -> str | None:
    if customer.team is None or person.team == customer.team:
        return None
    return f"in team {person.team}; customer goes to {customer.team}"


@rule("on_leave")
def not_on_leave(person: Salesperson, customer: NewCustomer) -> str | None:
    return "on leave" if person.on_leave else None


@rule("holding_cap")
def below_holding_cap(person: Salesperson, customer: NewCustomer) -> str | None:
    if person.max_held is None or person.held < person.max_held:
        return None
    return f"holds {person.held} customers, the cap is {person.max_held}"


@rule("weight")
def has_weight(person: Salesperson, customer: NewCustomer) -> str | None:
    # The rotation skips weight 0 silently; saying so here explains an empty choice.
    return "weight is 0 (receives no new customers)" if person.weight <= 0 else None


DEFAULT_RULES = (serves_market, serves_grade, in_department, in_team, not_on_leave, below_holding_cap, has_weight)
RULES_BY_NAME = {r.name: r for r in DEFAULT_RULES}


def rule_name(check: Any) -> str:
    """A rule's name: a ``Rule``'s own, else the function's (a plugin's rule may be either)."""
    return str(getattr(check, "name", None) or getattr(check, "__name__", repr(check)))


def eligible(
    salespeople: Iterable[Salesperson],
    customer: NewCustomer,
    rules: Sequence[Check] = DEFAULT_RULES,
    extra_rules: Sequence[Check] = (),
) -> tuple[list[Salesperson], dict[str, list[str]]]:
    """(eligible people in the given order, {person id: ["rule: reason", ...]} for the rest)."""
    chosen: list[Salesperson] = []
    excluded: dict[str, list[str]] = {}
    for person in salespeople:
        reasons = _objections(person, customer, (*rules, *extra_rules))
        if reasons:
            excluded[person.id] = reasons
        else:
            chosen.append(person)
    return chosen, excluded


def _objections(person: Salesperson, customer: NewCustomer, rules: Sequence[Check]) -> list[str]:
    return [f"{rule_name(check)}: {reason}" for check in rules if (reason := check(person, customer))]


def rotation_for(rotation: Rotation, eligible_people: Iterable[Salesperson]) -> Rotation:
    """The rotation over the people eligible now, in their configured order.

    ``Rotation.with_members`` starts every credit level again when the membership changes.
    For someone returning from leave that is the point: they rejoin level with the others,
    with no credit saved up from the turns they missed, so no catch-up burst; from then on
    they are never more than one customer ahead of their weighted share.

    Caution: the reset also happens when the eligible set differs from one *customer* to the
    next (market, grade rules). Alternating such customers resets every turn, and a reset
    rotation always picks the heaviest weight, so weights stop being shares. Keep one saved
    rotation per distinct eligible set (e.g. keyed by team and the sorted ids) when
    per-customer rules are in use.
    """
    return rotation.with_members(Member(p.id, p.weight) for p in eligible_people)
