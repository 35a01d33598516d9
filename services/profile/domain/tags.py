"""Tags (market + stage + core need), e.g. ``quoted · B · US · price sensitive · cares about lead time``.

Derived from the archive every time it is written, so they never go stale; tags a person set
by hand come last.
"""

from services.profile.domain.documents import Archive


def tags_of(archive: Archive) -> list[str]:
    grade = (archive.get("intent_grade") or {}).get("grade")
    # the market as its ISO code, whatever spelling the customer wrote (an unknown one tags nothing)
    derived = [archive.get("stage"), grade, archive.get("country_code")]
    derived += [trait["label"] for trait in archive.get("traits", [])]
    return list(dict.fromkeys(t for t in derived + list(archive.get("manual_tags", [])) if t))
