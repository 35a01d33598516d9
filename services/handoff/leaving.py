"""A salesperson leaves (问题4: the history must not leave with them). The pool chooses a
successor for every customer they own — a named one or by the allocation rules — and each
successor receives a salesperson_leaving handoff carrying the package (history, open items) to
sign, or to return when it lacks what they need.

Effective on acceptance (the default: someone serving notice) nothing changes owner until the
successor signs, as with every handoff. Effective now (the person is already gone) the pool moves
the customers at once, so none waits on an owner who is not there; the successors then sign for
the packages.
"""

import logging
from datetime import datetime
from typing import Any

from contracts.errors import Conflict, NotFound
from contracts.pool import EFFECTIVE_NOW, EFFECTIVE_ON_ACCEPTANCE
from services.handoff.domain import Document
from services.handoff.domain.handoffs import OPEN
from services.handoff.domain.leavers import DATE_GIVEN, LAST_CUSTOMER_MOVED, new_leaver, sign_in_ended
from services.handoff.store import Handoffs
from services.handoff.submitting import Submission, keyed_id, leaving_spec, open_submitted, storable, withdraw_open

log = logging.getLogger(__name__)


def hand_over_leaver(
    store: Handoffs,
    profile: Any,
    pool: Any,
    plugins: Any,
    policy: dict[str, Any],
    leaver: str,
    request: Document,
    now: datetime,
) -> tuple[Document, list[Document], list[str], list[str]]:
    """(pool's reassignment record, the handoffs opened, customers left unassigned, customers
    waiting for another owner-changing handoff to be settled first)."""
    record = pool.salesperson_leaves(
        leaver, {"by": request["by"], "to": request.get("to"), "effective": request["effective"]}
    )
    spec = leaving_spec(policy)
    handoffs, unassigned, waiting = [], [], []
    # moved now after being chosen on acceptance: the latest move counts, one handoff for it
    latest = {moved["customer_id"]: moved for moved in record["moved"]}
    for moved in latest.values():
        if moved["to"] is None:
            unassigned.append(moved["customer_id"])
            continue
        handoff_id = keyed_id("hof_", record["id"], moved["customer_id"])
        if moved["effective"] == EFFECTIVE_NOW:
            handoff_id = keyed_id("hof_", record["id"], moved["customer_id"], EFFECTIVE_NOW)
            handoffs += close_superseded(
                store, spec.name, leaver, moved["customer_id"], moved["to"], request["by"], now, keep=handoff_id
            )
        if (
            moved["effective"] == EFFECTIVE_ON_ACCEPTANCE
            and store.handoff(handoff_id) is None
            and pool.get_owner(moved["customer_id"])["owner_id"] != leaver
        ):
            continue  # no longer theirs (an earlier handoff was accepted meanwhile): nothing to hand over
        try:
            handoffs.append(
                open_submitted(
                    store,
                    profile,
                    plugins,
                    policy,
                    Submission(
                        spec,
                        handoff_id,
                        moved["customer_id"],
                        leaver,
                        request["by"],
                        (moved["to"],),
                        moved["to"],
                        storable(request["packages"].get(moved["customer_id"], {})),
                        True,
                        request.get("pending_until"),
                        None,
                        pool_decided=True,
                        moved_already=moved["effective"] == EFFECTIVE_NOW,
                    ),
                    now,
                )
            )
        except NotFound:  # merged into another archive since it moved: that one carries the history
            log.warning("%s's customer %s is no longer an archive; no handoff for it", leaver, moved["customer_id"])
        except Conflict:  # another handoff will change its owner first; the leaver keeps it until then
            waiting.append(moved["customer_id"])
    return record, handoffs, unassigned, waiting


def close_superseded(
    store: Handoffs, kind: str, leaver: str, customer_id: str, successor: str, by: str, now: datetime, keep: str
) -> list[Document]:
    """The leaver's open leaving handoffs of a customer that has now moved at once, withdrawn
    (info-pending ones too): they can no longer change its owner, and nobody is left to complete
    them. The successor signs the package of the move (``keep``) instead. The handoffs withdrawn now."""
    closed = []
    for doc in store.of_customer(customer_id, OPEN):
        if doc["kind"] != kind or doc["from_user"] != leaver or doc["_id"] == keep:
            continue
        closed.append(
            withdraw_open(
                store, doc, {"by": by, "reason": f"{leaver} has left: the customer moved at once to {successor}"}, now
            )
        )
    return closed


def end_sign_in(
    store: Handoffs, pool: Any, leaver: str, by: str, sign_in_until: datetime | None, now: datetime
) -> Document:
    """The leaver's record after their customers were handed over: their sign-in ends at the date
    given, and at once if they hold no customer any more (else when the last one moves)."""
    record = store.leaver(leaver) or store.add_leaver(new_leaver(leaver, by, now))
    if sign_in_until is not None:
        _, after = store.change_leaver(
            leaver, lambda current: sign_in_ended(current, sign_in_until, DATE_GIVEN, by, now)
        )
        record = after or record
    return sign_in_when_nothing_held(store, pool, leaver, now) or record


def leavers_a_move_may_release(store: Handoffs, allocation: Document) -> list[str]:
    """Whose sign-in may end now that a customer was allocated (``customer_allocated``): the person
    it moved from (nobody when it had no owner: nothing to read); every waiting leaver when the
    event does not say (a pool older than ``previous_owner_id``)."""
    if "previous_owner_id" not in allocation:
        return store.leavers_holding_customers()
    return [allocation["previous_owner_id"]] if allocation["previous_owner_id"] else []


def sign_in_when_nothing_held(store: Handoffs, pool: Any, leaver: str, now: datetime) -> Document | None:
    """End the leaver's sign-in now if the pool gives them no customer any more; the record."""
    record = store.leaver(leaver)
    if record is None or not record["waits_for_customers"] or holds_customers(pool, leaver):
        return record
    _, after = store.change_leaver(
        leaver, lambda current: sign_in_ended(current, now, LAST_CUSTOMER_MOVED, current["by"], now)
    )
    return after or store.leaver(leaver)


def holds_customers(pool: Any, leaver: str) -> bool:
    """Whether the pool still gives ``leaver`` a customer (asked of pool, whose data it is)."""
    return pool.search_pool({"state": "owned", "owner_id": leaver, "limit": 1})["total"] > 0
