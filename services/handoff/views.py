"""Documents as the contracts show them (contracts.handoff)."""

from datetime import datetime

from services.handoff.domain import Document
from services.handoff.domain.handoffs import department_in, is_overdue
from services.handoff.domain.kinds import EACH_SIGNS, KindSpec


def handoff_view(doc: Document, now: datetime) -> Document:
    people = [doc["from_user"], *doc["to_users"]]
    return {
        **doc,
        "id": doc["_id"],
        "overdue": is_overdue(doc, now),
        "departments": {person: department_in(doc, person) for person in people},
    }


def requirements_view(customer_id: str, register: Document | None) -> Document:
    register = register or {"fields": {}, "changes": []}
    return {"customer_id": customer_id, "fields": register["fields"], "changes": register["changes"]}


def quality_audit_view(report: Document) -> Document:
    return {**report, "id": report["_id"]}


def kind_view(spec: KindSpec, checklist: list[str], currency: str) -> dict:
    """A configured kind (domain.kinds.KindSpec) as contracts.handoff.HandoffKindSchema shows it."""
    valued = spec.min_annual_value is not None or spec.below_annual_value is not None
    return {
        "name": spec.name,
        "from": list(spec.senders),
        "to": list(spec.receivers),
        "min_receivers": spec.min_receivers,
        "max_receivers": spec.max_receivers,
        "each_signs": spec.signatures == EACH_SIGNS,
        "changes_owner": spec.transfers_owner,
        "sender_collaborates": spec.sender_collaborates,
        "info_pending": spec.info_pending,
        "annual_value": {"currency": currency, "at_least": spec.min_annual_value, "below": spec.below_annual_value}
        if valued
        else None,
        "checklist": list(checklist),
    }
