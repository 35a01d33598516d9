"""Changing a customer's holding without losing a concurrent change (two claims, a claim and
the recycling sweep, two pool instances): re-read and decide again when the version moved."""
from contracts.errors import NotFound

MAX_WRITE_ATTEMPTS = 20


class HoldingBusy(Exception):
    """The holding kept changing under us; the caller's request or event is retried."""


def change_holding(pool, customer_id, change):
    """(holding before, holding after) — after is None when ``change`` found nothing to change.
    ``change`` may raise (e.g. ``NotAllowed``) after seeing the current holding."""
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        before = pool.holding(customer_id)
        if before is None:
            raise NotFound.of("customer in the pool", customer_id)
        after = change(before)
        if after is None or pool.replace_holding(after, before["version"]):
            return before, after
    raise HoldingBusy(f"customer {customer_id} changed {MAX_WRITE_ATTEMPTS} times in a row")
