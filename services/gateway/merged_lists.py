"""Lists kept by several services — the audit trail, parked events: each answers for its own
entries; the gateway merges them, newest first, into one page."""

from collections.abc import Callable, Sequence
from typing import Any

from marshmallow import Schema

from contracts.paging import MAX_PAGE_SIZE
from services.runtime.queries import load_input

# The services that keep an audit trail (``services.runtime.audit.AuditTrailEntrypoints``).
AUDITED_SERVICES = ("intake", "profile", "pool", "handoff", "notification", "gateway")


def merged_page(
    ask: Callable[[str, dict[str, Any]], dict[str, Any]],
    query: dict[str, Any] | None,
    schema_cls: type[Schema],
    services: Sequence[str] = AUDITED_SERVICES,
    newest_by: str = "at",
) -> dict[str, Any]:
    """One page of every service's entries. ``ask(service, query)`` returns that service's page;
    ``query`` is checked with ``schema_cls`` first, so a bad limit is refused naming the field."""
    loaded = load_input(schema_cls, query)
    limit, offset = loaded["limit"], loaded["offset"]
    # Each service's first offset + limit entries hold every entry of the merged page; a service
    # answers at most MAX_PAGE_SIZE at a time, so a page further on is read in several pages.
    entries, total = [], 0
    for service in services:
        first, service_total = _first_entries(ask, service, query, offset + limit)
        entries += first
        total += service_total
    entries.sort(key=lambda e: e[newest_by], reverse=True)
    return {"items": entries[offset : offset + limit], "total": total, "limit": limit, "offset": offset}


def _first_entries(ask, service, query, wanted):
    """(a service's first ``wanted`` entries — fewer when it has fewer —, its total)."""
    entries, total = [], None
    while len(entries) < wanted and (total is None or len(entries) < total):
        page = ask(service, {**query, "offset": len(entries), "limit": min(MAX_PAGE_SIZE, wanted - len(entries))})
        total = page["total"]
        if not page["items"]:
            break
        entries += page["items"]
    return entries, total or 0
