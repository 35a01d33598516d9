"""Marketing's screening of a lead (初筛, seed 000): whether it fits the ideal customer profile,
its specific need, and whether contact was attempted with what result. The need joins the
archive's needs (newest last) and the attempt is a communication record, so the marketing → sales
checklist reads them where it reads every archive's."""

from datetime import datetime


def screened(archive: dict, record: dict, contact_record_id: str | None, now: datetime) -> dict | None:
    """The archive with this screening as its latest, or None when it is the latest already."""
    kept = {
        "fit": record["fit"],
        "need": record["need"].strip(),
        "contact_attempted": record["contact_attempted"],
        "contact_result": (record.get("contact") or {}).get("result"),
        "contact_record_id": contact_record_id,
        "note": record.get("note"),
        "by": record["by"],
    }
    current = archive.get("screening") or {}
    if {k: current.get(k) for k in kept} == kept:
        return None
    needs = list(archive.get("needs") or [])
    if kept["need"] not in needs[-1:]:
        needs = [n for n in needs if n != kept["need"]] + [kept["need"]]
    return {
        **archive,
        "screening": {**kept, "at": now},
        "needs": needs,
        "updated_at": now,
    }


def screening_summary(record: dict) -> str:
    """The screening in a line, for the timeline."""
    fit = "fits the ideal customer profile" if record["fit"] else "does not fit the ideal customer profile"
    contact = (
        f"contact attempted ({record['contact']['method']}): {record['contact']['result']}"
        if record["contact_attempted"]
        else "no contact attempted"
    )
    return f"{fit}; need: {record['need'].strip()}; {contact}"
