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

from contracts.errors import Conflict, NotFound
from contracts.pool import EFFECTIVE_NOW, EFFECTIVE_ON_ACCEPTANCE
from services.handoff.submitting import Submission, keyed_id, leaving_spec, open_submitted, storable

log = logging.getLogger(__name__)


def hand_over_leaver(store, profile, pool, plugins, policy, leaver, request, now):
    """(pool's reassignment record, the handoffs opened, customers left unassigned, customers
    waiting for another owner-changing handoff to be settled first)."""
    record = pool.salesperson_leaves(leaver, {"by": request["by"], "to": request.get("to"),
                                              "effective": request["effective"]})
    spec = leaving_spec(policy)
    handoffs, unassigned, waiting, seen = [], [], [], set()
    for moved in record["moved"]:
        if moved["customer_id"] in seen:        # moved now after being chosen on acceptance: one handoff
            continue
        seen.add(moved["customer_id"])
        if moved["to"] is None:
            unassigned.append(moved["customer_id"])
            continue
        handoff_id = keyed_id("hof_", record["id"], moved["customer_id"])
        if (moved["effective"] == EFFECTIVE_ON_ACCEPTANCE and store.handoff(handoff_id) is None
                and pool.get_owner(moved["customer_id"])["owner_id"] != leaver):
            continue        # no longer theirs (an earlier handoff was accepted meanwhile): nothing to hand over
        try:
            handoffs.append(open_submitted(store, profile, plugins, policy, Submission(
                spec, handoff_id, moved["customer_id"], leaver, request["by"], (moved["to"],), moved["to"],
                storable(request["packages"].get(moved["customer_id"], {})), True, request.get("pending_until"), None,
                pool_decided=True, moved_already=moved["effective"] == EFFECTIVE_NOW), now))
        except NotFound:    # merged into another archive since it moved: that one carries the history
            log.warning("%s's customer %s is no longer an archive; no handoff for it", leaver, moved["customer_id"])
        except Conflict:    # another handoff will change its owner first; the leaver keeps it until then
            waiting.append(moved["customer_id"])
    return record, handoffs, unassigned, waiting
