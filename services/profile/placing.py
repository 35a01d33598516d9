"""Where a customer stands, as the other services decide it: its owner, team and pool state
(pool), its collaborators (pool), the departments holding it (handoff). Profile keeps a copy so
the archive shows it and access follows it."""

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from services.profile.changing import change_archive
from services.profile.domain import timeline
from services.profile.domain.archive import handed_to, place, with_collaborators
from services.profile.domain.deals import change_stage
from services.profile.domain.documents import Archive, Entry
from services.profile.store import Customers

# The pool state and the archive stage share the word: a rejected customer is both, and so is a
# lead marketing marked invalid (无效线索).
REJECTED_STAGE = "rejected"
STAGES_OF_POOL_STATES = (REJECTED_STAGE, "invalid")

log = logging.getLogger(__name__)


def record_owner(
    customers: Customers,
    customer_id: str,
    owner_id: str,
    team: str | None,
    reason: str,
    at: datetime,
    allocation_id: str | None = None,
) -> None:
    current = customers.get(customer_id)
    if current is None and (merge := customers.merge_of(customer_id)):
        # Allocated while an inquiry linked it into another archive: that archive's owner stands.
        log.info("owner %s for %s ignored: merged into %s", owner_id, customer_id, merge["merged_into"])
        return
    entry = timeline.owner_assigned(customer_id, owner_id, team, reason, at, allocation_id)
    change = partial(place, owner_id=owner_id, pool_state="owned", reason=reason, at=at, team=team)
    if change_archive(customers, customer_id, change, current, entries=[entry])[1] is None:
        customers.record(entry)  # placed so already (a redelivery): the entry, if it is missing


def record_return(
    customers: Customers,
    customer_id: str,
    state: str,
    previous_owner: str | None,
    reason: str,
    by: str,
    at: datetime,
) -> Entry | None:
    """The pool took the customer from its owner (released, recycled, dormant, rejected…).

    A rejected customer is at the stage ``rejected`` too, with the person's reason, so the archive,
    its filters and its timeline say what the pool says (the lost-reasons report takes rejections
    from the pool). Returns the stage change's timeline entry, or None."""
    if (current := customers.get(customer_id)) is None:
        return None  # merged away meanwhile: the kept archive's place stands
    rejected = state in STAGES_OF_POOL_STATES
    said = reason.removeprefix(f"{state}: ")  # the person's own words, without the pool's "rejected: "

    def placed(archive: Archive) -> Archive | None:
        moved = place(archive, None, state, reason, at) or archive
        if rejected:
            moved = change_stage(moved, state, said, at) or moved
        return None if moved is archive else moved  # one write

    before, _ = change_archive(customers, customer_id, placed, current)
    entries = [timeline.returned_to_pool(customer_id, state, previous_owner, reason, by, at)]
    if rejected and before["stage"] != state:
        entries.append(timeline.stage_changed(customer_id, before["stage"], state, by, said, at, from_pool=True))
    customers.record(*entries)
    return entries[1] if len(entries) > 1 else None


def record_collaborators(
    customers: Customers, customer_id: str, collaborators: list[str], by: str, at: datetime
) -> None:
    if (current := customers.get(customer_id)) is None:
        return
    change_archive(customers, customer_id, lambda archive: with_collaborators(archive, collaborators, at), current)
    customers.record(timeline.collaborators_changed(customer_id, collaborators, by, at))


def record_handoff(
    customers: Customers,
    customer_id: str,
    departments: Iterable[str],
    handoff_id: str,
    kind: str,
    by: str,
    at: datetime,
    from_user: str | None = None,
    new_owner: str | None = None,
) -> None:
    """A handoff was accepted: the receiving departments now hold part of the customer."""
    if customers.get(customer_id) is None:
        return
    for department in departments:
        change_archive(customers, customer_id, partial(handed_to, department=department, at=at))
    customers.record(timeline.handoff_accepted(customer_id, handoff_id, kind, by, at, from_user, new_owner))
