"""Gates between departments' steps (seed 002: production may not start before "voltage 110V"
is recorded). A step is declared in configuration with the department that does it, the steps
that must come first and the fields that must be recorded; starting it is refused, naming
each missing field, until they are.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.handoff.domain import Document, outbox
from services.handoff.domain.kinds import NotAllowed


@dataclass(frozen=True)
class StepSpec:
    name: str
    department: str
    after: tuple = ()  # steps that must have started first
    requires: tuple = ()  # fields that must be recorded


@dataclass(frozen=True)
class Gate:
    step: str
    open: bool
    missing_fields: tuple
    missing_steps: tuple
    reasons: tuple


def gate(spec: StepSpec, started: Collection[str], agreed: dict[str, Any], archive: Document) -> Gate:
    """Whether ``spec`` may start, given the steps ``started`` and what is recorded."""
    missing_steps = tuple(step for step in spec.after if step not in started)
    missing_fields = tuple(field for field in spec.requires if recorded_value(field, agreed, archive) is None)
    reasons = tuple(f"{step} has not started yet" for step in missing_steps) + tuple(
        f"{field} is not recorded (PUT /customers/<id>/requirements/{field})" for field in missing_fields
    )
    return Gate(spec.name, not reasons, missing_fields, missing_steps, reasons)


def recorded_value(field: str, agreed: dict[str, Any], archive: Document) -> Any:
    """Where a field is recorded: the agreed requirements, the archive's custom fields, its latest
    order, then the archive itself. None when nowhere (or empty)."""
    orders = archive.get("orders") or []
    for source in (agreed, archive.get("custom_fields") or {}, orders[-1] if orders else {}, archive):
        value = source.get(field)
        if value not in (None, "", [], {}):
            return value
    return None


def check_starter(spec: StepSpec, department: str | None) -> None:
    if department != spec.department:
        raise NotAllowed(
            f"{spec.name} is done by {spec.department}, not {department or 'someone in no department'}.", "by"
        )


def step_record(customer_id: str, spec: StepSpec, by: str, now: datetime) -> Document:
    """A started step, with its step_started event waiting to be published (the customer's timeline)."""
    record = {
        "_id": f"{customer_id}:{spec.name}",
        "customer_id": customer_id,
        "step": spec.name,
        "department": spec.department,
        "by": by,
        "at": now,
        **outbox.empty(),
    }
    return outbox.added(
        record,
        "step_started",
        {"customer_id": customer_id, "step": spec.name, "department": spec.department, "by": by, "at": now},
        now,
    )
