"""Weights from conversion: each salesperson's share of new customers follows how many of the
customers given to them in the window closed a deal (recomputed on a schedule)."""

from datetime import timedelta

from services.pool.directory import change_person


def computed_weight(allocated, converted, allocation):
    """(weight, rate), or (None, None) with too few customers in the window to judge."""
    if allocated < allocation["conversion_min_customers"]:
        return None, None
    rate = converted / allocated
    weight = round(rate * allocation["weight_scale"])
    return min(max(weight, allocation["min_weight"]), allocation["max_weight"]), rate


def recompute_weights(pool, allocation, now):
    """{person: weight or None} for the team, as stored."""
    since = now - timedelta(days=allocation["conversion_window_days"])
    result = {}
    for person in pool.everyone(allocation["team"]):
        weight, rate = computed_weight(*pool.converted(person["_id"], since), allocation)
        change_person(
            pool,
            person["_id"],
            lambda p, w=weight, r=rate: (
                None
                if (p.get("computed_weight"), p.get("conversion_rate")) == (w, r)
                else {**p, "computed_weight": w, "conversion_rate": r}
            ),
        )
        result[person["_id"]] = weight
    return result
