"""The customer list and the pool as files (``format=csv|xlsx``): every entry the same filters
find, a page at a time from the service that owns them, as the caller — so what a person may see
is the service's decision, as for the JSON list. Layout only."""

from collections.abc import Callable, Iterator

from contracts.paging import MAX_PAGE_SIZE
from services.gateway.exports import Table

NameOf = Callable[[str], str]
CUSTOMER_COLUMNS = (
    "customer_id",
    "company",
    "country",
    "country_code",
    "city",
    "website",
    "stage",
    "intent_grade",
    "value_grade",
    "owner_id",
    "owner",
    "pool_state",
    "team",
    "email",
    "phone",
    "created_at",
    "updated_at",
)
POOL_COLUMNS = (
    "customer_id",
    "company",
    "country",
    "country_code",
    "intent_grade",
    "stage",
    "tags",
    "state",
    "reason",
    "since",
    "owner_id",
    "owner",
    "team",
    "last_contact_at",
)

DUPLICATE_COLUMNS = (
    "pair_id",
    "flagged_at",
    "customer_id",
    "company",
    "country",
    "owner_id",
    "owner",
    "other_id",
    "other_company",
    "other_country",
    "other_owner_id",
    "other_owner",
    "shared",
)


def every_item(call: Callable, service: str, method: str, query: dict) -> Iterator[dict]:
    """Every item the query finds, in the list's own order."""
    query = {k: v for k, v in query.items() if k not in ("limit", "offset")}
    offset, total = 0, None
    while total is None or offset < total:
        page = call(service, method, {**query, "limit": MAX_PAGE_SIZE, "offset": offset})
        total = page["total"]
        if not page["items"]:
            return
        yield from page["items"]
        offset += len(page["items"])


def customers_table(items: Iterator[dict], name_of: NameOf) -> Table:
    def row(c):
        first = next(iter(c.get("contacts") or []), {})
        owner = c.get("owner_id")
        return [
            c["id"],
            c.get("company"),
            c.get("country"),
            c.get("country_code"),
            c.get("city"),
            c.get("website"),
            c.get("stage"),
            _grade(c.get("intent_grade")),
            _grade(c.get("value_grade")),
            owner,
            name_of(owner) if owner else "",
            c.get("pool_state"),
            c.get("team"),
            first.get("email"),
            first.get("phone"),
            c.get("created_at"),
            c.get("updated_at"),
        ]

    return Table("customers", CUSTOMER_COLUMNS, (row(c) for c in items))


def pool_table(items: Iterator[dict], name_of: NameOf) -> Table:
    def row(e):
        owner = e.get("owner_id")
        return [
            e["customer_id"],
            e.get("company"),
            e.get("country"),
            e.get("country_code"),
            e.get("intent_grade"),
            e.get("stage"),
            ", ".join(e.get("tags") or []),
            e.get("state"),
            e.get("reason"),
            e.get("since"),
            owner,
            name_of(owner) if owner else "",
            e.get("team"),
            e.get("last_contact_at"),
        ]

    return Table("pool", POOL_COLUMNS, (row(e) for e in items))


def duplicates_table(items: Iterator[dict], name_of: NameOf) -> Table:
    def side(s):
        owner = s.get("owner_id")
        return [s["customer_id"], s.get("company"), s.get("country"), owner, name_of(owner) if owner else ""]

    def row(p):
        return [p["id"], p.get("flagged_at"), *side(p["customer"]), *side(p["other"]), ", ".join(p.get("shared") or [])]

    return Table("duplicates", DUPLICATE_COLUMNS, (row(p) for p in items))


def _grade(grade):
    return grade.get("grade") if isinstance(grade, dict) else grade
