"""Changing an archive without losing a concurrent writer's change (single-document atomicity)."""

from collections.abc import Callable, Sequence

from contracts.errors import NotFound
from services.profile.domain.documents import Archive, Entry
from services.profile.store import Customers
from services.runtime.guarded import DocumentBusy, change_guarded


class ArchiveBusy(DocumentBusy):
    """The archive kept changing under us; the event is redelivered and tried again."""


def change_archive(
    customers: Customers,
    customer_id: str,
    change: Callable[[Archive], Archive | None],
    current: Archive | None = None,
    entries: Sequence[Entry] = (),
) -> tuple[Archive, Archive | None]:
    """Apply ``change`` (archive -> new archive, or None for no change) without losing a
    concurrent writer's change: re-read and retry when the version moved. ``current``: the
    archive as just read, if the caller has it. ``entries``: the timeline entries of the change
    (ids naming their cause), written with it in one command — the caller records them itself
    when nothing changed. Returns (archive before, archive after — None when ``change`` found
    nothing to change)."""

    def replace(after: Archive, before: Archive) -> bool:
        return customers.replace(after, before, entries) if entries else customers.replace(after, before)

    before, after = change_guarded(customers.get, replace, customer_id, change, current)
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
