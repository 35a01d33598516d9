"""Profile's reports: the facts it notes as it files inquiries and records quotes, samples and stage
changes; the monthly totals kept of them (domain.report_totals); the backfill that notes them for
archives from before; and each report read off the totals.

What each report reads — its own kind of totals: the shards of every month of its period
(``BATON.reports.totals_shards`` documents a month, all fetched in one query), and one index count
of each month's facts (a month whose shards together count other than its facts is built again
from its facts):

- inquiries by place: the inquiries per country of its months and the month before (demand's shards);
- demand (products, needs): each shard's sums (customers per country with the needs asked and
  recorded on their archives, products), and the entries of the customers with inquiries in
  several months, kept beside them (a customer counts once);
- follow-up: each shard's sums of the outcomes (waiting, days to the sample, per salesperson) of
  the customers whose first sample after their first quote, or that quote still waiting, falls
  in its months;
- conversion by source: each shard's customers opened per channel and campaign, with how many
  ordered since (and the openings of customers opened in several months, kept beside them);
- lost reasons: the stage changes of its months per (stage, reason), one document a month.

The sums are read without the entries (a projection); a shard stored before sums were kept is
read by its entries until the upgrade ``report_facts`` v4 builds it again.

The entries of a customer are worked out again from its facts and archive whenever it changes (an
inquiry, a deal step, a merge; an archive change only when its recorded needs or its having an
order may have changed), so what a report shows of an archive's later state stays right; only the
shards whose entry changed are written. A stage change is counted once, when its fact is first noted.

A month is a calendar month in ``BATON.reports.time_zone`` as it was set when the fact was noted.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from services.profile.domain import report_totals as totals
from services.profile.domain import reports
from services.profile.domain.deals import WHEN
from services.profile.domain.report_facts import (
    FACT_OF_STEP,
    INQUIRY,
    QUOTE,
    SAMPLE,
    STAGE,
    archive_facts,
    inquiry_fact,
    needs_in,
    products_of,
    stage_fact,
    step_fact,
)
from services.runtime.collector import with_collector_paused
from services.runtime.report_rules import month_of
from services.runtime.reporting import Period

Store = Any  # services.profile.store.Customers (a service's domain side never imports its store)
Settings = dict[str, Any]
Document = dict[str, Any]

# The facts each kind of totals is made of.
FACTS_OF = {
    totals.DEMAND: (INQUIRY,),
    totals.CONVERSION: (INQUIRY,),
    totals.STEPS: (QUOTE, SAMPLE),
    totals.STAGES: (STAGE,),
}
KINDS_OF_FACT = {
    fact: [kind for kind, facts in FACTS_OF.items() if fact in facts] for fact in (INQUIRY, QUOTE, SAMPLE, STAGE)
}
# The totals of a customer that follow from its archive too (its recorded needs, its orders).
OF_ARCHIVE = (totals.DEMAND, totals.CONVERSION)
# Totals of a shape no report reads any more, per fact kind (dropped by the upgrade to shards).
UNSHARDED = {INQUIRY: "inquiries", QUOTE: "steps", SAMPLE: "steps"}
ARCHIVE_FIELDS = ("needs", "special_requirements", "orders")
EVER = ("0000-01", "9999-12")  # every month
WRITE_ATTEMPTS = 10  # a shard changed by this many writers at once: the month's count repairs it


# --- noting facts as things happen ----------------------------------------------------------------


def note_inquiry(
    customers: Store,
    settings: Settings,
    inquiry_id: str,
    inquiry: dict,
    received_at: Any,
    customer_id: str,
    opened: bool,
    archive: dict | None = None,
    noted: bool = False,
) -> None:
    """An inquiry filed into ``customer_id`` (with its ``country_code``); its country is the
    archive's when it names none. ``archive``: as filed, when at hand (not read again); ``noted``:
    its fact (``inquiry_fact_for``) was written with the archive it opened, its only fact."""
    if archive is None and not inquiry.get("country"):
        archive = customers.get(customer_id)
    fact = inquiry_fact_for(settings, inquiry_id, inquiry, received_at, customer_id, opened, archive)
    if not noted:
        customers.note_facts([fact])
    # noted again (a redelivery): the totals are written again, to the same figures
    refresh_customer(customers, settings, customer_id, archive=archive, facts=[fact] if noted and opened else None)


def inquiry_fact_for(
    settings: Settings,
    inquiry_id: str,
    inquiry: dict,
    received_at: Any,
    customer_id: str,
    opened: bool,
    archive: dict | None,
) -> dict:
    """The report fact of an inquiry filed into ``customer_id`` (``archive``: gives the country
    when the inquiry names none)."""
    at = inquiry.get("occurred_at") or received_at
    country = inquiry.get("country_code") if inquiry.get("country") else (archive or {}).get("country_code")
    products = products_of(inquiry.get("products"))
    return inquiry_fact(
        inquiry_id,
        customer_id,
        at,
        month_of(at, settings["zone"]),
        opened=opened,
        country=country,
        channel=inquiry["channel"],
        campaign=inquiry.get("campaign"),
        needs=needs_in([inquiry.get("message"), *products], settings["needs"]),
        products=products,
    )


def note_deal_step(
    customers: Store, settings: Settings, customer_id: str, kind: str, record_id: str, record: dict
) -> None:
    """A quote, sample or order recorded: its fact (quotes, samples), and the customer's totals
    (an order turns its openings into conversions)."""
    if kind in FACT_OF_STEP:
        customers.note_facts(
            [step_fact(kind, record_id, customer_id, record, month_of(record[WHEN[kind]], settings["zone"]))]
        )
    refresh_customer(customers, settings, customer_id)


def note_stage_change(customers: Store, settings: Settings, entry: dict, reason: str | None) -> None:
    """A stage changed by hand (``entry``: its timeline entry), counted in its month's totals
    when its fact is new (noted twice, it is counted once; a count missed between the two writes
    shows in the month's count of facts, and the month is counted again)."""
    fact = stage_fact(entry, reason, month_of(entry["at"], settings["zone"]))
    if customers.note_facts([fact]):
        _change(customers, totals.STAGES, fact["month"], lambda stored: totals.with_stage(stored, fact))


def customer_changed(customers: Store, settings: Settings, archive: dict, before: dict | None = None) -> None:
    """Any change of an archive: the totals that follow from it (its recorded needs, its orders)
    written again — none when ``before`` (the archive as it was, if at hand) has the same of both."""
    if before is not None and _archive_state(before, settings) == _archive_state(archive, settings):
        return
    refresh_customer(customers, settings, archive["_id"], archive=archive, kinds=OF_ARCHIVE)


def customers_merged(customers: Store, settings: Settings, kept_id: str, absorbed_id: str) -> None:
    """``absorbed_id`` merged into ``kept_id`` (its facts moved there): one customer in the totals."""
    refresh_customer(customers, settings, kept_id, absorbed=(absorbed_id,))


def refresh_customer(
    customers: Store,
    settings: Settings,
    customer_id: str,
    archive: dict | None = None,
    absorbed: Iterable[str] = (),
    kinds: Iterable[str] = totals.SHARDED,
    facts: list[Document] | None = None,
) -> None:
    """Write the customer's entries (of ``kinds``) in its shard of every month it has facts in,
    from its facts and archive as they are now; ``absorbed``: archives merged into it, whose
    entries go; ``facts``: all its facts, when known (not read again). An entry already so is
    not written. Idempotent: done twice, or by two writers, it writes the same."""
    kinds = set(kinds)
    facts = facts if facts is not None else customers.facts_of(customer_id)
    parts: dict[tuple[str, str], totals.Held] = {}
    inquiries = defaultdict(list)
    for fact in facts:
        if fact["kind"] == INQUIRY:
            inquiries[fact["month"]].append(fact)
    if inquiries and kinds & set(OF_ARCHIVE):
        archive = archive if archive is not None else customers.get(customer_id)
        recorded, ordered = _archive_state(archive, settings)
        for month, its_facts in inquiries.items():
            for kind, held in totals.inquiry_entries(its_facts, recorded, ordered).items():
                if kind in kinds:
                    parts[kind, month] = held
    if totals.STEPS in kinds:
        steps = [fact for fact in facts if fact["kind"] in (QUOTE, SAMPLE)]
        for month, held in totals.step_entries(steps).items():
            parts[totals.STEPS, month] = held
    of_kind: defaultdict[str, dict[str, totals.Held]] = defaultdict(dict)
    for (kind, month), held in parts.items():
        of_kind[kind][month] = held
    parts = {
        (kind, month): held for kind, months in of_kind.items() for month, held in totals.with_again(months).items()
    }
    shards = settings["totals_shards"]
    changes: dict[str, list[tuple[str, totals.Held | None]]] = defaultdict(list)
    for (kind, month), held in parts.items():
        changes[totals.totals_id(kind, month, totals.shard_of(customer_id, shards))].append((customer_id, held))
        for gone in absorbed:
            changes[totals.totals_id(kind, month, totals.shard_of(gone, shards))].append((gone, None))
    _change_shards(customers, shards, changes)


def backfill(customers: Store, settings: Settings, after: str | None, limit: int) -> dict:
    """Note the facts of up to ``limit`` archives after ``after`` (in id order); facts noted
    before stay as they are (the months they fall in are counted again when next read). Answers
    what ``BackfillResultSchema`` shows."""
    archives = customers.archives_after(after, limit)
    written = 0
    for archive in archives:
        entries = customers.stage_changes_of(archive["_id"]) if archive.get("stage_reason") else []
        written += customers.note_facts(
            archive_facts(
                archive,
                entries,
                lambda at: month_of(at, settings["zone"]),
                settings["needs"],
                archive.get("country_code"),
            )
        )
    done = len(archives) < limit
    return {"examined": len(archives), "written": written, "next_after": None if done else archives[-1]["_id"]}


def total_months_after(customers: Store, settings: Settings, after: str | None) -> str | None:
    """The upgrade to monthly totals in shards: the totals of the next month with facts after
    ``after`` (a fact key, "<kind>|<month>") made from its facts unless they count them already,
    and that month's totals of the unsharded shape dropped; that key, or None after the last."""
    key = customers.next_fact_key(after)
    if key is None:
        return None
    fact_kind, month = key.split("|", 1)
    for kind in KINDS_OF_FACT.get(fact_kind, ()):
        _totals(customers, settings, kind, [month], ())
    if fact_kind in UNSHARDED:
        customers.remove_report_totals([totals.totals_id(UNSHARDED[fact_kind], month)])
    return key


def sum_months_after(customers: Store, settings: Settings, after: str | None) -> str | None:
    """The upgrade to shards that keep their sums: the totals of the next month with facts after
    ``after`` (a fact key, "<kind>|<month>") built again from its facts when a shard of it has
    none (stored before they were kept); that key, or None after the last. Meanwhile a report
    reads such a shard's entries."""
    key = customers.next_fact_key(after)
    if key is None:
        return None
    fact_kind, month = key.split("|", 1)
    for kind in KINDS_OF_FACT.get(fact_kind, ()):
        if kind not in totals.SHARDED:
            continue
        ids = totals.month_ids(kind, month, settings["totals_shards"])
        stored = customers.totals_of(ids, ("sums",))
        if not all(totals.has_sums(shard) for shard in stored.values()):
            _build(customers, settings, kind, month)
    return key


# --- the reports ------------------------------------------------------------------------------------


@with_collector_paused
def inquiries_by_place(customers: Store, settings: Settings, countries: Any, period: Period, by: str) -> dict:
    months = _totals(customers, settings, totals.DEMAND, [period.month_before, *period.months], ("countries",))
    region_of = _region_lookup(settings)
    months_answered = reports.inquiries_by_place_of_totals(
        {month: totals.countries_of(shards) for month, shards in months.items()},
        period.months,
        period.month_before,
        (lambda country: country) if by == "country" else region_of,
        region_of if by == "country" else None,
    )
    for month in months_answered:
        _name_countries(month["places"], countries, by)
    return period.answer(by=by, months=months_answered)


@with_collector_paused
def demand(customers: Store, settings: Settings, countries: Any, period: Period, by: str) -> dict:
    # What sales learned later (needs, 【特殊】 special requirements) counts as much as the first
    # inquiry: each customer's entry holds the needs recorded on its archive.
    sums, entries = _sums(customers, settings, totals.DEMAND, period.months)
    region_of = _region_lookup(settings)
    answer = reports.demand_of_sums(
        sums,
        entries,
        (lambda country: country) if by == "country" else region_of,
        list(settings["needs"]),
        settings["top_products"],
    )
    _name_countries(answer["places"], countries, by)
    return period.answer(by=by, **answer)


@with_collector_paused
def follow_up(customers: Store, settings: Settings, period: Period) -> dict:
    return period.answer(**reports.follow_up_of_sums(*_sums(customers, settings, totals.STEPS, period.months)))


@with_collector_paused
def conversion(customers: Store, settings: Settings, period: Period) -> dict:
    return period.answer(**reports.conversion_of_sums(*_sums(customers, settings, totals.CONVERSION, period.months)))


@with_collector_paused
def lost_reasons(customers: Store, settings: Settings, period: Period) -> dict:
    months = _totals(customers, settings, totals.STAGES, period.months, ("reasons",))
    return period.answer(
        **reports.lost_reasons_of_totals(
            [totals.stage_reasons(stored) for shards in months.values() for stored in shards], settings["lost_stages"]
        )
    )


# --- the totals -------------------------------------------------------------------------------------


def _sums(customers: Store, settings: Settings, kind: str, months: list[str]) -> tuple[list[dict], list[dict]]:
    """The sums of every shard of these months (``kind``'s), read without their entries; and the
    entries the report joins itself: of the customers with entries in several months (kept beside
    the sums), and every entry of a shard stored before sums were kept (read in a second query)."""
    shards = [
        shard for of_month in _totals(customers, settings, kind, months, ("sums",)).values() for shard in of_month
    ]
    sums = [totals.sums_in(shard) for shard in shards if totals.has_sums(shard)]
    entries = [summed.pop("again") for summed in sums]
    without = [shard["_id"] for shard in shards if not totals.has_sums(shard)]
    if without:
        entries += [totals.entries_of(shard) for shard in customers.totals_of(without, ("entries",)).values()]
    return sums, entries


def _totals(
    customers: Store, settings: Settings, kind: str, months: list[str], fields: tuple
) -> dict[str, list[Document]]:
    """{month: its ``kind`` totals (just ``fields``), every shard}: as stored when together they
    count every fact of the month, else built again from the month's facts. One query for all."""
    shards = settings["totals_shards"]
    ids = {month: totals.month_ids(kind, month, shards) for month in months}
    stored = customers.totals_of([one for month in months for one in ids[month]], (*fields, "shards"))
    answer: dict[str, list[Document]] = {}
    read: dict[str, list[Document]] = {}  # facts read for a month built again, kept for the next
    for month in months:
        found = [stored[one] for one in ids[month] if one in stored]
        noted = sum(customers.count_facts(fact, month) for fact in FACTS_OF[kind])
        if noted == 0:
            answer[month] = []
        elif sum(doc["facts"] for doc in found) == noted and (
            kind not in totals.SHARDED or all(doc.get("shards") == shards for doc in found)
        ):
            answer[month] = found
        else:
            answer[month] = _build(customers, settings, kind, month, read)
    return answer


def _build(
    customers: Store, settings: Settings, kind: str, month: str, read: dict[str, list[Document]] | None = None
) -> list[Document]:
    """A month's ``kind`` totals made from its facts (of demand and conversion, both: they are made
    of the same facts), each shard kept unless another writer changed it meanwhile (then the
    month is built again when next read, if it still counts otherwise)."""
    shards = settings["totals_shards"]
    if kind == totals.STAGES:
        stored = customers.report_totals(totals.totals_id(kind, month))
        counted = totals.stages_totals(
            stored or totals.empty(kind, month), customers.facts_between(STAGE, month, month)
        )
        _keep(customers, counted, stored)
        return [counted]
    # the shards as they are before the facts are read: one a writer changes after is not overwritten
    built_kinds = [kind] if kind == totals.STEPS else [totals.DEMAND, totals.CONVERSION]
    befores = {one: customers.report_totals_by_id(totals.month_ids(one, month, shards)) for one in built_kinds}
    if kind == totals.STEPS:
        in_month = {
            fact["customer_id"] for kind_ in (QUOTE, SAMPLE) for fact in customers.facts_between(kind_, month, month)
        }
        steps_of = defaultdict(list)
        for kind_ in (QUOTE, SAMPLE):
            for fact in customers.facts_between(kind_, *EVER):
                if fact["customer_id"] in in_month:
                    steps_of[fact["customer_id"]].append(fact)
        held = {kind: totals.built_steps(month, steps_of)}
    else:
        facts = customers.facts_between(INQUIRY, month, month)
        states = {
            archive["_id"]: _archive_state(archive, settings)
            for archive in customers.archives_by_id([fact["customer_id"] for fact in facts], ARCHIVE_FIELDS)
        }
        # which of the month's customers have inquiries in other months too (their entries are kept
        # apart): read once for every month one report builds again
        read = {} if read is None else read
        if INQUIRY not in read:
            read[INQUIRY] = customers.facts_between(INQUIRY, *EVER, ("customer_id", "month", "opened"))
        elsewhere = read[INQUIRY]
        held = totals.built_inquiries(month, facts, lambda customer: states.get(customer, ([], False)), elsewhere)
    answer: list[Document] = []
    for built_kind, parts in held.items():
        before = befores[built_kind]
        built = totals.built_shards(built_kind, month, parts, shards, before)
        for shard in built:
            _keep(customers, shard, before.get(shard["_id"]))
        if built_kind == kind:
            answer = built
    return answer


def _keep(customers: Store, after: Document, before: Document | None) -> bool:
    """Write ``after`` (nothing when it is ``before``); False when another writer came first."""
    if before is None:
        return customers.add_report_totals(after)
    return after == before or customers.replace_report_totals(after, before)


def _change(customers: Store, kind: str, month: str, change: Callable[[Document], Document]) -> None:
    """``change`` a month's unsharded totals (made empty when it has none), guarded against other writers."""
    for _attempt in range(WRITE_ATTEMPTS):
        before = customers.report_totals(totals.totals_id(kind, month))
        if _keep(customers, change(before or totals.empty(kind, month)), before):
            return


def _change_shards(customers: Store, shards: int, changes: dict[str, list[tuple[str, totals.Held | None]]]) -> None:
    """Set customers' parts (``changes``: {shard id: [(customer, part or None)]}) in their shards,
    all read in one query and written in one command; a shard another writer changed meanwhile is
    read again and retried."""
    if not changes:
        return
    stored = customers.report_totals_by_id(list(changes))
    writes = []
    for shard_id, parts in changes.items():
        before = stored.get(shard_id)
        if (after := _with_parts(shard_id, parts, before, shards)) != before:
            writes.append((after, before))
    for shard_id in customers.write_report_totals(writes):
        for _attempt in range(WRITE_ATTEMPTS):
            before = customers.report_totals(shard_id)
            if _keep(customers, _with_parts(shard_id, changes[shard_id], before, shards), before):
                break


def _with_parts(
    shard_id: str, parts: list[tuple[str, totals.Held | None]], before: Document | None, shards: int
) -> Document:
    """The shard ``before`` (made empty when it has none) with these customers' parts set."""
    kind, month, shard = shard_id.split("|")
    after = before or totals.empty(kind, month, int(shard), shards)
    for customer_id, held in parts:
        after = totals.with_customer(after, customer_id, held)
    return after


def _archive_state(archive: dict | None, settings: Settings) -> tuple[list[str], bool]:
    """(the needs recorded on the archive, whether it has an order)."""
    if archive is None:
        return [], False
    recorded = needs_in([*archive.get("needs", []), *archive.get("special_requirements", [])], settings["needs"])
    return recorded, bool(archive.get("orders"))


def _name_countries(rows: list[dict], countries: Any, by: str) -> None:
    """Each row's country named beside its code, for people (``BATON.countries.display_language``)."""
    if by == "country":
        for row in rows:
            row["name"] = countries.name_of(row["place"])


def _region_lookup(settings: Settings) -> Callable[[str | None], str | None]:
    regions, other = settings["region_of_country"], settings["other_region"]
    return lambda country: None if country is None else regions.get(country, other)
