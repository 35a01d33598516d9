"""Archives' country codes: filled in for archives stored before archives kept one (or before the
aliases changed), and the spellings recognised as none, for an admin to map
(``BATON.countries.aliases``)."""

from collections import Counter
from datetime import datetime
from typing import Any

from services.profile.changing import ArchiveBusy, change_archive
from services.profile.domain.archive import with_country_codes
from services.profile.domain.documents import Archive
from services.profile.domain.matching import identity_keys
from services.profile.domain.normalising import normalise_phone
from services.profile.store import Customers, Key
from services.runtime.countries import Countries, country_key

EXAMPLES = 10  # customers listed per unknown spelling, to look at


def fill_country_codes(
    customers: Customers, countries: Countries, after: str | None, limit: int, now: datetime
) -> tuple[dict[str, Any], list[str]]:
    """Read the country (and each title's) of up to ``limit`` archives after ``after`` (in id order)
    with ``countries`` and keep the codes; the archive is then also found by the keys those codes
    give (its name and codes in its country, its phones read with it as their hint). Returns
    (what ``BackfillResultSchema`` shows, the ids of the archives changed)."""
    archives = customers.archives_after(after, limit)
    changed = []

    def recognised(archive: Archive) -> Archive | None:
        return with_country_codes(
            archive,
            countries.code_of(archive.get("country")),
            [countries.code_of(title.get("country")) for title in archive.get("titles", [])],
            now,
        )

    for archive in archives:
        try:
            before, written = change_archive(customers, archive["_id"], recognised, archive)
        except ArchiveBusy:
            continue  # merged away since it was read: nothing to fill in
        if written is not None:
            customers.claim_identity(sorted(_keys(written) - _keys(before)), archive["_id"])
            changed.append(archive["_id"])
    done = len(archives) < limit
    return {
        "examined": len(archives),
        "written": len(changed),
        "next_after": None if done else archives[-1]["_id"],
    }, changed


def _keys(archive: Archive) -> set[Key]:
    phones = {("phone", normalise_phone(c.get("phone"), archive.get("country_code"))) for c in archive["contacts"]}
    return identity_keys(archive) | {(kind, value) for kind, value in phones if value}


def unknown_countries(customers: Customers) -> dict[str, Any]:
    """The spellings of countries recognised as none, most customers first: spellings that differ
    only in case, accents or punctuation are one (an alias maps them all), shown as most wrote it."""
    spellings: dict[str, Counter[str]] = {}
    customer_ids: dict[str, list[str]] = {}
    for text, customer_id in customers.unknown_countries():
        key = country_key(text) or text
        spellings.setdefault(key, Counter())[text] += 1
        customer_ids.setdefault(key, []).append(customer_id)
    rows = [
        {
            "country": min(spellings[key], key=lambda text: (-spellings[key][text], text)),
            "spellings": sorted(spellings[key]),
            "customers": len(ids),
            "customer_ids": sorted(ids)[:EXAMPLES],
        }
        for key, ids in customer_ids.items()
    ]
    return {"items": sorted(rows, key=lambda row: (-row["customers"], row["country"].casefold()))}
