"""Marketing's screening queue (GET /screening): the pool says which leads wait, newest first;
each is shown with what its archive and first inquiry say (source, campaign, country, the
inquiry's words, possible duplicates, the hand-over to sales waiting for its signature), read with
the caller's own rights."""

from collections.abc import Callable
from typing import Any

from contracts.paging import MAX_PAGE_SIZE

OPEN_STATES = ("submitted", "info_pending", "resubmitted", "returned")  # not yet accepted nor withdrawn


def screening_page(call: Callable[..., Any], query: dict) -> dict:
    """One page of the queue; ``call(service, method, *args)`` asks a service as the caller."""
    page = call("pool", "screening_queue", query)
    archives = {h["customer_id"]: call("profile", "get_customer", h["customer_id"]) for h in page["items"]}
    first_inquiry = {cid: next((s["inquiry_id"] for s in a.get("sources") or []), None) for cid, a in archives.items()}
    wanted = [i for i in first_inquiry.values() if i][:MAX_PAGE_SIZE]
    messages = {}
    if wanted:
        found = call("intake", "list_inquiries", {"ids": ",".join(wanted), "limit": len(wanted)})["items"]
        messages = {r["id"]: (r.get("inquiry") or {}).get("message") for r in found}
    handed = {cid: _open_hand_over(call, cid) for cid in archives}
    return {
        **page,
        "items": [
            {
                **_entry(h, archives[h["customer_id"]], first_inquiry[h["customer_id"]], messages),
                "hand_over": handed[h["customer_id"]],
            }
            for h in page["items"]
        ],
    }


def _open_hand_over(call, customer_id):
    """The lead's marketing → sales handoff not yet accepted (the lead stays here until then), or None."""
    sent = call("handoff", "list_handoffs", {"customer_id": customer_id, "kind": "marketing_to_sales", "limit": 20})
    open_ = [h for h in sent["items"] if h["state"] in OPEN_STATES]
    latest = max(open_, key=lambda h: h["submitted_at"], default=None)
    return (
        None
        if latest is None
        else {
            "handoff_id": latest["id"],
            "state": latest["state"],
            "to_users": latest["to_users"],
            "submitted_at": latest["submitted_at"],
        }
    )


def _entry(holding, archive, inquiry_id, messages):
    source = next(iter(archive.get("sources") or []), {})
    contact = next(iter(archive.get("contacts") or []), {})
    return {
        "customer_id": holding["customer_id"],
        "company": archive.get("company"),
        "contact_name": contact.get("name"),
        "email": contact.get("email"),
        "phone": contact.get("phone"),
        "country": archive.get("country"),
        "country_code": archive.get("country_code"),
        "channel": source.get("channel"),
        "campaign": source.get("campaign"),
        "initial_behaviour": source.get("initial_behaviour"),
        "inquiry_id": inquiry_id,
        "inquiry_text": messages.get(inquiry_id),
        "needs": archive.get("needs") or [],
        "possible_duplicates": archive.get("possible_duplicates") or [],
        "screening": archive.get("screening"),
        "arrived_at": holding["since"],
    }
