"""The pool's stored data brought to this version (services/runtime/upgrades.py runs them).

holdings 2: every holding keeps the ISO code of its customer's country (``country_code``), read from
the country as written; holdings from before country codes have none.

holdings 3: a warning an owner was sent is kept as {"rule", "due_at"} (a datetime), no longer as the
text "rule@<ISO time>"; an unreadable one is dropped (the sweep warns again rather than return a
customer unwarned).

holdings 4: every holding keeps ``since_key`` (the time it entered its state, then its id), the
order a pool page walks.

holdings 5: every holding has its tag terms (``holding_tags``: a head and one term per tag,
``store.tag_terms``), which a search by one tag counts and pages from; until this is done such a
search reads the holdings themselves.

salespeople 2: every person's counter of the customers they own (``held_counts``, moved by every
holding write since: ``counting.py``) counted from their holdings; a counter missing or never
counted is counted on first use too, so this only does ahead of time what allocation would.
"""

from datetime import datetime
from functools import partial
from typing import Any

from contracts.errors import NotFound
from services.pool.changing import change_holding
from services.pool.domain.holdings import with_country_code
from services.pool.store import Pool
from services.runtime.upgrades import Upgrade

Document = dict[str, Any]


def fill_country_codes(pool: Pool, countries: Any, after: str | None, limit: int) -> Document:
    """Give up to ``limit`` holdings after ``after`` (in id order) without a ``country_code`` theirs;
    answers what ``BackfillResultSchema`` shows."""
    holdings, missing = pool.without_country_code(after, limit)
    written = 0
    for holding in missing:
        code = countries.code_of(holding.get("country"))
        try:
            written += (
                change_holding(pool, holding["_id"], partial(with_country_code, country_code=code), holding)[1]
                is not None
            )
        except NotFound:
            pass  # merged away since it was read
    done = len(holdings) < limit
    return {"examined": len(holdings), "written": written, "next_after": None if done else holdings[-1]["_id"]}


def structure_warnings(pool: Pool, after: str | None, limit: int) -> str | None:
    """Rewrite the "rule@<ISO time>" warnings of up to ``limit`` holdings after ``after`` (in id
    order) as {"rule", "due_at"}; the next cursor."""
    holdings, textual = pool.with_warning_text(after, limit)
    for holding in textual:
        try:
            change_holding(pool, holding["_id"], _structured_warning, holding)
        except NotFound:
            pass  # merged away since it was read
    return None if len(holdings) < limit else holdings[-1]["_id"]


def _structured_warning(holding: Document) -> Document | None:
    text = holding.get("warned_for")
    if not isinstance(text, str):
        return None  # rewritten meanwhile (or never text)
    return {**holding, "warned_for": warning_of_text(text)}


def warning_of_text(text: str) -> Document | None:
    """{"rule", "due_at"} of a warning kept as "rule@<ISO time>"; None when unreadable."""
    rule, _, due = text.partition("@")
    try:
        due_at = datetime.fromisoformat(due)
    except ValueError:
        return None
    if not rule or due_at.tzinfo is None:
        return None
    return {"rule": rule, "due_at": due_at}


def add_since_keys(pool: Pool, after: str | None, limit: int) -> str | None:
    """Write the derived keys (``since_key`` among them) of up to ``limit`` holdings after ``after``
    (in id order) that lack it; the next cursor. A holding changed since it was read is left: its
    change wrote the key."""
    holdings, missing = pool.without_since_key(after, limit)
    for holding in missing:
        pool.rekey(holding)
    return None if len(holdings) < limit else holdings[-1]["_id"]


def add_tag_terms(pool: Pool, after: str | None, limit: int) -> str | None:
    """Write the tag terms of up to ``limit`` holdings after ``after`` (in id order) that have none;
    the next cursor. A holding changed since it was read is left: its change wrote them."""
    holdings, missing = pool.without_tag_terms(after, limit)
    for holding in missing:
        pool.rekey(holding)
    return None if len(holdings) < limit else holdings[-1]["_id"]


def count_holdings_of_people(pool: Pool, after: str | None, limit: int) -> str | None:
    """Recount the counters of up to ``limit`` people after ``after`` (in id order); the next cursor."""
    people = pool.people_after(after, limit)
    for person_id in people:
        pool.recount_held(person_id)
    return None if len(people) < limit else people[-1]


UPGRADES = (
    Upgrade(
        "holdings",
        2,
        "country codes of every holding, from the country as written",
        lambda service, after, limit: fill_country_codes(service.pool, service.countries, after, limit)["next_after"],
    ),
    Upgrade(
        "holdings",
        3,
        'warnings kept as {"rule", "due_at"}, not as "rule@<time>" text',
        lambda service, after, limit: structure_warnings(service.pool, after, limit),
    ),
    Upgrade(
        "holdings",
        4,
        "the order of the pool's pages (since_key) kept on every holding",
        lambda service, after, limit: add_since_keys(service.pool, after, limit),
    ),
    Upgrade(
        "holdings",
        5,
        "the tag terms of every holding, which a search by tag counts and pages from",
        lambda service, after, limit: add_tag_terms(service.pool, after, limit),
    ),
    Upgrade(
        "salespeople",
        2,
        "each person's counter of the customers they own, counted from their holdings",
        lambda service, after, limit: count_holdings_of_people(service.pool, after, limit),
    ),
)
