"""Profile's reports: the facts it notes as it files inquiries and records quotes, samples and stage
changes; the monthly totals kept of them (domain.report_totals); the backfill that notes them for
archives from before; and each report read off the totals.

What each report reads — per month of its period, one totals document and one index count of the
month's facts (a month whose totals count other than its facts is built again from its facts):

- inquiries by place: the inquiries per country of its months and the month before;
- demand (products, needs): each customer's entry of its months (its place, needs asked and
  recorded on its archive, products);
- follow-up: the outcome of each customer whose first sample after its first quote, or that
  quote still waiting, falls in its months;
- conversion by source: each customer opened in its months, with whether it ordered since;
- lost reasons: the stage changes of its months per (stage, reason).

The totals of a customer are written again from its facts and archive whenever it changes (an
inquiry, a deal step, new needs, a merge), so what a report shows of an archive's later state
(recorded needs, orders) stays right; a stage change is counted once, when its fact is first noted.

A month is a calendar month in ``BATON.reports.time_zone`` as it was set when the fact was noted.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
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
from services.runtime.report_rules import month_of
from services.runtime.reporting import Period

Store = Any  # services.profile.store.Customers (a service's domain side never imports its store)
Settings = dict[str, Any]
Document = dict[str, Any]

# The facts each kind of totals is made of.
FACTS_OF = {totals.INQUIRIES: (INQUIRY,), totals.STEPS: (QUOTE, SAMPLE), totals.STAGES: (STAGE,)}
KIND_OF_FACT = {fact: kind for kind, facts in FACTS_OF.items() for fact in facts}
ARCHIVE_FIELDS = ("needs", "special_requirements", "orders")
EVER = ("0000-01", "9999-12")  # every month
WRITE_ATTEMPTS = 10  # a month's totals changed by this many writers at once: the count repairs it


# --- noting facts as things happen ----------------------------------------------------------------


def note_inquiry(
    customers: Store,
    settings: Settings,
    inquiry_id: str,
    inquiry: dict,
    received_at: Any,
    customer_id: str,
    opened: bool,
) -> None:
    """An inquiry filed into ``customer_id`` (with its ``country_code``); its country is the
    archive's when it names none."""
    at = inquiry.get("occurred_at") or received_at
    country = (
        inquiry.get("country_code")
        if inquiry.get("country")
        else (customers.get(customer_id) or {}).get("country_code")
    )
    products = products_of(inquiry.get("products"))
    customers.note_facts(
        [
            inquiry_fact(
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
        ]
    )
    # noted again (a redelivery): the totals are written again, to the same figures
    refresh_customer(customers, settings, customer_id)


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


def customer_changed(customers: Store, settings: Settings, archive: dict) -> None:
    """Any change of an archive (its needs, its orders…): its totals written again."""
    refresh_customer(customers, settings, archive["_id"], archive=archive)


def customers_merged(customers: Store, settings: Settings, kept_id: str, absorbed_id: str) -> None:
    """``absorbed_id`` merged into ``kept_id`` (its facts moved there): one customer in the totals."""
    refresh_customer(customers, settings, kept_id, absorbed=(absorbed_id,))


def refresh_customer(
    customers: Store, settings: Settings, customer_id: str, archive: dict | None = None, absorbed: Iterable[str] = ()
) -> None:
    """Write the customer's entries in the totals of every month it has facts in, from its facts
    and archive as they are now; ``absorbed``: archives merged into it, whose entries go.
    Idempotent: done twice, or by two writers, it writes the same."""
    facts = customers.facts_of(customer_id)
    archive = archive if archive is not None else customers.get(customer_id)
    recorded, ordered = _archive_state(archive, settings)
    absorbed = tuple(absorbed)
    inquiries = defaultdict(list)
    for fact in facts:
        if fact["kind"] == INQUIRY:
            inquiries[fact["month"]].append(fact)
    for month, its_facts in inquiries.items():
        entries = totals.inquiry_entry(its_facts, recorded, ordered)
        _change(
            customers,
            totals.INQUIRIES,
            month,
            partial(totals.with_customer_inquiries, customer_id=customer_id, entries=entries, absorbed=absorbed),
        )
    steps = [fact for fact in facts if fact["kind"] in (QUOTE, SAMPLE)]
    for month, entry in totals.step_entries(steps).items():
        _change(
            customers,
            totals.STEPS,
            month,
            partial(totals.with_customer_steps, customer_id=customer_id, entry=entry, absorbed=absorbed),
        )


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
    """The upgrade to monthly totals: the totals of the next month with facts after ``after`` (a
    fact key, "<kind>|<month>") made from its facts; that key, or None after the last."""
    key = customers.next_fact_key(after)
    if key is None:
        return None
    kind, month = key.split("|", 1)
    if kind in KIND_OF_FACT:
        _build(customers, settings, KIND_OF_FACT[kind], month)
    return key


# --- the reports ------------------------------------------------------------------------------------


def inquiries_by_place(customers: Store, settings: Settings, countries: Any, period: Period, by: str) -> dict:
    months = _totals(customers, settings, totals.INQUIRIES, [period.month_before, *period.months], ("countries",))
    region_of = _region_lookup(settings)
    months_answered = reports.inquiries_by_place_of_totals(
        {month: totals.countries_of(stored) for month, stored in months.items()},
        period.months,
        period.month_before,
        (lambda country: country) if by == "country" else region_of,
        region_of if by == "country" else None,
    )
    for month in months_answered:
        _name_countries(month["places"], countries, by)
    return period.answer(by=by, months=months_answered)


def demand(customers: Store, settings: Settings, countries: Any, period: Period, by: str) -> dict:
    # What sales learned later (needs, 【特殊】 special requirements) counts as much as the first
    # inquiry: each customer's entry holds the needs recorded on its archive.
    months = _totals(customers, settings, totals.INQUIRIES, period.months, ("demand",))
    region_of = _region_lookup(settings)
    answer = reports.demand_of_totals(
        [totals.demand_entries(stored) for stored in months.values()],
        (lambda country: country) if by == "country" else region_of,
        list(settings["needs"]),
        settings["top_products"],
    )
    _name_countries(answer["places"], countries, by)
    return period.answer(by=by, **answer)


def follow_up(customers: Store, settings: Settings, period: Period) -> dict:
    months = _totals(customers, settings, totals.STEPS, period.months, ("customers",))
    return period.answer(**reports.follow_up_of_totals([totals.step_outcomes(stored) for stored in months.values()]))


def conversion(customers: Store, settings: Settings, period: Period) -> dict:
    months = _totals(customers, settings, totals.INQUIRIES, period.months, ("conversion",))
    return period.answer(
        **reports.conversion_of_totals([totals.conversion_entries(stored) for stored in months.values()])
    )


def lost_reasons(customers: Store, settings: Settings, period: Period) -> dict:
    months = _totals(customers, settings, totals.STAGES, period.months, ("reasons",))
    return period.answer(
        **reports.lost_reasons_of_totals(
            [totals.stage_reasons(stored) for stored in months.values()], settings["lost_stages"]
        )
    )


# --- the totals -------------------------------------------------------------------------------------


def _totals(customers: Store, settings: Settings, kind: str, months: list[str], fields: tuple) -> dict[str, Document]:
    """{month: its ``kind`` totals (just ``fields``)}: as stored when they count every fact of
    the month, else built again from the month's facts."""
    stored = customers.totals_of([totals.totals_id(kind, month) for month in months], fields)
    answer = {}
    for month in months:
        found = stored.get(totals.totals_id(kind, month))
        noted = sum(customers.count_facts(fact, month) for fact in FACTS_OF[kind])
        if found is not None and found["facts"] == noted:
            answer[month] = found
        elif noted == 0:
            answer[month] = totals.empty(kind, month)
        else:
            answer[month] = _build(customers, settings, kind, month)
    return answer


def _build(customers: Store, settings: Settings, kind: str, month: str) -> Document:
    """A month's ``kind`` totals made from its facts, and kept unless another writer changed them
    meanwhile (then they are built again when next read, if they still count otherwise)."""
    before = customers.report_totals(totals.totals_id(kind, month))
    if kind == totals.INQUIRIES:
        facts = customers.facts_between(INQUIRY, month, month)
        states = {
            archive["_id"]: _archive_state(archive, settings)
            for archive in customers.archives_by_id([fact["customer_id"] for fact in facts], ARCHIVE_FIELDS)
        }
        built = totals.built_inquiries(month, facts, lambda customer: states.get(customer, ([], False)), before)
    elif kind == totals.STEPS:
        in_month = {
            fact["customer_id"] for kind_ in (QUOTE, SAMPLE) for fact in customers.facts_between(kind_, month, month)
        }
        steps_of = defaultdict(list)
        for kind_ in (QUOTE, SAMPLE):
            for fact in customers.facts_between(kind_, *EVER):
                if fact["customer_id"] in in_month:
                    steps_of[fact["customer_id"]].append(fact)
        built = totals.built_steps(month, steps_of, before)
    else:
        built = totals.stages_totals(before or totals.empty(kind, month), customers.facts_between(STAGE, month, month))
    if before is None:
        customers.add_report_totals(built)
    else:
        customers.replace_report_totals(built, before)
    return built


def _change(customers: Store, kind: str, month: str, change: Callable[[Document], Document]) -> None:
    """``change`` a month's totals (made empty when it has none), guarded against other writers."""
    for _attempt in range(WRITE_ATTEMPTS):
        before = customers.report_totals(totals.totals_id(kind, month))
        if before is None:
            if customers.add_report_totals(change(totals.empty(kind, month))):
                return
            continue
        after = change(before)
        if after == before or customers.replace_report_totals(after, before):
            return


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
