"""Monthly totals of the report facts, kept as facts are noted so that a report reads a few small
documents per month instead of every fact of its months (no I/O).

Four kinds of totals, each report reading only its own:

- ``demand``: per customer with an inquiry that month, what the demand report needs of its
  inquiry facts (its place and when, the needs asked and recorded on its archive, products); and
  the inquiries per country for the inquiries report;
- ``conversion``: per customer opened that month, its earliest opening and whether it ordered since;
- ``steps``: per customer whose follow-up outcome falls in the month, that outcome (the sample
  after its first quote, or that first quote still waiting);
- ``stages``: the stage changes of the month counted per (stage, reason) — one small document
  per month, written only when a stage is changed by hand.

The first three are sharded: a month's customers are split by a stable hash of their id over
``shards`` documents, ``_id`` "<kind>|<YYYY-MM>|<shard>", so a change of one customer reads and
writes one shard (a small fraction of the month) and writers of other shards never collide.
``stages`` has one document per month, ``_id`` "stages|<YYYY-MM>".

A sharded document holds two JSON texts, each compressed (``zlib``, then base64: the embedded
store keeps no bytes; a quarter of the characters for the store to read and hand over, none
needing escapes, undone far faster than they would be sent): ``counts``, each customer's count of the month's facts
(and for demand its inquiries per country), which keep the document's ``facts`` and ``countries``
right as one customer's entry changes and which no report reads; and ``entries``, each
customer's entry as its report reads it (a customer without one — no opening, no outcome this
month — is only counted). The store keeps and hands over one value far faster than thousands of
sub-documents, and the keys (customer ids, product names) need no escaping for field names.

A customer's entries follow from its own facts and archive alone (``inquiry_entries``,
``step_entries``), so writing them again after any change of that customer is harmless: a fact
noted twice, or a change announced twice, leaves the same totals (and an unchanged entry is not
written at all). The shards of a month together count the facts they hold (``facts``); a month
whose shards count other than the facts stored for it (a writer that stopped between the fact and
its totals, a merge half done, a change of the number of shards) is built again from its facts.
"""

import base64
import json
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

DEMAND, CONVERSION, STEPS, STAGES = "demand", "conversion", "steps", "stages"
SHARDED = (DEMAND, CONVERSION, STEPS)
DAY_SECONDS = 86_400
COMPRESSION = 1  # zlib's fastest: most of the size gone, a shard written again in about a millisecond
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Fact = dict[str, Any]
Totals = dict[str, Any]
# A customer's part of a sharded document: (its count, its entry or None when it has none to show).
Held = tuple[Any, Any]


def shard_of(customer_id: str, shards: int) -> int:
    """The shard a customer's entries are kept in: a hash that is the same in every process."""
    return zlib.crc32(customer_id.encode()) % shards


def totals_id(kind: str, month: str, shard: int | None = None) -> str:
    return f"{kind}|{month}" if shard is None else f"{kind}|{month}|{shard}"


def month_ids(kind: str, month: str, shards: int) -> list[str]:
    """The ids of a month's ``kind`` totals: every shard's, or the one document of ``stages``."""
    return [totals_id(kind, month)] if kind not in SHARDED else [totals_id(kind, month, n) for n in range(shards)]


