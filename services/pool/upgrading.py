"""The pool's stored data brought to this version (services/runtime/upgrades.py runs them).

holdings 2: every holding keeps the ISO code of its customer's country (``country_code``), read from
the country as written; holdings from before country codes have none.

salespeople 2: every person's counter of the customers they own (``held_counts``, moved by every
holding write since: ``counting.py``) counted from their holdings; a counter missing or never
counted is counted on first use too, so this only does ahead of time what allocation would.
"""

from contracts.errors import NotFound
from services.pool.changing import change_holding
from services.pool.domain.holdings import with_country_code
from services.runtime.upgrades import Upgrade


def fill_country_codes(pool, countries, after: str | None, limit: int) -> dict:
    """Give up to ``limit`` holdings after ``after`` (in id order) without a ``country_code`` theirs;
    answers what ``BackfillResultSchema`` shows."""
    holdings, missing = pool.without_country_code(after, limit)
    written = 0
    for holding in missing:
        code = countries.code_of(holding.get("country"))
        try:
            written += (
                change_holding(pool, holding["_id"], lambda h, code=code: with_country_code(h, code), holding)[1]
                is not None
            )
        except NotFound:
            pass  # merged away since it was read
    done = len(holdings) < limit
    return {"examined": len(holdings), "written": written, "next_after": None if done else holdings[-1]["_id"]}


def count_holdings_of_people(pool, after: str | None, limit: int) -> str | None:
    """Recount the counters of up to ``limit`` people after ``after`` (in id order); the next cursor."""
    people = [
        doc["_id"]
        for doc in pool.people.find({"_id": {"$gt": after}} if after else {}, {"_id": 1}).sort("_id", 1).limit(limit)
    ]
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
        "salespeople",
        2,
        "each person's counter of the customers they own, counted from their holdings",
        lambda service, after, limit: count_holdings_of_people(service.pool, after, limit),
    ),
)
