"""The do-not-contact list for marketing: pool knows who was rejected, profile finds a customer
by email, domain or phone; the gateway asks both, as the caller, and never reads their data."""

from collections.abc import Callable

from werkzeug.wrappers import Response

from contracts.paging import MAX_PAGE_SIZE
from contracts.pool import DoNotContactQuerySchema
from services.gateway.exports import Table, table_response
from services.runtime.queries import load_input

LOOKUP_FIELDS = ("email", "domain", "phone")
CSV_COLUMNS = ("customer_id", "company", "country", "country_code", "reason", "rejected_at", "rejected_by")


def do_not_contact_page(call: Callable, query: dict) -> dict:
    """A page of the list; asked by email, domain or phone, only the customer those find (in
    ``found``, on the list or not)."""
    asked = load_input(DoNotContactQuerySchema, query, what="query")
    page = {"limit": asked["limit"], "offset": asked["offset"]}
    lookup = {name: asked[name] for name in (*LOOKUP_FIELDS, "country") if asked.get(name)}
    if not any(name in lookup for name in LOOKUP_FIELDS):
        return call("pool", "do_not_contact", page)
    found = [c["id"] for c in call("profile", "list_customers", {**lookup, "limit": MAX_PAGE_SIZE})["items"]]
    listed = (
        call("pool", "do_not_contact", {**page, "customer_ids": found}) if found else {"items": [], "total": 0, **page}
    )
    return {**listed, "found": found}


def do_not_contact_export(call: Callable, wanted: str) -> Response:
    """The whole list as CSV or XLSX (``services.gateway.exports``: formulas escaped, CSV with a BOM)."""
    return table_response("do-not-contact", [Table("do-not-contact", CSV_COLUMNS, _rows(call))], wanted)


def _rows(call: Callable):
    """Every listed customer, a page at a time, as the list's columns."""
    offset, total = 0, None
    while total is None or offset < total:
        page = call("pool", "do_not_contact", {"limit": MAX_PAGE_SIZE, "offset": offset})
        total = page["total"]
        if not page["items"]:
            break
        for item in page["items"]:
            yield [item.get(column) for column in CSV_COLUMNS]
        offset += len(page["items"])
