"""What other services filter and decide by, read off the archive (the ``customer_updated`` event)."""

from typing import Any

from services.profile.domain.deals import MAIN_PATH
from services.profile.domain.documents import Archive

# Stages in which the customer is waiting for something from us.
OPEN_NEED_STAGES = ("inquiry", "quoted", "sample", "negotiation")


def summary_of(archive: Archive) -> dict[str, Any]:
    communications = [c["at"] for c in archive.get("communications", [])]
    inquiries = [s["at"] for s in archive.get("sources", []) if s.get("at")]
    contacts = communications + inquiries
    return {
        "customer_id": archive["_id"],
        "version": archive["version"],
        "company": archive.get("company"),
        "country": archive.get("country"),
        "country_code": archive.get("country_code"),
        "intent_grade": (archive.get("intent_grade") or {}).get("grade"),
        "value_grade": (archive.get("value_grade") or {}).get("grade"),
        "graded_at": archive.get("graded_at"),
        "stage": archive["stage"],
        "tags": list(archive.get("tags", [])),
        "last_contact_at": max(contacts) if contacts else None,
        "last_follow_up_at": max(communications) if communications else None,
        "has_open_need": archive["stage"] in OPEN_NEED_STAGES,
        "deal_closed": bool(archive.get("orders")) or archive["stage"] == MAIN_PATH[-1],
    }