def millis(moment: datetime) -> int:
    """Whole epoch milliseconds: how precisely the store keeps a time, so totals made from a fact
    just noted and from the same fact read back agree."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


# --- one customer's entries -------------------------------------------------------------------------


def inquiry_entries(facts: Iterable[Fact], recorded: list[str], ordered: bool) -> dict[str, Held]:
    """{DEMAND: ([inquiries, [[country, inquiries]]], demand entry), CONVERSION: (inquiries,
    [opened at, channel, campaign, ordered] or None)} of one customer's inquiry facts of one
    month; ``recorded``: the needs on its archive; ``ordered``: its archive has an order."""
    facts = sorted(facts, key=lambda fact: fact["at"])
    placed = next((fact for fact in facts if fact.get("country") is not None), None)
    needs: dict[str, None] = {}
    products: dict[str, list] = {}
    for fact in facts:
        needs.update(dict.fromkeys(fact.get("needs") or []))
        for product in fact.get("products") or []:
            key = product.casefold()
            if key in products:
                products[key][3] += 1
            else:
                products[key] = [key, product, millis(fact["at"]), 1]
    opened = next((fact for fact in facts if fact.get("opened")), None)
    countries = sorted(Counter(fact.get("country") for fact in facts).items(), key=lambda pair: pair[0] or "")
    demand = {
        "p": [millis(placed["at"]), placed["country"]] if placed else None,
        "n": list(needs),
        "r": list(recorded),
        "pr": list(products.values()),
    }
    conversion = [millis(opened["at"]), opened["channel"], opened.get("campaign"), ordered] if opened else None
    return {DEMAND: ([len(facts), [list(pair) for pair in countries]], demand), CONVERSION: (len(facts), conversion)}


def follow_up_outcome(steps: Iterable[Fact]) -> tuple[str, list] | None:
    """(month, outcome) of a customer's quote and sample facts: its first sample after its first
    quote ([who quoted, days between], in the sample's month), or that quote still waiting ([who
    quoted, None], in the quote's month); None without a quote."""
    steps = list(steps)
    quotes = [fact for fact in steps if fact["kind"] == "quote"]
    if not quotes:
        return None
    quote = min(quotes, key=lambda fact: fact["at"])
    sample = min(
        (fact for fact in steps if fact["kind"] == "sample" and fact["at"] >= quote["at"]),
        key=lambda fact: fact["at"],
        default=None,
    )
    if sample is None:
        return quote["month"], [quote["by"], None]
    days = (millis(sample["at"]) - millis(quote["at"])) / 1000 / DAY_SECONDS
    return sample["month"], [quote["by"], days]


def step_entries(steps: Iterable[Fact]) -> dict[str, Held]:
    """{month: (its quotes and samples, {"o": follow-up outcome} or None)} of one customer's quote
    and sample facts, for each month it has one in (the outcome in the month it falls in)."""
    steps = list(steps)
    outcome = follow_up_outcome(steps)
    counted = Counter(fact["month"] for fact in steps)
    return {month: (k, {"o": outcome[1]} if outcome and outcome[0] == month else None) for month, k in counted.items()}


# --- a month's totals --------------------------------------------------------------------------------


def empty(kind: str, month: str, shard: int | None = None, shards: int | None = None) -> Totals:
    """Totals counting nothing (a shard of ``shards`` when ``kind`` is sharded)."""
    blank: Totals = {"_id": totals_id(kind, month, shard), "kind": kind, "month": month, "facts": 0, "version": 0}
    if kind == STAGES:
        return {**blank, "reasons": []}
    blank = {**blank, "shard": shard, "shards": shards, "counts": _text({}), "entries": _text({})}
    return {**blank, "countries": []} if kind == DEMAND else blank


def with_customer(totals: Totals, customer_id: str, held: Held | None) -> Totals:
    """``totals`` (a shard) with the customer's count and entry set (None: it has no facts of the
    month here, as after a merge into another); ``totals`` itself when they are already so."""
    counts, entries = _read(totals["counts"]), _read(totals["entries"])
    if held is None:
        if customer_id not in counts and customer_id not in entries:
            return totals
        counts.pop(customer_id, None)
        entries.pop(customer_id, None)
        return made_of(totals, counts, entries)
    count, entry = _plain(held[0]), _plain(held[1])
    if counts.get(customer_id) == count and entries.get(customer_id) == entry:
        return totals
    counts[customer_id] = count
    if entry is None:
        entries.pop(customer_id, None)
    else:
        entries[customer_id] = entry
    return made_of(totals, counts, entries)


def made_of(totals: Totals, counts: Mapping[str, Any], entries: Mapping[str, Any]) -> Totals:
    """``totals`` (a shard) holding these customers' counts and entries, with the figures that follow."""
    if totals["kind"] != DEMAND:
        return {**totals, "facts": sum(counts.values()), "counts": _text(counts), "entries": _text(entries)}
    countries: Counter = Counter()
    facts = 0
    for k, per_country in counts.values():
        facts += k
        for country, n in per_country:
            countries[country] += n
    return {
        **totals,
        "facts": facts,
        "countries": sorted(([country, n] for country, n in countries.items()), key=lambda pair: pair[0] or ""),
        "counts": _text(counts),
        "entries": _text(entries),
    }


