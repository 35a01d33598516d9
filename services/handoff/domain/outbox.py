"""Events kept in the document whose change caused them, so one guarded write stores both: the
service publishes them after the write and clears them; a timer publishes what a crash left."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from services.handoff.domain import Document


def empty() -> Document:
    return {"outbox": [], "outbox_since": None, "event_seq": 0}


def added(doc: Document, name: str, payload: dict[str, Any], now: datetime) -> Document:
    """``doc`` with event ``name`` waiting to be published (ids count up within the document)."""
    seq = doc["event_seq"] + 1
    return {
        **doc,
        "outbox": doc["outbox"] + [{"id": f"{doc['_id']}:{seq}", "name": name, "payload": payload}],
        "outbox_since": doc["outbox_since"] or now,
        "event_seq": seq,
    }


def cleared(doc: Document, published_ids: Collection[str]) -> Document | None:
    """``doc`` without the events published, or None if none of them is still there."""
    remaining = [event for event in doc["outbox"] if event["id"] not in published_ids]
    if len(remaining) == len(doc["outbox"]):
        return None
    return {
        **doc,
        "outbox": remaining,
        "outbox_since": doc["outbox_since"] if remaining else None,
    }
