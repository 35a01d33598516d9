"""Where a customer stands, as the other services decide it: its owner, team and pool state
(pool), its collaborators (pool), the departments holding it (handoff). Profile keeps a copy so
the archive shows it and access follows it."""
import logging

from services.profile.changing import change_archive
from services.profile.domain import timeline
from services.profile.domain.archive import handed_to, place, with_collaborators

log = logging.getLogger(__name__)


def record_owner(customers, customer_id, owner_id, team, reason, at):
    current = customers.get(customer_id)
    if current is None and (merge := customers.merge_of(customer_id)):
        # Allocated while an inquiry linked it into another archive: that archive's owner stands.
        log.info("owner %s for %s ignored: merged into %s", owner_id, customer_id, merge["merged_into"])
        return
    change_archive(customers, customer_id, lambda archive: place(archive, owner_id, "owned", reason, at, team),
                   current)
    customers.record(timeline.owner_assigned(customer_id, owner_id, team, reason, at))


def record_return(customers, customer_id, state, previous_owner, reason, by, at):
    """The pool took the customer from its owner (released, recycled, dormant, rejected…)."""
    if (current := customers.get(customer_id)) is None:
        return   # merged away meanwhile: the kept archive's place stands
    change_archive(customers, customer_id, lambda archive: place(archive, None, state, reason, at), current)
    customers.record(timeline.returned_to_pool(customer_id, state, previous_owner, reason, by, at))


def record_collaborators(customers, customer_id, collaborators, by, at):
    if (current := customers.get(customer_id)) is None:
        return
    change_archive(customers, customer_id, lambda archive: with_collaborators(archive, collaborators, at), current)
    customers.record(timeline.collaborators_changed(customer_id, collaborators, by, at))


def record_handoff(customers, customer_id, departments, handoff_id, kind, by, at, from_user=None, new_owner=None):
    """A handoff was accepted: the receiving departments now hold part of the customer."""
    if customers.get(customer_id) is None:
        return
    for department in departments:
        change_archive(customers, customer_id, lambda archive, d=department: handed_to(archive, d, at))
    customers.record(timeline.handoff_accepted(customer_id, handoff_id, kind, by, at, from_user, new_owner))
