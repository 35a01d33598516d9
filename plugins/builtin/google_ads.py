"""Channel connector for Google Ads lead forms (the lead-form webhook's JSON shape)."""

from typing import Any

from plugins.markers import hookimpl

CHANNEL = "google_ads"
# Lead-form column ids -> where they go in a canonical inquiry.
CONTACT_COLUMNS = {
    "FULL_NAME": "name",
    "EMAIL": "email",
    "WORK_EMAIL": "email",
    "PHONE_NUMBER": "phone",
    "WORK_PHONE": "phone",
    "JOB_TITLE": "title",
}
INQUIRY_COLUMNS = {"COMPANY_NAME": "company", "COUNTRY": "country", "CITY": "city"}


@hookimpl
def baton_inquiry_from_channel(channel: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    if channel != CHANNEL:
        return None
    columns = {
        c.get("column_id"): c.get("string_value") for c in payload.get("user_column_data") or [] if isinstance(c, dict)
    }
    contact = {field: columns[column] for column, field in CONTACT_COLUMNS.items() if columns.get(column)}
    if columns.get("FIRST_NAME") or columns.get("LAST_NAME"):
        contact.setdefault("name", " ".join(filter(None, [columns.get("FIRST_NAME"), columns.get("LAST_NAME")])))
    inquiry = {
        "schema_version": 1,
        "channel": CHANNEL,
        "contact": contact,
        "initial_behaviour": "submitted Google Ads lead form"
        + (f" {payload['form_id']}" if payload.get("form_id") else ""),
    }
    inquiry.update({field: columns[column] for column, field in INQUIRY_COLUMNS.items() if columns.get(column)})
    if payload.get("campaign_id"):
        inquiry["campaign"] = str(payload["campaign_id"])
    # Questions the advertiser added to the form are the customer's own words about the need.
    answers = [
        f"{c.get('column_name') or c.get('column_id')}: {c.get('string_value')}"
        for c in payload.get("user_column_data") or []
        if isinstance(c, dict)
        and c.get("column_id") not in {*CONTACT_COLUMNS, *INQUIRY_COLUMNS, "FIRST_NAME", "LAST_NAME"}
    ]
    if answers:
        inquiry["message"] = "\n".join(answers)
    return inquiry
