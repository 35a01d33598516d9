"""Profile's reports: the facts it notes as it files inquiries and records quotes, samples and stage
changes; the backfill that notes them for archives from before; and each report read off them.

What each report reads — index-backed reads only, never every archive:

- inquiries by place: the inquiry facts of its months and the month before (a range of the
  facts' ``key`` index);
- demand (products, needs): the inquiry facts of its months (``key`` range);
- follow-up: the quote and sample facts of its months (``key`` ranges), then just the quotes and
  samples of those customers' archives (by ``_id``);
- conversion by source: the inquiry facts of its months (``key`` range), then just the orders of
  the archives they opened (by ``_id``);
- lost reasons: the stage facts of its months (``key`` range).

A month is a calendar month in ``BATON.reports.time_zone`` as it was set when the fact was noted.
"""

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

# What a report reads of each inquiry fact.
INQUIRY_FIELDS = ("month", "at", "customer_id", "country", "opened", "channel", "campaign", "needs", "products")


# --- noting facts as things happen ----------------------------------------------------------------


def note_inquiry(customers, settings, inquiry_id, inquiry, received_at, customer_id, opened):
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


def note_deal_step(customers, settings, customer_id, kind, record_id, record):
    if kind in FACT_OF_STEP:
        customers.note_facts(
            [step_fact(kind, record_id, customer_id, record, month_of(record[WHEN[kind]], settings["zone"]))]
        )


def note_stage_change(customers, settings, entry, reason):
    """A stage changed by hand (``entry``: its timeline entry)."""
    customers.note_facts([stage_fact(entry, reason, month_of(entry["at"], settings["zone"]))])


def backfill(customers, settings, after, limit):
    """Note the facts of up to ``limit`` archives after ``after`` (in id order); facts noted
    before stay as they are. Answers what ``BackfillResultSchema`` shows."""
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


# --- the reports ------------------------------------------------------------------------------------


def inquiries_by_place(customers, settings, countries, period, by):
    facts = customers.facts_between(INQUIRY, period.month_before, period.last, ("month", "country"))
    region_of = _region_lookup(settings)
    place_of = (lambda fact: fact["country"]) if by == "country" else (lambda fact: region_of(fact["country"]))
    months = reports.inquiries_by_place(
        facts, period.months, period.month_before, place_of, region_of if by == "country" else None
    )
    for month in months:
        _name_countries(month["places"], countries, by)
    return period.answer(by=by, months=months)


def demand(customers, settings, countries, period, by):
    facts = customers.facts_between(INQUIRY, period.first, period.last, INQUIRY_FIELDS)
    region_of = _region_lookup(settings)
    place_of = (lambda fact: fact["country"]) if by == "country" else (lambda fact: region_of(fact["country"]))
    # What sales learned later (needs, 【特殊】 special requirements) counts as much as the first inquiry.
    archives = customers.archives_by_id(
        sorted({fact["customer_id"] for fact in facts}), ("needs", "special_requirements")
    )
    recorded = {
        archive["_id"]: needs_in(
            [*archive.get("needs", []), *archive.get("special_requirements", [])], settings["needs"]
        )
        for archive in archives
    }
    answer = reports.demand(facts, place_of, list(settings["needs"]), settings["top_products"], recorded)
    _name_countries(answer["places"], countries, by)
    return period.answer(by=by, **answer)


def follow_up(customers, period):
    quoted_or_sampled = [
        fact["customer_id"]
        for kind in (QUOTE, SAMPLE)
        for fact in customers.facts_between(kind, period.first, period.last, ("customer_id",))
    ]
    archives = customers.archives_by_id(quoted_or_sampled, ("quotes", "samples"))
    return period.answer(**reports.follow_up(archives, period.since, period.until))


def conversion(customers, period):
    opened = [
        fact for fact in customers.facts_between(INQUIRY, period.first, period.last, INQUIRY_FIELDS) if fact["opened"]
    ]
    ordered = {
        archive["_id"]
        for archive in customers.archives_by_id([f["customer_id"] for f in opened], ("orders",))
        if archive.get("orders")
    }
    return period.answer(**reports.conversion(opened, ordered))


def lost_reasons(customers, settings, period):
    facts = customers.facts_between(STAGE, period.first, period.last, ("stage", "reason"))
    return period.answer(**reports.lost_reasons(facts, settings["lost_stages"]))


def _name_countries(rows, countries, by):
    """Each row's country named beside its code, for people (``BATON.countries.display_language``)."""
    if by == "country":
        for row in rows:
            row["name"] = countries.name_of(row["place"])


def _region_lookup(settings):
    regions, other = settings["region_of_country"], settings["other_region"]
    return lambda country: None if country is None else regions.get(country, other)
