"""Channel connector for website contact forms: flat fields in, a canonical inquiry out."""

from typing import Any

from plugins.markers import hookimpl

CHANNEL = "website_form"
# The form's field names (several spellings seen in the wild) -> inquiry fields.
TOP_LEVEL = {
    "company": ("company", "company_name"),
    "country": ("country",),
    "city": ("city",),
    "website": ("website", "url"),
    "message": ("message", "comments", "inquiry"),
}
CONTACT = {"name": ("name", "full_name"), "email": ("email",), "phone": ("phone", "tel")}


@hookimpl
def baton_inquiry_from_channel(channel: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    if channel != CHANNEL:
        return None
    inquiry = {"schema_version": 1, "channel": CHANNEL}
    inquiry.update(_pick(payload, TOP_LEVEL))
    inquiry["contact"] = _pick(payload, CONTACT)
    if campaign := _value(payload.get("utm_campaign")):
        inquiry["campaign"] = campaign
    page = _value(payload.get("page_url"))
    inquiry["initial_behaviour"] = "submitted website form" + (f" on {page}" if page else "")
    products = payload.get("products") or payload.get("product")
    if isinstance(products, str):
        products = [p.strip() for p in products.split(",") if p.strip()]
    if products:
        inquiry["products"] = products
    return inquiry


def _pick(payload, names):
    picked = {}
    for target, sources in names.items():
        for source in sources:
            if (value := _value(payload.get(source))) is not None:
                picked[target] = value
                break
    return picked


def _value(value):
    """Strings stripped, empty ones dropped; anything else passed on for the contract to judge."""
    if isinstance(value, str):
        return value.strip() or None
    return value
