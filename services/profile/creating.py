"""Filing a customer by hand: refused, naming the owner, when the customer already exists (撞单)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from contracts.errors import Conflict
from plugins.host import PluginHost
from services.profile.domain.archive import manual_source_id
from services.profile.domain.documents import Inquiry
from services.profile.domain.matching import decide, match_keys
from services.profile.filing import file_inquiry, most_similar_name
from services.profile.store import Customers


def create_customer(
    customers: Customers,
    plugins: PluginHost,
    matching: Mapping[str, Any],
    created_by: str | None,
    inquiry: Inquiry,
    key: str,
    now: datetime,
) -> dict[str, Any]:
    """The ``customer_created`` event for a new archive, or ``Conflict`` naming who has it."""
    source_id = manual_source_id(key)
    itself = "cus_" + source_id  # a retried call finds the archive it opened the first time
    holders = {kind: holder for kind, holder in customers.holders_of(match_keys(inquiry)).items() if holder != itself}
    similar = None if holders else most_similar_name(customers, matching, inquiry, exclude=itself)
    decision = decide(holders, similar)
    existing = [decision.customer_id] if decision.customer_id else list(decision.candidates)
    if existing:
        raise Conflict(
            _who_has(customers, existing, decision.matched_on),
            {"customers": [{"customer_id": c, "owner_id": (customers.get(c) or {}).get("owner_id")} for c in existing]},
        )
    # Nothing matched, so filing opens one archive and links none: one event.
    [(_, event)] = file_inquiry(customers, plugins, matching, source_id, inquiry, now, now)
    return {**event, "requested_owner": created_by}


def _who_has(customers: Customers, existing: list[str], matched_on: str | None) -> str:
    archive = customers.get(existing[0]) or {}
    holder = f"owned by {archive['owner_id']}" if archive.get("owner_id") else "in the public pool (claim it there)"
    how = f" (same {matched_on.replace('_', ' ')})" if matched_on else ""
    more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
    return f"This customer already exists as {existing[0]}{how}, {holder}{more}."
