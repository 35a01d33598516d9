"""Archives' matching keys kept as today's rules make them: after the kinds changed (a website and an
email's domain became one ``domain`` key) or names are folded further (accents, transliterations,
more legal forms), stored archives must still be found. ``baton customers rekey`` runs this in
batches; it is safe to run again."""

from datetime import datetime
from typing import Any

from services.profile.changing import ArchiveBusy, change_archive
from services.profile.domain.documents import Archive
from services.profile.domain.matching import archive_name_blocks, contact_keys, current_key, identity_keys
from services.profile.store import Customers


def rekey_archives(customers: Customers, after: str | None, limit: int, now: datetime) -> dict[str, Any]:
    """Rewrite the stored keys of up to ``limit`` archives after ``after`` (in id order), claim the
    keys their names, codes, website and contacts give today, and add their names' blocks.
    Returns what ``BackfillResultSchema`` shows."""
    archives = customers.archives_after(after, limit)
    written = 0
    for archive in archives:
        changed = customers.rekey(archive["_id"], current_key) > 0
        _, claimed = customers.claim_identity(sorted(identity_keys(archive) | contact_keys(archive)), archive["_id"])
        changed |= bool(claimed)
        try:
            _, after_change = change_archive(customers, archive["_id"], lambda a: _with_blocks(a, now), archive)
        except ArchiveBusy:
            continue  # merged away since it was read: its keys went with it
        written += changed or after_change is not None
    done = len(archives) < limit
    return {"examined": len(archives), "written": written, "next_after": None if done else archives[-1]["_id"]}


def reindex_terms(customers: Customers, after: str | None, limit: int) -> dict[str, Any]:
    """Write again the term documents of up to ``limit`` archives after ``after`` (in id order), so
    their name blocks carry the company, its folded words and the folding they were made with (the
    matcher then reads no archive per candidate). Returns what ``BackfillResultSchema`` shows."""
    archives = customers.archives_after(after, limit)
    for archive in archives:
        customers.index_terms(archive["_id"])
    done = len(archives) < limit
    return {
        "examined": len(archives),
        "written": len(archives),
        "next_after": None if done else archives[-1]["_id"],
    }


def _with_blocks(archive: Archive, now: datetime) -> Archive | None:
    known = list(archive.get("name_blocks") or [])
    missing = [block for block in archive_name_blocks(archive) if block not in known]
    if not missing:
        return None
    return {**archive, "name_blocks": known + missing, "updated_at": now}
