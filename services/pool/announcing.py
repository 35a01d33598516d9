"""What the other services hear of a holding's change: a new owner (``customer_allocated``), a
customer taken from its owner or moved between pools (``customer_returned``), collaborators named
or removed (``collaborators_changed``); and what a caller is answered (the ownership)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from contracts.events import dump_event
from contracts.ownership import OwnershipSchema
from services.pool.domain.holdings import allocation_id
from services.pool.domain.recycling import OWNED

Document = dict[str, Any]
Dispatch = Callable[[str, Any], None]  # (event name, payload): the service's reliable dispatcher


def announce(
    dispatch: Dispatch, before: Document | None, after: Document | None, now: datetime, by: str | None = None
) -> Document:
    """Tell the others what changed from ``before`` to ``after`` (None: nothing changed); the
    ownership as it stands. ``by``: who named the collaborators, when not who changed the holding."""
    if after is None:
        if before is None:
            raise ValueError("announce needs the holding before or after a change")
        return ownership(before)
    if before is not None and before["collaborators"] != after["collaborators"]:
        dispatch(
            "collaborators_changed",
            dump_event(
                "collaborators_changed",
                {
                    "customer_id": after["_id"],
                    "collaborators": after["collaborators"],
                    "by": by or after["by"],
                    "at": now,
                },
            ),
        )
    owner_changed = after["state"] == OWNED and (
        before is None or before.get("owner_id") != after["owner_id"] or before["state"] != OWNED
    )
    if owner_changed:
        dispatch(
            "customer_allocated",
            dump_event(
                "customer_allocated",
                {
                    "customer_id": after["_id"],
                    "owner_id": after["owner_id"],
                    "team": after["team"],
                    "allocated_at": after["allocated_at"],
                    "reason": after["reason"],
                    "allocation_id": allocation_id(after),
                    "previous_owner_id": (before or {}).get("owner_id"),
                },
            ),
        )
    elif (
        after["state"] != OWNED
        and before is not None
        and (before["state"] != after["state"] or before["reason"] != after["reason"])
    ):
        dispatch(
            "customer_returned",
            dump_event(
                "customer_returned",
                {
                    "customer_id": after["_id"],
                    "state": after["state"],
                    "previous_owner_id": before.get("owner_id"),
                    "reason": after["reason"],
                    "by": after["by"],
                    "at": after["since"],
                },
            ),
        )
    return ownership(after)


def ownership(holding: Document) -> Document:
    """The holding as ``OwnershipSchema`` answers it."""
    return OwnershipSchema().dump({**holding, "customer_id": holding["_id"]})
