"""Who reads which stored inquiries.

Marketing's original records are read by marketing, by service (never to change them) and by
managers and admins. An integration reads only the inquiries it submitted itself, to see what
became of them: accepted and filed into a customer, or rejected with the reasons.
"""

from contracts.access import INQUIRY_READERS
from contracts.errors import Forbidden
from services.runtime.access import INTEGRATION, Actor, require


def submitter_scope(actor: Actor | None) -> str | None:
    """The user whose submissions alone ``actor`` may read, or None for every inquiry. Raises
    ``Forbidden`` for a caller who may read none (a salesperson)."""
    require(actor, INQUIRY_READERS, "read inquiries")
    return actor.user_id if actor is not None and actor.role == INTEGRATION else None


def check_readable(actor: Actor | None, record: dict) -> None:
    """Raise ``Forbidden`` unless ``actor`` may read this stored inquiry."""
    scope = submitter_scope(actor)
    if actor is not None and scope is not None and record.get("submitted_by") != scope:
        raise Forbidden.because(
            f"{actor.describe()} may read only the inquiries it submitted itself; {record['_id']} is not one of them.",
            inquiry_id=record["_id"],
        )
