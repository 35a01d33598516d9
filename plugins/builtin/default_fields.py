"""Archive fields from the articles' "business" list that not every company tracks."""

from plugins.declarations import CustomField
from plugins.markers import hookimpl


@hookimpl
def baton_custom_fields() -> list[CustomField]:
    return [
        CustomField("industry", "text", "The customer's industry or trade.", max_length=200),
        CustomField(
            "purchase_cycle",
            "choice",
            "How often the customer buys.",
            choices=("one_off", "monthly", "quarterly", "yearly"),
        ),
        CustomField("payment_method", "text", "Preferred payment method (T/T, L/C, D/P…).", max_length=100),
        CustomField("tariff_preference", "text", "Incoterm or tariff preference (FOB, CIF, DDP…).", max_length=200),
    ]
