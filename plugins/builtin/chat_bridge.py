"""Channel connector for chat bridges: WhatsApp and LinkedIn messages relayed as JSON events.

Expected shape: {"platform": "whatsapp"|"linkedin", "from": "+49 30 123" or a profile URL,
"profile_name": "Jane Doe", "text": "...", "company": optional, "country": optional}.
"""

from typing import Any

from plugins.markers import hookimpl

CHANNELS = {"whatsapp": "WhatsApp", "linkedin": "LinkedIn"}


@hookimpl
def baton_inquiry_from_channel(channel: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    if channel not in CHANNELS:
        return None
    sender = payload.get("from")
    contact = {}
    if payload.get("profile_name"):
        contact["name"] = payload["profile_name"]
    if channel == "whatsapp" and sender:
        contact.update(phone=sender, whatsapp=sender)
    elif channel == "linkedin" and sender:
        contact["linkedin"] = sender
    if payload.get("email"):
        contact["email"] = payload["email"]
    inquiry = {
        "schema_version": 1,
        "channel": channel,
        "contact": contact,
        "initial_behaviour": f"sent a {CHANNELS[channel]} message",
    }
    for field in ("company", "country", "message"):
        value = payload.get("text") if field == "message" else payload.get(field)
        if value:
            inquiry[field] = value
    return inquiry
