"""Quotes, samples and orders on the archive, and the stage they move the customer to (seed 004).

The main path runs new contact → inquiry → quoted → sample → negotiation → customer. A step
moves a customer forward along it, never back (a quote for an existing customer's repeat
order does not make them "quoted" again); a customer on a side path (lost, dormant…) who
gets a quote or places an order is back on the main path — a win-back.
"""

from datetime import datetime
from typing import Any

from services.profile.domain.documents import Archive, Record

MAIN_PATH = ("new_contact", "inquiry", "quoted", "sample", "negotiation", "customer")
STAGE_OF_STEP = {"quotes": "quoted", "samples": "sample", "orders": "customer"}
# Where each kind of record is sorted in time.
WHEN = {"quotes": "at", "samples": "sent_at", "orders": "at"}


def stage_after(current: str, reached: str) -> str:
    """The stage after reaching ``reached`` from ``current``: forward only on the main path."""
    if current not in MAIN_PATH:
        return reached
    return max(current, reached, key=MAIN_PATH.index)


def record_step(archive: Archive, kind: str, record_id: str, record: Record, now: datetime) -> Archive | None:
    """The archive with a quote, sample or order added (and its stage moved), or None if a record
    with this id is already there."""
    known = archive.get(kind, [])
    if any(r["id"] == record_id for r in known):
        return None
    entry = {"id": record_id, **record, "recorded_at": now}
    changed = {
        **archive,
        kind: sorted(known + [entry], key=lambda r: r[WHEN[kind]]),
        "stage": stage_after(archive["stage"], STAGE_OF_STEP[kind]),
        "updated_at": now,
    }
    if changed["stage"] in MAIN_PATH:
        changed["stage_reason"] = None
    return changed


def change_stage(archive: Archive, stage: str, reason: str | None, now: datetime) -> Archive | None:
    """The archive in ``stage`` (with the reason for a side path), or None if nothing changes."""
    reason = reason.strip() if reason else None
    if archive["stage"] == stage and archive.get("stage_reason") == reason:
        return None
    return {**archive, "stage": stage, "stage_reason": reason, "updated_at": now}


def amend_order(
    archive: Archive,
    order_id: str,
    field: str,
    value: Any,
    change_id: str,
    by: str,
    note: str | None,
    now: datetime,
) -> tuple[Archive | None, Any]:
    """(archive with the order's ``field`` set to ``value``, its value before), or (None, before)
    when it has that value already or this change was applied before (asked twice, once).
    KeyError when the archive has no order ``order_id``."""
    orders = archive.get("orders") or []
    order = next((o for o in orders if o["id"] == order_id), None)
    if order is None:
        raise KeyError(order_id)
    before = order.get(field)
    amendments = order.get("amendments") or []
    if before == value or any(a["change_id"] == change_id for a in amendments):
        return None, before
    amendment = {
        "change_id": change_id,
        "field": field,
        "before": before,
        "after": value,
        "by": by,
        "note": note,
        "at": now,
    }
    amended = {**order, field: value, "amendments": amendments + [amendment]}
    return {
        **archive,
        "orders": [amended if o["id"] == order_id else o for o in orders],
        "updated_at": now,
    }, before
