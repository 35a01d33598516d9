"""Communication records (备注规范): time + action + result, the customer's own words first.

A line that starts with 【特殊】 is a special requirement ("【特殊】invoice must carry the VAT
number"): it is lifted into the archive's list so it cannot be lost between departments.
"""

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from services.profile.domain.documents import Archive, Record

SPECIAL_MARKER = re.compile(r"^\s*(?:【特殊】|\[特殊\]|\[special\])\s*(.+)$", re.IGNORECASE | re.MULTILINE)


def special_requirements_in(*texts: str | None) -> list[str]:
    """The special requirements marked in the texts, in order, without the marker."""
    found: list[str] = []
    for text in texts:
        for match in SPECIAL_MARKER.finditer(text or ""):
            requirement = match.group(1).strip()
            if requirement and requirement not in found:
                found.append(requirement)
    return found


def was_answered(result: str | None, unanswered_phrases: Iterable[str]) -> bool:
    """False when the recorded result says the customer did not answer ("no answer", 未回复…)."""
    text = (result or "").casefold()
    return not any(phrase.casefold() in text for phrase in unanswered_phrases)


def dated_ahead(at: datetime, now: datetime, clock_skew: timedelta) -> str | None:
    """Why a contact dated ``at`` cannot be recorded at ``now``, or None. A contact has happened:
    one dated later than ``now`` plus ``clock_skew`` (a timedelta: clocks differ a little) would
    count as a follow-up that has not happened and keep its customer out of recycling."""
    latest = now + clock_skew
    if at <= latest:
        return None
    return (
        f"A contact is recorded once it has happened: {at.isoformat()} is later than now plus "
        f"{int(clock_skew.total_seconds() // 60)} minutes ({latest.isoformat(timespec='seconds')})."
    )


def communication_record(
    record_id: str, communication: Record, now: datetime, record_within: timedelta | None = None
) -> Record:
    """The record as kept: the communication, when it was recorded and how long after it happened."""
    after = max(now - communication["at"], timedelta(0))
    return {
        "id": record_id,
        **communication,
        "recorded_at": now,
        "recorded_after_minutes": int(after.total_seconds() // 60),
        "recorded_late": record_within is not None and after > record_within,
    }


def record_communication(
    archive: Archive, record_id: str, communication: Record, now: datetime, record_within: timedelta | None = None
) -> Archive | None:
    """The archive with the communication added (and its special requirements lifted), or
    None if a record with this id is already there. ``record_within`` (a timedelta): a record
    made later than this after the contact is marked late."""
    if any(c["id"] == record_id for c in archive.get("communications", [])):
        return None
    record = communication_record(record_id, communication, now, record_within)
    lifted = special_requirements_in(communication.get("summary"), communication.get("customer_words"))
    known = archive.get("special_requirements", [])
    return {
        **archive,
        "communications": sorted(archive.get("communications", []) + [record], key=lambda c: c["at"]),
        "special_requirements": known + [r for r in lifted if r not in known],
        "updated_at": now,
    }
