"""Handoff checklists: what the receiver must find on the archive before taking a customer.

Each item passes or fails with a reason a person can act on; the receiver never has to guess
what is missing.
"""
import re
from dataclasses import dataclass

DIGIT = re.compile(r"\d|[一二两三四五六七八九十百千万]")


@dataclass(frozen=True)
class ChecklistPolicy:
    vague_phrases: tuple  # needs that say nothing ("想合作", "wants to cooperate"), lower case


@dataclass(frozen=True)
class Item:
    name: str
    passed: bool
    reason: str


def marketing_to_sales(archive, policy):
    """Marketing → sales (seed 000): source, basic info, a specific need, a contact attempt."""
    return [
        _source_recorded(archive),
        _basic_info_complete(archive),
        _need_is_specific(archive, policy),
        _contact_attempted(archive),
    ]


CHECKLISTS = {"marketing_to_sales": marketing_to_sales}


def _source_recorded(archive):
    channels = [s["channel"] for s in archive.get("sources") or [] if s.get("channel")]
    if channels:
        return Item("source_recorded", True, f"source: {channels[0]}")
    return Item("source_recorded", False, "No source channel is recorded.")


def _basic_info_complete(archive):
    missing = []
    if not archive.get("company"):
        missing.append("company")
    contacts = archive.get("contacts") or []
    if not any(c.get("name") for c in contacts):
        missing.append("contact name")
    if not any(c.get("email") or c.get("phone") for c in contacts):
        missing.append("email or phone")
    if missing:
        return Item("basic_info_complete", False, f"Missing: {', '.join(missing)}.")
    return Item("basic_info_complete", True, "company, contact and a way to reach them are recorded")


def _need_is_specific(archive, policy):
    needs = archive.get("needs") or []
    if not needs:
        return Item("need_is_specific", False, "No need is recorded.")
    need = needs[-1]
    lowered = need.lower()
    vague = next((p for p in policy.vague_phrases if p in lowered), None)
    if vague and not DIGIT.search(need):
        return Item("need_is_specific", False,
                    f"The need “{need}” is vague ('{vague}'): record what they asked for (product, quantity).")
    return Item("need_is_specific", True, f"need: “{need}”")


def _contact_attempted(archive):
    attempts = archive.get("communications") or []
    if not attempts:
        return Item("contact_attempted", False, "No contact attempt with its result is recorded.")
    last = attempts[-1]
    return Item("contact_attempted", True, f"last attempt ({last['method']}): {last.get('result') or last['summary']}")
