"""A salesperson leaves (问题4: the history must not leave with them). The pool moves every
customer they own at once — to a named successor or by the allocation rules — so nobody follows
up a leaver's customers; each new owner then receives a salesperson_leaving handoff carrying the
package (history, open items) to sign, or to return when it lacks what they need.
"""
import hashlib
import logging

from contracts.errors import NotFound
from services.handoff.submitting import Submission, leaving_spec, open_submitted, storable

log = logging.getLogger(__name__)


def hand_over_leaver(store, profile, pool, plugins, policy, leaver, request, now):
    """(pool's reassignment record, the handoffs opened, customers left unassigned in the pool)."""
    record = pool.salesperson_leaves(leaver, {"by": request["by"], "to": request.get("to")})
    spec = leaving_spec(policy)
    handoffs, unassigned = [], []
    for moved in record["moved"]:
        if moved["to"] is None:
            unassigned.append(moved["customer_id"])
            continue
        handoff_id = "hof_" + hashlib.sha256(f"{record['id']}:{moved['customer_id']}".encode()).hexdigest()[:20]
        try:
            handoffs.append(open_submitted(store, profile, plugins, policy, Submission(
                spec, handoff_id, moved["customer_id"], leaver, request["by"], (moved["to"],), moved["to"],
                storable(request["packages"].get(moved["customer_id"], {})), True, request.get("pending_until"), None,
                pool_decided=True), now))
        except NotFound:    # merged into another archive since it moved: that one carries the history
            log.warning("%s's customer %s is no longer an archive; no handoff for it", leaver, moved["customer_id"])
    return record, handoffs, unassigned
