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

Beside them, ``sums``: what the report adds up of the entries, made in the same write as they
change, so that a report reads a shard's sums (a few hundred characters) and never its entries.
A customer counts once in a report over several months, so only the customers with an entry in
this month alone (of this kind) are added up; a customer with entries in several months (a second
inquiry in another month, archives merged) keeps its entry in the sums as it is (``again``), and
the report joins its months as from the entries. Each customer's part says which it is (``Held``'s
third element, worked out from all its facts). A shard stored before sums were kept has none
(written again customer by customer, it still has none: the others' parts are not known): its
report reads its entries until the upgrade builds it again.

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

from services.profile.domain.reports import tally_outcomes

DEMAND, CONVERSION, STEPS, STAGES = "demand", "conversion", "steps", "stages"
SHARDED = (DEMAND, CONVERSION, STEPS)
DAY_SECONDS = 86_400
COMPRESSION = 1  # zlib's fastest: most of the size gone, a shard written again in about a millisecond
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Fact = dict[str, Any]
Totals = dict[str, Any]
# A customer's part of a sharded document: (its count, its entry or None when it has none to show)
# and, as a third element, whether it has an entry in other months of the kind too (False if left out).
Held = tuple[Any, ...]


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


def with_again(parts: Mapping[str, Held]) -> dict[str, Held]:
    """{month: part} of one customer and one kind, each part saying whether the customer has an
    entry in another month too (then its months are joined by the report, not added up)."""
    shown = sum(1 for held in parts.values() if held[1] is not None)
    return {month: (held[0], held[1], shown > 1) for month, held in parts.items()}


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
    blank = {
        **blank,
        "shard": shard,
        "shards": shards,
        "counts": _text({}),
        "entries": _text({}),
        "sums": _text(sums_of(kind, {}, ())),
    }
    return {**blank, "countries": []} if kind == DEMAND else blank


def with_customer(totals: Totals, customer_id: str, held: Held | None) -> Totals:
    """``totals`` (a shard) with the customer's count and entry set (None: it has no facts of the
    month here, as after a merge into another); ``totals`` itself when they are already so."""
    counts, entries = _read(totals["counts"]), _read(totals["entries"])
    again = set(_read(totals["sums"])["again"]) if "sums" in totals else None
    if held is None:
        if customer_id not in counts and customer_id not in entries:
            return totals
        counts.pop(customer_id, None)
        entries.pop(customer_id, None)
        return made_of(totals, counts, entries, again)
    count, entry, is_again = _plain(held[0]), _plain(held[1]), len(held) > 2 and bool(held[2])
    if (
        counts.get(customer_id) == count
        and entries.get(customer_id) == entry
        and (again is None or entry is None or (customer_id in again) == is_again)
    ):
        return totals
    counts[customer_id] = count
    if entry is None:
        entries.pop(customer_id, None)
    else:
        entries[customer_id] = entry
    if again is not None:
        again.discard(customer_id)
        if is_again:
            again.add(customer_id)
    return made_of(totals, counts, entries, again)


def made_of(
    totals: Totals, counts: Mapping[str, Any], entries: Mapping[str, Any], again: Iterable[str] | None = ()
) -> Totals:
    """``totals`` (a shard) holding these customers' counts and entries, with the figures that
    follow: their sums, the customers in ``again`` (those with entries in other months too) kept
    apart; ``again`` None: a shard of the shape from before sums, kept so (no sums)."""
    made = {**totals, "counts": _text(counts), "entries": _text(entries)}
    if again is not None:
        made["sums"] = _text(sums_of(totals["kind"], entries, again))
    if totals["kind"] != DEMAND:
        return {**made, "facts": sum(counts.values())}
    countries: Counter = Counter()
    facts = 0
    for k, per_country in counts.values():
        facts += k
        for country, n in per_country:
            countries[country] += n
    return {
        **made,
        "facts": facts,
        "countries": sorted(([country, n] for country, n in countries.items()), key=lambda pair: pair[0] or ""),
    }


def sums_of(kind: str, entries: Mapping[str, Any], again: Iterable[str]) -> dict[str, Any]:
    """What ``kind``'s report adds up of a shard's entries, over the customers not in ``again``
    (entries in other months too), whose entries are kept as they are: {"again": {customer: entry},
    and for demand "c": [[country, customers, {need: customers}]] and "pr": [[product key, first
    at, as first written, inquiries, customers]]; for conversion "o": [[channel, campaign, opened,
    converted]]; for steps "w": {who quoted: waiting}, "d": {who quoted: [days to the sample]}}."""
    again = set(again)
    apart = {customer: entry for customer, entry in entries.items() if customer in again}
    alone = [entry for customer, entry in entries.items() if customer not in again]
    if kind == DEMAND:
        places: dict[Any, list] = {}
        products: dict[str, list] = {}
        for entry in alone:
            place = places.setdefault(entry["p"][1] if entry["p"] is not None else None, [0, Counter()])
            place[0] += 1
            place[1].update({*entry["n"], *entry["r"]})
            for key, product, at, n in entry["pr"]:
                known = products.get(key)
                if known is None:
                    products[key] = [key, at, product, n, 1]
                else:
                    if (at, product) < (known[1], known[2]):
                        known[1], known[2] = at, product
                    known[3] += n
                    known[4] += 1
        rows = [[country, n, dict(needs)] for country, (n, needs) in places.items()]
        return {"c": sorted(rows, key=lambda row: row[0] or ""), "pr": sorted(products.values()), "again": apart}
    if kind == CONVERSION:
        opened: dict[tuple, list] = {}
        for _at, channel, campaign, ordered in alone:
            tally = opened.setdefault((channel, campaign), [0, 0])
            tally[0] += 1
            tally[1] += 1 if ordered else 0
        rows = [[channel, campaign, *tally] for (channel, campaign), tally in opened.items()]
        return {"o": sorted(rows, key=lambda row: (row[0], row[1] or "")), "again": apart}
    waiting: Counter = Counter()
    days: defaultdict[str, list] = defaultdict(list)
    tally_outcomes(alone, waiting, days)
    return {"w": dict(sorted(waiting.items())), "d": {by: sorted(days[by]) for by in sorted(days)}, "again": apart}


def built_shards(
    kind: str, month: str, held: Mapping[str, Held], shards: int, before: Mapping[str, Totals]
) -> list[Totals]:
    """Every shard of a month's ``kind`` totals made afresh from each customer's part (``held``:
    {customer: (count, entry or None)}); ``before``: {id: the shard as stored}, kept apart from
    what it held (its id and version)."""
    counts: list[dict] = [{} for _ in range(shards)]
    entries: list[dict] = [{} for _ in range(shards)]
    again: list[set] = [set() for _ in range(shards)]
    for customer_id, part in held.items():
        shard = shard_of(customer_id, shards)
        counts[shard][customer_id] = part[0]
        if part[1] is not None:
            entries[shard][customer_id] = part[1]
            if len(part) > 2 and part[2]:
                again[shard].add(customer_id)
    answer = []
    for shard in range(shards):
        base = before.get(totals_id(kind, month, shard)) or empty(kind, month, shard, shards)
        answer.append(made_of({**base, "shards": shards}, counts[shard], entries[shard], again[shard]))
    return answer


def built_inquiries(
    month: str,
    facts: Iterable[Fact],
    archive_of: Callable[[str], tuple[list[str], bool]],
    elsewhere: Iterable[Fact] = (),
) -> dict[str, dict[str, Held]]:
    """{DEMAND: {customer: its part}, CONVERSION: {…}} of a month made from all its inquiry facts;
    ``archive_of(customer)``: (its recorded needs, whether it ordered); ``elsewhere``: inquiry
    facts of other months (those of this month's customers tell which have entries there too)."""
    by_customer = defaultdict(list)
    for fact in facts:
        by_customer[fact["customer_id"]].append(fact)
    other_months: defaultdict[str, set] = defaultdict(set)
    opened_months: defaultdict[str, set] = defaultdict(set)
    for fact in elsewhere:
        if fact["month"] != month and fact["customer_id"] in by_customer:
            other_months[fact["customer_id"]].add(fact["month"])
            if fact.get("opened"):
                opened_months[fact["customer_id"]].add(fact["month"])
    answer: dict[str, dict[str, Held]] = {DEMAND: {}, CONVERSION: {}}
    for customer_id, its_facts in by_customer.items():
        again = {DEMAND: bool(other_months[customer_id]), CONVERSION: bool(opened_months[customer_id])}
        for kind, held in inquiry_entries(its_facts, *archive_of(customer_id)).items():
            answer[kind][customer_id] = (*held[:2], again[kind])
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


def has_sums(shard: Totals) -> bool:
    """Whether a shard (read with its "sums") keeps them: one stored before they were is read by its entries."""
    return "sums" in shard


def sums_in(shard: Totals) -> dict[str, Any]:
    """The sums of one shard (``sums_of``)."""
    return _read(shard["sums"])


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
