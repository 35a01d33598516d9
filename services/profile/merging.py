"""Merging two archives of one customer, keeping every contact, communication and timeline entry.

The merge record (who, when, the absorbed archive as it was) is written first, so a merge
interrupted halfway is completed by asking again, and can always be traced.
"""

from datetime import datetime
from typing import Any

from contracts.errors import Conflict, InvalidInput, NotFound
from services.profile.changing import change_archive
from services.profile.domain import timeline
from services.profile.domain.archive import combine_archives
from services.profile.duplicates import after_merge


def merge_customers(
    customers: Any, kept_id: str, absorbed_id: str, by: str, now: datetime, cause: str | None = None
) -> dict[str, Any]:
    """Merge ``absorbed_id`` into ``kept_id``; ``cause`` is the inquiry that linked them, if one did."""
    if kept_id == absorbed_id:
        raise InvalidInput(
            "An archive cannot be merged into itself.", {"fields": {"absorb": ["Same as the kept archive."]}}
        )
    record = customers.merge_of(absorbed_id)
    if record is None:
        absorbed, kept = customers.get(absorbed_id), customers.get(kept_id)
        for customer_id, archive in ((absorbed_id, absorbed), (kept_id, kept)):
            if archive is None:
                raise NotFound.of("customer", customer_id)
        record = customers.record_merge(
            {"_id": absorbed_id, "merged_into": kept_id, "by": by, "at": now, "archive": absorbed, "cause": cause}
        )
    if record["merged_into"] != kept_id:
        raise Conflict(
            f"{absorbed_id} was already merged into {record['merged_into']}.", {"merged_into": record["merged_into"]}
        )
    absorbed = record["archive"]
    change_archive(customers, kept_id, lambda kept: combine_archives(kept, absorbed, now))
    customers.repoint_keys(absorbed_id, kept_id)
    customers.move_timeline(absorbed_id, kept_id)
    customers.move_facts(absorbed_id, kept_id)
    customers.record(timeline.customers_merged(kept_id, absorbed, record["by"], record["at"]))
    # before the absorbed archive goes: a merge interrupted here is completed by asking again
    after_merge(customers, kept_id, absorbed_id, now)
    customers.remove(absorbed_id)
    return merge_event(record)


def merge_event(record: dict[str, Any]) -> dict[str, Any]:
    """The ``customers_merged`` payload of a merge record."""
    return {
        "kept_id": record["merged_into"],
        "absorbed_id": record["_id"],
        "by": record["by"],
        "merged_at": record["at"],
    }
