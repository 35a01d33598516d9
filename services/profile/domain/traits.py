"""Traits read from a customer's words (price sensitive, quality focused, comparing competitors),
kept with the phrase that shows each and where it was said."""

from datetime import datetime
from typing import Any

from services.profile.domain.documents import Archive

COMPETITOR_TRAIT = "comparing_competitors"


def note_traits(
    archive: Archive, traits: list[dict[str, Any]], source_id: str, at: datetime, now: datetime
) -> Archive | None:
    """The archive with new traits (and competitors they name) added, or None if none is new.

    ``traits``: dicts with name, label, evidence, suggestion and rule, as plugins found them.
    """
    known = {(t["name"], t["evidence"].casefold()) for t in archive.get("traits", [])}
    new = [
        {**t, "source_id": source_id, "at": at} for t in traits if (t["name"], t["evidence"].casefold()) not in known
    ]
    if not new:
        return None
    competitors = list(archive.get("competitors", []))
    named = {c["name"].casefold() for c in competitors}
    for trait in new:
        if trait["name"] == COMPETITOR_TRAIT and trait["evidence"].casefold() not in named:
            competitors.append({"name": trait["evidence"], "evidence": trait["evidence"], "source_id": source_id})
            named.add(trait["evidence"].casefold())
    return {
        **archive,
        "traits": archive.get("traits", []) + new,
        "competitors": competitors,
        "updated_at": now,
    }
