"""Departments' steps behind gates: each declared step with what it still waits for, and starting
one — refused, naming every missing field and earlier step, until the gate is open."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from contracts.errors import NotFound
from services.handoff.answering import gate_refused, refusals_answered
from services.handoff.domain import Document
from services.handoff.domain.gates import check_starter, gate, step_record
from services.handoff.domain.requirements import agreed
from services.handoff.store import Handoffs


def steps_of(store: Handoffs, profile: Any, policy: dict[str, Any], customer_id: str) -> Document:
    archive = profile.get_customer(customer_id)
    started, agreed_now = store.started_steps(customer_id), agreed(store.register(customer_id))
    return {
        "customer_id": customer_id,
        "steps": [
            _step_view(spec, gate(spec, set(started), agreed_now, archive), started.get(spec.name))
            for spec in policy["steps"].values()
        ],
    }


def start_step(
    store: Handoffs,
    profile: Any,
    policy: dict[str, Any],
    customer_id: str,
    step: str,
    request: Document,
    now: datetime,
    published: Callable[[Document], None] = lambda record: None,
) -> Document:
    """``published(record)``: publishes the started step's waiting event (left for the timer if it cannot)."""
    spec = policy["steps"].get(step)
    if spec is None:
        known = ", ".join(policy["steps"]) or "none configured"
        raise NotFound(f"No step {step!r}; the steps are: {known}.", {"resource": "step", "id": step})
    archive = profile.get_customer(customer_id)
    started = store.started_steps(customer_id)
    if step not in started:
        with refusals_answered():
            check_starter(spec, policy["directory"].department_of(request["by"]))
        verdict = gate(spec, set(started), agreed(store.register(customer_id)), archive)
        if not verdict.open:
            raise gate_refused(verdict)
        published(store.start_step(step_record(customer_id, spec, request["by"], now))[0])
    return steps_of(store, profile, policy, customer_id)


def _step_view(spec, verdict, started):
    return {
        "step": spec.name,
        "department": spec.department,
        "after": list(spec.after),
        "requires": list(spec.requires),
        "open": verdict.open,
        "missing_fields": list(verdict.missing_fields),
        "missing_steps": list(verdict.missing_steps),
        "reasons": list(verdict.reasons),
        "started": started,
    }
