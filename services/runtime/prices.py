"""What counts as a price, for every service that answers callers who may not see prices
(``BATON.access.price_readers``) and for what is never priced (timelines, notices). No I/O and no
framework imports, so each service's ``domain/`` may use it.

Besides the records' own price fields (a quote's unit price, an order's amount, the target price),
a value people name themselves — an agreed requirement, a custom field — is a price when its name
says so: ``target_price``, ``unit_price``, ``deposit_amount``, ``tooling_cost``, ``annual_value``.
"""

import re

PRICE_NAME = re.compile(r"(?:^|_)(?:price|amount|cost|value)s?(?:_|\Z)")


def is_price_name(name: str) -> bool:
    """Whether a named value (lower-case words joined by _) holds a price."""
    return bool(PRICE_NAME.search(name or ""))
