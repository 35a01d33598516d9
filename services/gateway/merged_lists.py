"""Lists kept by several services — the audit trail, parked events: each answers for its own
entries; the gateway merges them, newest first, into one page."""
from contracts.paging import DEFAULT_PAGE_SIZE

# The services that keep an audit trail (``services.runtime.audit.AuditTrailEntrypoints``).
AUDITED_SERVICES = ("intake", "profile", "pool", "handoff", "notification", "gateway")


def merged_page(ask, query, services=AUDITED_SERVICES, newest_by="at"):
    """One page of every service's entries. ``ask(service, query)`` returns that service's page."""
    limit, offset = int(query.get("limit", DEFAULT_PAGE_SIZE)), int(query.get("offset", 0))
    # Each service's first offset + limit entries hold every entry of the merged page.
    pages = [ask(service, {**query, "limit": offset + limit, "offset": 0}) for service in services]
    entries = sorted((e for page in pages for e in page["items"]), key=lambda e: e[newest_by], reverse=True)
    return {"items": entries[offset:offset + limit], "total": sum(page["total"] for page in pages),
            "limit": limit, "offset": offset}
