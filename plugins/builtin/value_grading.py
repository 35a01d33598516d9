"""The default value grade (seed 004), from what the customer bought in the last 365 days,
converted into ``value_currency``: at least ``core_annual_value`` is A (core), at least
``potential_annual_value`` B (potential), any order C (ordinary). D (payment risk) is a
person's judgment: this rule never gives it, and a grade set by hand is never replaced.
"""
from datetime import datetime, timedelta

from plugins.declarations import ValueGrade
from plugins.markers import hookimpl

RULE = "value_grading"
WINDOW = timedelta(days=365)


def annual_value(orders, valuation, now):
    """(total in the valuation's currency, currencies left out for want of a rate)."""
    total, unpriced = 0.0, set()
    for order in orders:
        at = order["at"] if isinstance(order["at"], datetime) else datetime.fromisoformat(order["at"])
        if at < now - WINDOW:
            continue
        rate = valuation["exchange_rates"].get(order["currency"])
        if rate is None:
            unpriced.add(order["currency"])
        else:
            total += order["amount"] * rate
    return total, sorted(unpriced)


@hookimpl
def baton_grade_value(orders, valuation, now):
    total, unpriced = annual_value(orders, valuation, now)
    if not total and not unpriced:
        return None
    currency = valuation["value_currency"]
    reason = f"orders of the last 365 days: {total:,.0f} {currency}"
    if unpriced:
        reason += f" (orders in {', '.join(unpriced)} left out: no exchange rate configured)"
    if total >= valuation["core_annual_value"]:
        return ValueGrade("A", (reason, f"core: at least {valuation['core_annual_value']:,.0f} {currency} a year"), RULE)
    if total >= valuation["potential_annual_value"]:
        return ValueGrade("B", (reason, f"potential: at least {valuation['potential_annual_value']:,.0f} {currency} a year"),
                          RULE)
    return ValueGrade("C", (reason, "ordinary"), RULE)
