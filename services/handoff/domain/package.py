"""The handoff package (移交清单, seed 002): what travels with the customer to the receiver.

Basic info, core needs and pain points, the solution offered, special requirements, cautions
and communication taboos (沟通禁忌), open items, outstanding payments, order details and the
agreed requirements — read off the archive as it is at submission, plus what the sender adds.
The receiver signs for this snapshot; the timeline beside it shows the whole history.
"""

from typing import Any

from services.handoff.domain import Document

RECENT_COMMUNICATIONS = 5


def package_of(
    archive: Document, written: Document, agreed: dict[str, Any], annual_value: Document | None = None
) -> Document:
    """The package from the archive, the sender's ``written`` part (contracts.handoff.PackageSchema),
    the customer's ``agreed`` requirements (field -> value) and, for value kinds, the annual value
    that decided the kind ({value, currency, note})."""
    return {
        "customer": {key: archive.get(key) for key in ("company", "country", "city", "website")}
        | {"contacts": archive.get("contacts") or []},
        "stage": archive.get("stage"),
        "intent_grade": (archive.get("intent_grade") or {}).get("grade"),
        "core_needs": list(archive.get("needs") or []) + [_requirement(r) for r in archive.get("requirements") or []],
        "pain_points": list(written.get("pain_points") or []),
        "solution": written.get("solution"),
        "quotes": [
            {key: q.get(key) for key in ("at", "product", "quantity", "incoterm", "valid_until")}
            for q in archive.get("quotes") or []
        ],
        "special_requirements": _joined(archive.get("special_requirements"), written.get("special_requirements")),
        "cautions": _joined(archive.get("cautions"), written.get("cautions")),
        "traits": [
            {"label": t["label"], "evidence": t["evidence"], "suggestion": t["suggestion"]}
            for t in archive.get("traits") or []
        ],
        "competitors": [c["name"] for c in archive.get("competitors") or []],
        "open_items": list(written.get("open_items") or []),
        "outstanding_payments": list(written.get("outstanding_payments") or []),
        "orders": [
            {
                key: o.get(key)
                for key in ("id", "at", "amount", "currency", "products", "delivery_date", "payment_method")
            }
            for o in archive.get("orders") or []
        ],
        "deal_closed": bool(archive.get("orders")) or archive.get("stage") == "customer",
        "agreed_requirements": dict(agreed),
        "recent_communications": [
            {key: c.get(key) for key in ("at", "method", "by", "summary", "customer_words", "result")}
            for c in (archive.get("communications") or [])[-RECENT_COMMUNICATIONS:]
        ],
        "case": written.get("case"),
        "expected_annual_value": written.get("expected_annual_value"),
        "annual_value": annual_value,
        "notes": written.get("notes"),
        "stated_none": [
            flag for flag in ("no_special_requirements", "no_cautions", "no_open_items") if written.get(flag)
        ],
    }


def archive_additions(archive: Document, written: Document) -> dict[str, list[str]]:
    """What the sender wrote that belongs on the archive itself (special requirements, cautions),
    as whole lists for profile's update: {} when the archive already has all of it."""
    changes = {}
    for field in ("special_requirements", "cautions"):
        known = list(archive.get(field) or [])
        joined = _joined(known, written.get(field))
        if joined != known:
            changes[field] = joined
    return changes


def _joined(known, added):
    known = list(known or [])
    return known + [text for text in added or [] if text not in known]


def _requirement(requirement):
    text = requirement["model"]
    if requirement.get("quantity"):
        text += f" × {requirement['quantity']}"
    if requirement.get("use"):
        text += f" ({requirement['use']})"
    return text
