"""Turning the handoff rules' refusals into the errors every Baton caller understands: a request
at fault names its field (400), a state that does not allow it is a conflict (409), missing
checklist items or step fields are a refusal listing them (422)."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from contracts.errors import Conflict, InvalidInput, Refused
from services.handoff.domain.checklists import Item, missing
from services.handoff.domain.gates import Gate
from services.handoff.domain.kinds import NotAllowed


@contextmanager
def refusals_answered() -> Iterator[None]:
    try:
        yield
    except NotAllowed as exc:
        if exc.field:
            raise InvalidInput(str(exc), {"fields": {exc.field: [str(exc)]}}) from exc
        raise Conflict(str(exc), {}) from exc


def checklist_refused(kind: str, customer_id: str, items: Sequence[Item], pending_allowed: bool) -> Refused:
    lacking = missing(items)
    hint = " Complete them, or submit with info_pending to hand over now with a deadline." if pending_allowed else ""
    return Refused(
        f"The {kind} checklist is not met: {', '.join(lacking)}.{hint}",
        {
            "kind": kind,
            "customer_id": customer_id,
            "missing": lacking,
            "info_pending_allowed": pending_allowed,
            "items": [{"name": i.name, "passed": i.passed, "reason": i.reason} for i in items],
        },
    )


def gate_refused(gate: Gate) -> Refused:
    return Refused(
        f"{gate.step} cannot start: {'; '.join(gate.reasons)}.",
        {
            "step": gate.step,
            "missing_fields": list(gate.missing_fields),
            "missing_steps": list(gate.missing_steps),
            "reasons": list(gate.reasons),
        },
    )
