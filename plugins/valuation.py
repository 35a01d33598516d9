"""What a customer's orders of the last 365 days are worth in one currency, converted at set
rates. One definition for the value-grade rules (``baton_grade_value``) and the handoff's value
kinds, so both reckon and word the figure the same way."""

from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(days=365)


def yearly_order_value(orders: list[dict[str, Any]], rates: dict[str, float], now: datetime) -> tuple[float, list[str]]:
    """(total in the rates' currency, the currencies left out for want of a rate), over the orders
    of the last 365 days; (0, []) when there were none."""
    total, unpriced = 0.0, set()
    for order in orders:
        at = order["at"] if isinstance(order["at"], datetime) else datetime.fromisoformat(order["at"])
        if at < now - WINDOW:
            continue
        rate = rates.get(order["currency"])
        if rate is None:
            unpriced.add(order["currency"])
        else:
            total += order["amount"] * rate
    return total, sorted(unpriced)


def value_note(total: float, unpriced: list[str], currency: str) -> str:
    """e.g. "orders of the last 365 days: 142,000 CNY (orders in CHF left out: …)"."""
    note = f"orders of the last 365 days: {total:,.0f} {currency}"
    if unpriced:
        note += f" (orders in {', '.join(unpriced)} left out: no exchange rate configured)"
    return note
