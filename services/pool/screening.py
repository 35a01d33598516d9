"""Marketing's screening (初筛, seed 000: acquire → screen → follow up → deliver): with
``BATON.allocation.screening`` a new lead waits in the screening queue, owned by nobody, until
marketing hands it to sales — by a marketing_to_sales handoff, whose acceptance makes the receiver
its owner — or marks it invalid. The receiver is the weighted round-robin's choice unless
marketing names one; asking again for the same lead names the same person (the rotation
remembers its decisions), so a retried hand-over takes no second turn."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from contracts.errors import Conflict, Forbidden
from services.pool.allocating import choose_owner
from services.pool.claims import changed_or_refused, given_reason
from services.pool.domain.claiming import ClaimLimits
from services.pool.domain.holdings import marked_invalid
from services.pool.domain.recycling import OWNED, SCREENING
from services.pool.store import Pool

Document = dict[str, Any]


def receiver_for(
    pool: Pool, team: str, limits_of: Callable[[str], ClaimLimits], rules: Sequence[Any], customer_id: str
) -> str:
    """The salesperson whose turn it is to receive the lead (its holding unchanged: the handoff's
    acceptance moves it). Conflict when it is not waiting for screening, or nobody is eligible."""
    holding = pool.holding(customer_id)
    if holding is None or holding["state"] != SCREENING:
        state = holding["state"].replace("_", " ") if holding else "not in the pool"
        raise Conflict(
            f"{customer_id} is not waiting for screening ({state}): name the receiver.",
            {"state": holding["state"] if holding else None},
        )
    owner_id, excluded, _people = choose_owner(pool, team, limits_of, rules, holding)
    if owner_id is None:
        raise Conflict(
            f"Nobody in team {team} may receive {customer_id} now: name the receiver.", {"reasons": excluded}
        )
    return owner_id


def mark_invalid(
    pool: Pool, customer_id: str, person_id: str, reason: str, now: datetime, any_owner: bool
) -> tuple[Document, Document | None]:
    """The lead out of the queue as invalid (无效线索) with the reason: not on the do-not-contact list
    (that is for rejected customers), off every list; a manager may reactivate it."""
    reason = given_reason(reason)

    def change(holding: Document) -> Document | None:
        if holding["state"] == OWNED and not any_owner and holding["owner_id"] != person_id:
            raise Forbidden.because(
                f"{person_id} may not mark {customer_id} invalid: {holding['owner_id']} owns it, "
                "and only its owner or a manager may.",
                owner_id=holding["owner_id"],
            )
        return marked_invalid(holding, reason, person_id, now, any_owner)

    return changed_or_refused(pool, customer_id, change)
