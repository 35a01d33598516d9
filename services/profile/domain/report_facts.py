"""Report facts: one small document per inquiry, quote, sample and stage change, noted when profile
files or records it (and by the backfill for archives from before), so that a report reads a
range of months through one index instead of every archive.

``key`` is "<kind>|<YYYY-MM>": the embedded document store ranges over one indexed string
field, but uses no compound index and no index for a range of datetimes. Each fact's id follows
from what caused it (the inquiry, the record, the timeline entry), so noting it twice keeps one.
"""

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from services.profile.domain.archive import customer_id_for
from services.profile.domain.deals import WHEN

INQUIRY, QUOTE, SAMPLE, STAGE = "inquiry", "quote", "sample", "stage"
Fact = dict[str, Any]
FACT_OF_STEP = {"quotes": QUOTE, "samples": SAMPLE}
# An English need stands alone ("CE" is not in "price", "UL" not in "ultra"). Python's \b counts
# Chinese characters as word characters ("CE认证" has no \b), so ASCII edges are used.
_ALONE = r"(?<![A-Za-z0-9]){}(?![A-Za-z0-9])"


def fact_key(kind: str, month: str) -> str:
    return f"{kind}|{month}"


def _fact(fact_id: str, kind: str, customer_id: str, at: datetime, month: str, **fields: Any) -> Fact:
    return {
        "_id": f"{kind}:{fact_id}",
        "kind": kind,
        "key": fact_key(kind, month),
        "month": month,
        "at": at,
        "customer_id": customer_id,
        **fields,
    }


def inquiry_fact(
    inquiry_id: str,
    customer_id: str,
    at: datetime,
    month: str,
    *,
    opened: bool,
    country: str | None,
    channel: str,
    campaign: str | None,
    needs: Iterable[str],
    products: Iterable[str],
) -> Fact:
    """An inquiry filed into ``customer_id`` (``opened``: it opened the archive)."""
    return _fact(
        inquiry_id,
        INQUIRY,
        customer_id,
        at,
        month,
        inquiry_id=inquiry_id,
        opened=opened,
        country=country,
        channel=channel,
        campaign=campaign,
        needs=list(needs),
        products=list(products),
    )


def step_fact(kind: str, record_id: str, customer_id: str, record: dict[str, Any], month: str) -> Fact:
    """A quote or sample (``kind``: quotes, samples) as recorded on the archive."""
    return _fact(record_id, FACT_OF_STEP[kind], customer_id, record[WHEN[kind]], month, by=record["by"])


def stage_fact(entry: dict[str, Any], reason: str | None, month: str) -> Fact:
    """A stage change, from its timeline entry (whose id names the change) and its reason."""
    return _fact(
        entry["_id"],
        STAGE,
        entry["customer_id"],
        entry["at"],
        month,
        stage=entry["refs"]["stage"],
        by=entry["actor"],
        reason=reason,
    )


def needs_in(texts: Iterable[str | None], needs: dict[str, list[str]]) -> list[str]:
    """The needs (``{name: [variants]}``, e.g. ``{"CE": ["CE", "CE认证"]}``) any of ``texts`` asks
    for, in the configured order. English variants match whole words in any case; Chinese as written."""
    text = "\n".join(t for t in texts if t)
    return [name for name, variants in needs.items() if any(_mentions(text, variant) for variant in variants)]


def _mentions(text: str, variant: str) -> bool:
    if variant.isascii():
        return re.search(_ALONE.format(re.escape(variant)), text, re.IGNORECASE) is not None
    return variant.casefold() in text.casefold()


def products_of(products: Iterable[str] | None) -> list[str]:
    """Product names as asked, trimmed, each once (compared without case or extra spaces)."""
    seen: dict[str, str] = {}
    for product in products or []:
        shown = " ".join(product.split())
        if shown:
            seen.setdefault(shown.casefold(), shown)
    return list(seen.values())


def archive_facts(
    archive: dict[str, Any],
    stage_entries: Iterable[dict[str, Any]],
    month_of: Callable[[datetime], str],
    needs: dict[str, list[str]],
    country: str | None,
) -> list[Fact]:
    """The facts of an archive filed before facts were noted (the backfill).

    The archive keeps each inquiry's source (when, channel, campaign) but not each one's text,
    so its needs and products are counted once, with the inquiry that opened it. A stage is known
    only as it stands now: a side stage (lost, invalid…) is noted from its latest timeline entry
    with the archive's reason. ``month_of``: datetime -> "YYYY-MM"; ``country``: ISO or None.
    """
    opened_by = {archive["_id"], *archive.get("absorbed_ids", [])}
    facts = []
    for index, source in enumerate(archive.get("sources") or []):
        first = index == 0
        facts.append(
            inquiry_fact(
                source["inquiry_id"],
                archive["_id"],
                source["at"],
                month_of(source["at"]),
                opened=customer_id_for(source["inquiry_id"]) in opened_by,
                country=country,
                channel=source["channel"],
                campaign=source.get("campaign"),
                needs=needs_in(
                    [*archive.get("needs", []), *archive.get("special_requirements", []), *archive.get("products", [])],
                    needs,
                )
                if first
                else [],
                products=products_of(archive.get("products")) if first else [],
            )
        )
    for kind in FACT_OF_STEP:
        facts += [
            step_fact(kind, record["id"], archive["_id"], record, month_of(record[WHEN[kind]]))
            for record in archive.get(kind, [])
        ]
    # a stage the pool's decision set is counted by the pool's own report, not twice
    reached = [
        e
        for e in stage_entries
        if e["refs"].get("stage") == archive["stage"] and not (e.get("details") or {}).get("from_pool")
    ]
    if archive.get("stage_reason") and reached:
        latest = max(reached, key=lambda e: e["at"])
        facts.append(stage_fact(latest, archive["stage_reason"], month_of(latest["at"])))
    return facts
