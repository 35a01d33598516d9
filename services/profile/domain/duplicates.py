"""Possible duplicates as pairs: two archives a person is asked about once, whichever carries the flag.

Matching flags an archive with the others it shares weaker keys with (``possible_duplicates``). A
manager decides each pair: merge one into the other, or keep them apart as different companies —
remembered, so matching never flags that pair again.
"""

from datetime import datetime
from typing import Any

from services.profile.domain.matching import KEY_KINDS, contact_keys, identity_keys

PAIR_SEPARATOR = "|"


def pair_id(customer_id: str, other_id: str) -> str:
    """One id for the pair whichever side is named first: the pair is listed and decided once."""
    first, second = sorted((customer_id, other_id))
    return f"{first}{PAIR_SEPARATOR}{second}"


def open_pair(customer_id: str, other_id: str, flagged_at: datetime, flagged_key: str) -> dict[str, Any]:
    """The listed pair: ``customer_id`` carries the flag naming ``other_id``; ``flagged_key`` sorts like
    ``flagged_at`` (``services.runtime.document_store.time_key``)."""
    first, second = sorted((customer_id, other_id))
    return {
        "_id": pair_id(customer_id, other_id),
        "first": first,
        "second": second,
        "flagged_by": customer_id,
        "flagged_at": flagged_at,
        "flagged_key": flagged_key,
    }


def apart_record(customer_id: str, other_id: str, by: str, note: str | None, at: datetime) -> dict[str, Any]:
    """What is remembered of two archives a person said are different companies."""
    first, second = sorted((customer_id, other_id))
    return {"_id": pair_id(customer_id, other_id), "first": first, "second": second, "by": by, "note": note, "at": at}


def other_side(pair: dict[str, Any], customer_id: str) -> str:
    return pair["second"] if pair["first"] == customer_id else pair["first"]


def not_kept_apart(customer_id: str, candidates: tuple | list, apart: set[str]) -> tuple:
    """The candidates still to flag on ``customer_id``: none of the pairs in ``apart`` (pair ids)."""
    return tuple(c for c in candidates if c != customer_id and pair_id(customer_id, c) not in apart)


def without_flag(archive: dict[str, Any], others: set[str], now: datetime) -> dict[str, Any] | None:
    """The archive no longer flagged with any of ``others``; None when it was not."""
    flagged = archive.get("possible_duplicates") or []
    kept = [c for c in flagged if c not in others]
    if kept == flagged:
        return None
    return {**archive, "possible_duplicates": kept, "updated_at": now}


def with_flag_moved(archive: dict[str, Any], absorbed_id: str, kept_id: str, now: datetime) -> dict[str, Any] | None:
    """The archive flagged with ``kept_id`` where it was flagged with ``absorbed_id`` (merged into it);
    None when it named no ``absorbed_id``."""
    flagged = archive.get("possible_duplicates") or []
    if absorbed_id not in flagged:
        return None
    moved = [kept_id if c == absorbed_id else c for c in flagged]
    return {
        **archive,
        "possible_duplicates": [c for c in dict.fromkeys(moved) if c != archive["_id"]],
        "updated_at": now,
    }


def shared_keys(one: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The kinds of matching key both archives have (code, email, phone, domain, company), strongest
    first: why matching took them for one company."""
    both = (identity_keys(one) | contact_keys(one)) & (identity_keys(other) | contact_keys(other))
    kinds = {kind for kind, _ in both}
    return [kind for kind in KEY_KINDS if kind in kinds]


def side_of(archive: dict[str, Any]) -> dict[str, Any]:
    """One side of a listed pair: enough to tell the two companies apart, never more."""
    return {
        "customer_id": archive["_id"],
        "company": archive.get("company"),
        "country": archive.get("country"),
        "country_code": archive.get("country_code"),
        "city": archive.get("city"),
        "owner_id": archive.get("owner_id"),
        "pool_state": archive.get("pool_state"),
        "created_at": archive.get("created_at"),
    }


def listed_pair(pair: dict[str, Any], archives: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """A pair as listed (the flagged archive first), or None when either archive is gone."""
    flagged = pair.get("flagged_by") or pair["first"]
    one, other = archives.get(flagged), archives.get(other_side(pair, flagged))
    if one is None or other is None:
        return None
    return {
        "id": pair["_id"],
        "flagged_at": pair["flagged_at"],
        "customer": side_of(one),
        "other": side_of(other),
        "shared": shared_keys(one, other),
    }


PAIR_FIELDS = (
    "company",
    "country",
    "country_code",
    "city",
    "owner_id",
    "pool_state",
    "created_at",
    "aliases",
    "titles",
    "registration_code",
    "website",
    "contacts",
)
