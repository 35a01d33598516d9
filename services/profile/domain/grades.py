"""Grades set by hand: the intent grade (how near a purchase) and the value grade (what the
customer is worth to us), each with who set it and why. Setting one, even to what it was, is a
regrade: the quarter until the next one counts from it."""

from datetime import datetime
from typing import Any

from services.profile.domain.documents import Archive

BY_HAND = "by "  # a grade's rule: "by alice" when a person set it, else the rule plugin's name


def regrade(archive: Archive, grades: dict[str, str], by: str, reason: str, now: datetime) -> Archive:
    """The archive with ``grades`` ({"intent_grade"/"value_grade": "A"…}) set by ``by``."""
    given = {
        field: {"grade": grade, "reasons": [reason.strip()], "rule": f"{BY_HAND}{by}"}
        for field, grade in grades.items()
    }
    return {**archive, **given, "graded_at": now, "updated_at": now}


def value_graded(archive: Archive, verdict: dict[str, Any], now: datetime) -> Archive | None:
    """The archive with a rule's value grade (``verdict``: grade, reasons, rule), or None when a
    person set the value grade by hand (their judgment stands until they regrade) or nothing
    changes. A rule's grade is no regrade: the quarter still counts from the last grading."""
    current = archive.get("value_grade") or {}
    if current.get("rule", "").startswith(BY_HAND) or current == verdict:
        return None
    return {**archive, "value_grade": verdict, "updated_at": now}


def grade_changes(before: Archive, after: Archive, fields: list[str]) -> str:
    """e.g. "intent B → A, value — → B" for the timeline."""
    names = {"intent_grade": "intent", "value_grade": "value"}
    return ", ".join(f"{names[f]} {_grade(before, f)} → {_grade(after, f)}" for f in fields)


def _grade(archive: Archive, field: str) -> str:
    return (archive.get(field) or {}).get("grade") or "—"
