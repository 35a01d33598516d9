"""Changing an archive without losing a concurrent writer's change (single-document atomicity)."""
from contracts.errors import NotFound

MAX_WRITE_ATTEMPTS = 20  # optimistic-concurrency retries before giving up (and redelivering)


class ArchiveBusy(Exception):
    """The archive kept changing under us; the event is redelivered and tried again."""


def change_archive(customers, customer_id, change):
    """Apply ``change`` (archive -> new archive, or None for no change) without losing a
    concurrent writer's change: re-read and retry when the version moved."""
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        archive = customers.get(customer_id)
        if archive is None:
            # Another worker has claimed the key but not yet written the archive.
            raise ArchiveBusy(f"customer {customer_id} is not written yet")
        changed = change(archive)
        if changed is None or customers.replace(changed, archive):
            return
    raise ArchiveBusy(f"customer {customer_id} changed {MAX_WRITE_ATTEMPTS} times in a row")


def existing_archive(customers, customer_id):
    """The archive, or ``NotFound`` (saying where it went if it was merged)."""
    archive = customers.get(customer_id)
    if archive is None:
        merge = customers.merge_of(customer_id)
        if merge is not None:
            raise NotFound(f"Customer {customer_id} was merged into {merge['merged_into']}.",
                           {"resource": "customer", "id": customer_id, "merged_into": merge["merged_into"]})
        raise NotFound.of("customer", customer_id)
    return archive