def built_shards(
    kind: str, month: str, held: Mapping[str, Held], shards: int, before: Mapping[str, Totals]
) -> list[Totals]:
    """Every shard of a month's ``kind`` totals made afresh from each customer's part (``held``:
    {customer: (count, entry or None)}); ``before``: {id: the shard as stored}, kept apart from
    what it held (its id and version)."""
    counts: list[dict] = [{} for _ in range(shards)]
    entries: list[dict] = [{} for _ in range(shards)]
    for customer_id, (count, entry) in held.items():
        shard = shard_of(customer_id, shards)
        counts[shard][customer_id] = count
        if entry is not None:
            entries[shard][customer_id] = entry
    answer = []
    for shard in range(shards):
        base = before.get(totals_id(kind, month, shard)) or empty(kind, month, shard, shards)
        answer.append(made_of({**base, "shards": shards}, counts[shard], entries[shard]))
    return answer


def built_inquiries(
    month: str, facts: Iterable[Fact], archive_of: Callable[[str], tuple[list[str], bool]]
) -> dict[str, dict[str, Held]]:
    """{DEMAND: {customer: its part}, CONVERSION: {…}} of a month made from all its inquiry facts;
    ``archive_of(customer)``: (its recorded needs, whether it ordered)."""
    by_customer = defaultdict(list)
    for fact in facts:
        by_customer[fact["customer_id"]].append(fact)
    answer: dict[str, dict[str, Held]] = {DEMAND: {}, CONVERSION: {}}
    for customer_id, its_facts in by_customer.items():
        for kind, held in inquiry_entries(its_facts, *archive_of(customer_id)).items():
            answer[kind][customer_id] = held
    return answer


def built_steps(month: str, steps_of: Mapping[str, list[Fact]]) -> dict[str, Held]:
    """{customer: its part} of a month's step totals; ``steps_of``: {customer: all its quote and
    sample facts} for the customers with one in ``month``."""
    answer = {}
    for customer_id, steps in steps_of.items():
        held = step_entries(steps).get(month)
        if held is not None:
            answer[customer_id] = held
    return answer


def with_stage(totals: Totals, fact: Fact) -> Totals:
    """``totals`` (stages) counting one more stage fact (one first noted: counts are not idempotent,
    the month's count of facts tells when one was missed)."""
    return stages_totals(totals, [fact], base=totals)


def stages_totals(totals: Totals, facts: Iterable[Fact], base: Totals | None = None) -> Totals:
    """``totals`` (stages) counting ``facts`` (on top of ``base``'s counts, if given)."""
    counted: dict[tuple, int] = {}
    for stage, reason, n in (base or {}).get("reasons", []):
        counted[stage, reason] = counted.get((stage, reason), 0) + n
    facts_count = (base or {}).get("facts", 0)
    for fact in facts:
        key = (fact["stage"], fact.get("reason"))
        counted[key] = counted.get(key, 0) + 1
        facts_count += 1
    return {**totals, "facts": facts_count, "reasons": [[stage, reason, n] for (stage, reason), n in counted.items()]}


# --- reading totals back -----------------------------------------------------------------------------


def countries_of(shards: Iterable[Totals]) -> Counter:
    """The inquiries per country of a month (its demand shards)."""
    answer: Counter = Counter()
    for shard in shards:
        for country, n in shard["countries"]:
            answer[country] += n
    return answer


def entries_of(shard: Totals) -> dict[str, Any]:
    """{customer: entry} of one shard, as its report reads them."""
    return _read(shard["entries"])


def stage_reasons(totals: Totals) -> list[list]:
    return totals["reasons"]


def _text(entries: Mapping[str, Any]) -> str:
    packed = zlib.compress(json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode(), COMPRESSION)
    return base64.b64encode(packed).decode("ascii")


def _read(text: str) -> Any:
    return json.loads(zlib.decompress(base64.b64decode(text)))


def _plain(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples as lists), so a new entry compares with a stored one."""
    return json.loads(json.dumps(value, ensure_ascii=False))
