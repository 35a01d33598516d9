"""Ownership follows an accepted handoff, and only then: once every receiver has signed
(``handoff_accepted`` with ``complete``), the new owner takes the customer and the collaborators
the handoff names join it. Asked twice (a redelivery), nothing changes the second time."""

import logging
from datetime import datetime
from typing import Any

from contracts.errors import NotFound
from services.pool.changing import change_holding
from services.pool.domain.holdings import NotAllowed, hand_over, with_collaborator
from services.pool.domain.recycling import OWNED
from services.pool.store import Pool

Document = dict[str, Any]

log = logging.getLogger(__name__)
HANDED_OVER = "handed over"


def transfer_on_acceptance(pool: Pool, event: Document, now: datetime) -> tuple[Document, Document | None] | None:
    """(holding before, holding after) to announce, or None when there is nothing to change: the
    customer is not in the pool, or cannot be taken (rejected: a person reactivates it first)."""
    reason = f"{HANDED_OVER} ({event['kind']} {event['handoff_id']})"
    try:
        return change_holding(pool, event["customer_id"], lambda holding: _handed_over(holding, event, reason, now))
    except NotFound:
        log.warning(
            "handoff %s accepted for %s, which the pool does not hold", event["handoff_id"], event["customer_id"]
        )
        return None
    except NotAllowed as exc:
        log.warning(
            "handoff %s accepted, but %s cannot change owner: %s", event["handoff_id"], event["customer_id"], exc
        )
        return None


def _handed_over(holding: Document, event: Document, reason: str, now: datetime) -> Document | None:
    changed, owner = holding, event["new_owner_id"]
    if owner and not (holding["state"] == OWNED and holding["owner_id"] == owner):
        changed = hand_over(holding, owner, reason, event["by"], now) or holding
    for user in event["collaborators"]:
        if user != changed["owner_id"]:
            changed = with_collaborator(changed, user, True) or changed
    return None if changed is holding else changed
