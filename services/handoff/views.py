"""Documents as the contracts show them (contracts.handoff)."""
from services.handoff.domain.handoffs import department_in, is_overdue


def handoff_view(doc, now):
    people = [doc["from_user"], *doc["to_users"]]
    return {**doc, "id": doc["_id"], "overdue": is_overdue(doc, now),
            "departments": {person: department_in(doc, person) for person in people}}


def requirements_view(customer_id, register):
    register = register or {"fields": {}, "changes": []}
    return {"customer_id": customer_id, "fields": register["fields"], "changes": register["changes"]}


def audit_view(report):
    return {**report, "id": report["_id"]}
