"""Who may hand a customer over, see a handoff, and act on a customer's requirements and steps.

The handoff service reads archives as the system (a receiver must read the package before they
own the customer), so these rules decide instead: the sender, the receivers, the customer's
owner and collaborators, managers and admins. Marketing hands over any lead (every lead is
theirs until sales accepts it). The caller is an actor, or None for the system.
"""

from collections.abc import Collection

from contracts.access import EVERY_CUSTOMER, MANAGERS
from contracts.errors import Forbidden
from services.handoff.domain import Document
from services.runtime.access import Actor


def oversees(actor: Actor, archive: Document) -> bool:
    """An admin, or a manager of a department that holds the customer."""
    if actor.role == "admin":
        return True
    held_by = archive.get("departments") or EVERY_CUSTOMER
    return actor.role == "manager" and (actor.department in EVERY_CUSTOMER or actor.department in held_by)


def works_on(actor: Actor, archive: Document) -> bool:
    return archive.get("owner_id") == actor.user_id or actor.user_id in (archive.get("collaborators") or ())


def may_hand_over(actor: Actor | None, archive: Document) -> None:
    if actor is None or actor.department == "marketing" or oversees(actor, archive) or works_on(actor, archive):
        return
    raise Forbidden.because(
        f"{actor.describe()} may not hand over {_id_of(archive)}: only its owner, a collaborator, "
        "marketing (for a lead) or a manager may.",
        customer_id=_id_of(archive),
    )


def may_change_owner(
    actor: Actor | None, archive: Document, transfers_owner: bool, new_owner: str | None = None
) -> None:
    """A handoff that gives a customer someone owns to another: only that owner or a manager.
    ``new_owner``: who would own it once accepted (None: not yet chosen)."""
    owner = archive.get("owner_id")
    if (
        actor is None
        or not transfers_owner
        or not owner
        or new_owner == owner
        or actor.user_id == owner
        or oversees(actor, archive)
    ):
        return
    raise Forbidden.because(
        f"{actor.describe()} may not hand {_id_of(archive)} to someone else: {owner} owns it, and "
        "only its owner or a manager may.",
        customer_id=_id_of(archive),
        owner_id=owner,
    )


def may_see(actor: Actor | None, handoff: Document, archive: Document) -> None:
    if actor is None or oversees(actor, archive) or _takes_part(actor, handoff) or works_on(actor, archive):
        return
    raise Forbidden.because(
        f"{actor.describe()} may not see handoff {handoff['_id']}: it is neither theirs to send nor to receive.",
        handoff_id=handoff["_id"],
    )


def may_answer(actor: Actor | None, handoff: Document, doing: str) -> None:
    """Signing or returning: a receiver (a manager may answer in a receiver's name)."""
    if actor is None or actor.is_any(*MANAGERS) or actor.user_id in (handoff.get("to_users") or ()):
        return
    raise Forbidden.because(
        f"{actor.describe()} may not {doing} handoff {handoff['_id']}: it goes to "
        f"{', '.join(handoff.get('to_users') or [])}.",
        handoff_id=handoff["_id"],
    )


def may_act_for_sender(actor: Actor | None, handoff: Document, doing: str) -> None:
    """Resubmitting, completing pending information: the sender (or a manager)."""
    if actor is None or actor.is_any(*MANAGERS) or actor.user_id == handoff["submitted_by"]:
        return
    raise Forbidden.because(
        f"{actor.describe()} may not {doing} handoff {handoff['_id']}: its sender "
        f"{handoff['submitted_by']} or a manager may.",
        handoff_id=handoff["_id"],
    )


def may_change_customer(actor: Actor | None, archive: Document, doing: str) -> None:
    """Agreed requirements: whoever works on the customer, or a manager of a department holding it."""
    if actor is None or oversees(actor, archive) or works_on(actor, archive):
        return
    raise Forbidden.because(
        f"{actor.describe()} may not {doing} {_id_of(archive)}: its owner, a collaborator or a manager may.",
        customer_id=_id_of(archive),
    )


def may_start_step(actor: Actor | None, archive: Document, department: str | None) -> None:
    """A step belongs to a department: its people (and its manager) start it; admins any."""
    if (
        actor is None
        or actor.role == "admin"
        or (department and actor.department == department)
        or (not department and (works_on(actor, archive) or oversees(actor, archive)))
    ):
        return
    raise Forbidden.because(
        f"{actor.describe()} may not start a {department or 'customer'} step for {_id_of(archive)}.",
        department=department,
    )


def may_see_steps(actor: Actor | None, archive: Document, step_departments: Collection[str]) -> None:
    """Those who may hand the customer over, and the departments whose steps these are."""
    if actor is not None and actor.department in step_departments:
        return
    may_hand_over(actor, archive)


def listing_scope(actor: Actor | None, query: Document) -> None:
    """A member lists the handoffs they send or receive (or, with ``customer_id``, those of a
    customer they may see: checked by the caller); managers list everything."""
    if actor is None or actor.is_any(*MANAGERS) or query.get("customer_id"):
        return
    mine = actor.user_id in (query.get("from_user"), query.get("to_user"), query.get("awaiting"))
    if not mine:
        raise Forbidden.because(
            f"{actor.describe()} may list only handoffs they send or receive: give from_user, "
            f"to_user or awaiting as {actor.user_id}."
        )


def _takes_part(actor, handoff):
    return actor.user_id in (handoff.get("submitted_by"), handoff.get("from_user")) or actor.user_id in (
        handoff.get("to_users") or ()
    )


def _id_of(archive):
    return archive.get("id") or archive.get("_id")
