"""Weights from conversion: each salesperson's share of new customers follows how many of the
customers given to them in the window closed a deal (recomputed on a schedule)."""

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from services.pool.directory import change_person
from services.pool.store import Pool

Document = dict[str, Any]


def computed_weight(allocated: int, converted: int, allocation: Document) -> tuple[int | None, float | None]:
    """(weight, rate), or (None, None) with too few customers in the window to judge."""
    if allocated < allocation["conversion_min_customers"]:
        return None, None
    rate = converted / allocated
    weight = round(rate * allocation["weight_scale"])
    return min(max(weight, allocation["min_weight"]), allocation["max_weight"]), rate


def recompute_weights(pool: Pool, allocation: Document, now: datetime) -> dict[str, int | None]:
    """{person: weight or None} for the team, as stored."""
    since = now - timedelta(days=allocation["conversion_window_days"])
    result: dict[str, int | None] = {}
    for person in pool.everyone(allocation["team"]):
        weight, rate = computed_weight(*pool.converted(person["_id"], since), allocation)
        change_person(pool, person["_id"], partial(_weighed, weight=weight, rate=rate))
        result[person["_id"]] = weight
    return result


def _weighed(person: Document, weight: int | None, rate: float | None) -> Document | None:
    if (person.get("computed_weight"), person.get("conversion_rate")) == (weight, rate):
        return None
    return {**person, "computed_weight": weight, "conversion_rate": rate}
