"""Prices in a handoff, and the handoff as a caller who may not see prices reads it (DOMAIN
"Permissions": quotes, order amounts and target prices only for ``BATON.access.price_readers``) —
the rule profile applies to the archive (``services/profile/domain/visibility.py``), applied here
to what handoff answers: the package, checklist reasons and agreed requirements.

Prices are blanked (null), so the reader still sees that an order or a payment is there. Checklist
reasons carry no amounts for anyone (``domain.checklists``): they are stored with the handoff and
its refusals and read by whoever reads those later. Handoffs stored before that say "order
48,000.00 USD, …": that amount is taken out here.
"""

import re

from services.runtime.prices import is_price_name

PRICE_FIELDS = ("expected_annual_value", "annual_value")
PRICED_RECORDS = {"orders": "amount", "outstanding_payments": "amount"}
_AMOUNT_IN_OLD_REASON = re.compile(r"^order [\d,]+(?:\.\d+)? [A-Z]{3}, ")  # order_details_complete's old wording


def without_prices(handoff: dict) -> dict:
    """The handoff (as contracts.handoff.HandoffSchema shows it) with its prices blanked."""
    return {
        **handoff,
        "package": package_without_prices(handoff.get("package") or {}),
        "checklist": [_unpriced_item(item) for item in handoff.get("checklist") or []],
    }


def package_without_prices(package: dict) -> dict:
    hidden = {**package, **{name: None for name in PRICE_FIELDS if name in package}}
    for records, field in PRICED_RECORDS.items():
        if records in package:
            hidden[records] = [{**record, field: None} for record in package[records] or []]
    if "agreed_requirements" in package:
        hidden["agreed_requirements"] = {
            name: None if is_price_name(name) else value
            for name, value in (package["agreed_requirements"] or {}).items()
        }
    return hidden


def requirements_without_prices(view: dict) -> dict:
    """Agreed requirements (contracts.handoff.RequirementsSchema) with the values, changes and
    notes of those named as prices (target_price, tooling_cost…) blanked."""
    fields = {
        name: {**entry, "value": None, "note": None} if is_price_name(name) else entry
        for name, entry in view["fields"].items()
    }
    changes = [
        {**change, "before": None, "after": None, "note": None} if is_price_name(change["field"]) else change
        for change in view["changes"]
    ]
    return {**view, "fields": fields, "changes": changes}


def _unpriced_item(item):
    return {**item, "reason": _AMOUNT_IN_OLD_REASON.sub("order with its amount, ", item["reason"])}
