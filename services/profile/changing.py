"""Changing an archive without losing a concurrent writer's change (single-document atomicity)."""

from collections.abc import Callable

from contracts.errors import NotFound
from services.profile.domain.documents import Archive
from services.profile.store import Customers
from services.runtime.guarded import DocumentBusy, change_guarded


class ArchiveBusy(DocumentBusy):
    """The archive kept changing under us; the event is redelivered and tried again."""


def change_archive(
    customers: Customers,
    customer_id: str,
    change: Callable[[Archive], Archive | None],
    current: Archive | None = None,
) -> tuple[Archive, Archive | None]:
    """Apply ``change`` (archive -> new archive, or None for no change) without losing a
    concurrent writer's change: re-read and retry when the version moved. ``current``: the
    archive as just read, if the caller has it. Returns (archive before, archive after — None when
    ``change`` found nothing to change)."""
    before, after = change_guarded(customers.get, customers.replace, customer_id, change, current)
    if before is None:
        # Another worker has claimed the key but not yet written the archive.
        raise ArchiveBusy(f"customer {customer_id} is not written yet")
    return before, after


def existing_archive(customers: Customers, customer_id: str) -> Archive:
    """The archive, or ``NotFound`` (saying where it went if it was merged)."""
    archive = customers.get(customer_id)
    if archive is None:
        merge = customers.merge_of(customer_id)
        if merge is not None:
            raise NotFound(
                f"Customer {customer_id} was merged into {merge['merged_into']}.",
                {"resource": "customer", "id": customer_id, "merged_into": merge["merged_into"]},
            )
        raise NotFound.of("customer", customer_id)
    return archive
