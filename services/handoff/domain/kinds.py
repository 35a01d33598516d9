"""The kinds of handoff and who may take part (seed 002): marketing → sales, sales → service,
a salesperson leaving, a repair case, a high-value customer to a dedicated team (every member
signs), an ordinary customer handed over by syncing the archive (nobody signs).

A kind says which departments send and receive, its checklist, how many receivers, whether
they sign, who owns the customer once it is accepted, and the annual value it is for.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plugins.valuation import value_note, yearly_order_value

EACH_SIGNS, NOBODY_SIGNS = "each", "none"
RECEIVER_OWNS, OWNER_UNCHANGED = "receiver", "unchanged"
SYSTEM = "handoff"  # who "signs" a handoff that needs no signature (the archive sync)


class NotAllowed(Exception):
    """The handoff does not fit its kind or its state; the message says why, and ``field`` names
    the part of the request at fault (None: the state of things is)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class KindSpec:
    name: str
    senders: tuple  # departments that may send
    receivers: tuple  # departments receivers belong to
    checklist: tuple  # rule names (domain.checklists.RULES)
    min_receivers: int = 1
    max_receivers: int = 1
    signatures: str = EACH_SIGNS
    new_owner: str = RECEIVER_OWNS
    sender_collaborates: bool = False
    info_pending: bool = True  # may go through flagged "info pending" (信息待补全)
    min_annual_value: float | None = None
    below_annual_value: float | None = None
    receiver_by_rotation: bool = False  # no receiver named: the pool's weighted round-robin chooses

    @property
    def transfers_owner(self) -> bool:
        return self.new_owner == RECEIVER_OWNS


@dataclass(frozen=True)
class Directory:
    """Who works in which department (configuration)."""

    departments: dict  # department -> tuple of people

    def department_of(self, person: str) -> str | None:
        return next((d for d, people in self.departments.items() if person in people), None)


@dataclass(frozen=True)
class Valuation:
    """Annual value in one currency (the thresholds' currency), orders converted at set rates."""

    currency: str
    rates: dict  # currency -> value of one unit in ``currency``


def check_parties(
    spec: KindSpec,
    directory: Any,
    sender: str,
    receivers: Sequence[str],
    new_owner: str | None,
    checked_departments: bool = True,
) -> str | None:
    """Refuse (``NotAllowed``) senders and receivers the kind does not allow; return the new owner
    once accepted (None when the owner stays), chosen among the receivers."""
    if len(set(receivers)) != len(receivers):
        raise NotAllowed("A receiver is named twice.", "to")
    if sender in receivers:
        raise NotAllowed(f"{sender} cannot hand a customer to themselves.", "to")
    if not spec.min_receivers <= len(receivers) <= spec.max_receivers:
        wanted = (
            f"{spec.min_receivers}"
            if spec.min_receivers == spec.max_receivers
            else f"{spec.min_receivers} to {spec.max_receivers}"
        )
        raise NotAllowed(f"A {spec.name} handoff goes to {wanted} receiver(s), not {len(receivers)}.", "to")
    if checked_departments:
        _in_departments(directory, [sender], spec.senders, "send", "by")
        _in_departments(directory, receivers, spec.receivers, "receive", "to")
    if not spec.transfers_owner:
        if new_owner is not None:
            raise NotAllowed(f"A {spec.name} handoff leaves the owner unchanged: do not name a new owner.", "new_owner")
        return None
    if new_owner is not None and new_owner not in receivers:
        raise NotAllowed(f"The new owner {new_owner} must be one of the receivers.", "new_owner")
    return new_owner or receivers[0]


def collaborators_after(spec: KindSpec, sender: str, receivers: Sequence[str], new_owner: str | None) -> list[str]:
    """Who works on the customer beside its owner once the handoff is accepted."""
    helpers = [r for r in receivers if r != new_owner]
    return ([sender] if spec.sender_collaborates and sender != new_owner else []) + helpers


def annual_value(
    archive: dict[str, Any], expected: float | None, valuation: Valuation, now: datetime
) -> tuple[float, str]:
    """(value, note): last 365 days' orders converted into the valuation's currency, or what the
    sender expects the customer to buy in a year if that is more. Orders in a currency without a
    rate are left out, and the note says so."""
    total, unpriced = yearly_order_value(archive.get("orders") or [], valuation.rates, now)
    note = value_note(total, unpriced, valuation.currency)
    if expected is not None and expected > total:
        return expected, f"expected by the sender: {expected:,.0f} {valuation.currency}; {note}"
    return total, note


def check_value(spec: KindSpec, value: float, note: str, currency: str) -> None:
    """Refuse a value kind for a customer outside its range (``NotAllowed``)."""
    if spec.min_annual_value is not None and value < spec.min_annual_value:
        raise NotAllowed(
            f"A {spec.name} handoff is for customers buying at least {spec.min_annual_value:,.0f} "
            f"{currency} a year; this one: {note}.",
            "kind",
        )
    if spec.below_annual_value is not None and value >= spec.below_annual_value:
        raise NotAllowed(
            f"A {spec.name} handoff is for customers buying less than {spec.below_annual_value:,.0f} "
            f"{currency} a year; this one: {note}. Hand it over with sign-off instead.",
            "kind",
        )


def _in_departments(directory, people, departments, role, field):
    for person in people:
        department = directory.department_of(person)
        if department is None:
            raise NotAllowed(
                f"{person} is in no department: not an active user of the directory, nor listed in "
                "BATON.handoff.departments.",
                field,
            )
        if department not in departments:
            raise NotAllowed(
                f"{person} ({department}) may not {role} this kind of handoff: only {' or '.join(departments)} may.",
                field,
            )
