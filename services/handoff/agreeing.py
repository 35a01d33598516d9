"""Agreed requirements and their changes: recorded once on the customer's register, and everyone
who holds part of the customer — its owner and collaborators (pool), the people on its handoffs,
those who started a step — is named in one requirement_changed event (notification adds the
owner's managers). A field orders carry (the delivery date) changes the order it concerns first,
through profile, so gates, checklists and packages read the new value."""

from datetime import datetime
from typing import Any

from contracts.errors import InvalidInput, NotFound
from services.handoff.domain import Document
from services.handoff.domain.requirements import (
    BadRequirement,
    RequirementPolicy,
    changed,
    current_value,
    new_register,
    new_value,
    next_change_id,
    order_concerned,
    people_to_notify,
    recorded_from,
)
from services.handoff.store import Handoffs


def set_requirement(
    store: Handoffs,
    profile: Any,
    pool: Any,
    policy: RequirementPolicy,
    customer_id: str,
    field: str,
    request: Document,
    now: datetime,
) -> Document:
    """The register after recording ``field`` (unchanged when it already had this value)."""
    archive = profile.get_customer(customer_id)  # NotFound (saying where it went if merged)
    register = store.register(customer_id) or store.add_register(new_register(customer_id, now))
    try:
        order = order_concerned(policy, field, archive.get("orders") or [], request.get("order_id"))
        before = current_value(register, field, order)
        value = new_value(policy, field, request.get("value"), request.get("shift_days"), before)
    except BadRequirement as exc:
        raise InvalidInput(exc.message, {"fields": {exc.field: [exc.message]}}) from None
    return record_change(store, profile, pool, register, customer_id, field, value, order, request, now)


def record_stated(
    store: Handoffs,
    profile: Any,
    pool: Any,
    policy: RequirementPolicy,
    customer_id: str,
    stated: list[Document],
    contact: Document,
    now: datetime,
) -> None:
    """Requirements a contact's 【特殊】 lines state, recorded as agreed by whoever logged the
    contact (nothing typed twice); each contact's statement is recorded once."""
    try:
        archive = profile.get_customer(customer_id)
    except NotFound:  # merged away since: the kept archive has the contact and its lines
        return
    for requirement in stated:
        register = store.register(customer_id) or store.add_register(new_register(customer_id, now))
        field = requirement["field"]
        order = order_concerned(policy, field, archive.get("orders") or [])
        # said in the contact: its method is where, its line the note
        request = {
            "by": contact["by"],
            "note": requirement["line"],
            "source": contact["method"],
            "source_id": contact["record_id"],
        }
        if recorded_from(register, contact["record_id"], field):
            continue  # redelivered, or changed by hand since: the contact's statement counts once
        record_change(store, profile, pool, register, customer_id, field, requirement["value"], order, request, now)


def record_change(
    store: Handoffs,
    profile: Any,
    pool: Any,
    register: Document,
    customer_id: str,
    field: str,
    value: Any,
    order: Document | None,
    request: Document,
    now: datetime,
) -> Document:
    """Change the order ``order`` (if any) and then the register; the register after."""
    before = current_value(register, field, order)
    if before == value:
        return register
    if order is not None and order.get(field) != value:
        profile.amend_order(
            customer_id,
            order["id"],
            {
                "field": field,
                "value": value,
                "by": request["by"],
                "note": request.get("note"),
                "change_id": next_change_id(register, field),
            },
        )
    owner, collaborators = _holders(pool, customer_id)
    notify = people_to_notify(owner, collaborators, _participants(store, customer_id), request["by"])
    _, after = store.change_register(
        customer_id,
        lambda current: changed(
            current,
            field,
            value,
            request["by"],
            request.get("note"),
            request.get("source"),
            notify,
            now,
            before=order.get(field) if order else None,
            order_id=order["id"] if order else None,
            owner_id=owner,
            source_id=request.get("source_id"),
        ),
    )
    return after or store.register(customer_id) or register


def _holders(pool, customer_id):
    try:
        ownership = pool.get_owner(customer_id)
    except NotFound:
        return None, []
    return ownership["owner_id"], ownership["collaborators"]


def _participants(store, customer_id):
    people = []
    for doc in store.of_customer(customer_id):
        people += [doc["from_user"], *doc["to_users"]]
    return people + [step["by"] for step in store.started_steps(customer_id).values()]
