"""The default value grade (seed 004), from what the customer bought in the last 365 days,
converted into ``value_currency``: at least ``core_annual_value`` is A (core), at least
``potential_annual_value`` B (potential), any order C (ordinary). D (payment risk) is a
person's judgment: this rule never gives it, and a grade set by hand is never replaced.
"""

from datetime import datetime
from typing import Any

from plugins.declarations import ValueGrade
from plugins.markers import hookimpl
from plugins.valuation import value_note, yearly_order_value

RULE = "value_grading"


@hookimpl
def baton_grade_value(orders: list[dict[str, Any]], valuation: dict[str, Any], now: datetime) -> ValueGrade | None:
    total, unpriced = yearly_order_value(orders, valuation["exchange_rates"], now)
    if not total and not unpriced:
        return None
    currency = valuation["value_currency"]
    reason = value_note(total, unpriced, currency)
    if total >= valuation["core_annual_value"]:
        return ValueGrade(
            "A", (reason, f"core: at least {valuation['core_annual_value']:,.0f} {currency} a year"), RULE
        )
    if total >= valuation["potential_annual_value"]:
        return ValueGrade(
            "B", (reason, f"potential: at least {valuation['potential_annual_value']:,.0f} {currency} a year"), RULE
        )
    return ValueGrade("C", (reason, "ordinary"), RULE)
