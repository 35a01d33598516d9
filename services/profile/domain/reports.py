"""The reports the articles ask for, as rules over report facts and archives (no I/O).

Percentages are 0–100 with one decimal, None where they would divide by zero; durations are
days with two decimals.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from statistics import mean, median
from typing import Any

from services.runtime.report_rules import count_reasons

DAY_SECONDS = 86_400

Fact = dict[str, Any]
Row = dict[str, Any]
PlaceOf = Callable[[str | None], str | None]


def percent(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def month_on_month(count: int, previous: int) -> Row:
    """A count beside the month before's: the change, and the change in % of the month before."""
    return {
        "inquiries": count,
        "previous": previous,
        "change": count - previous,
        "change_pct": percent(count - previous, previous),
    }


def inquiries_by_place(
    facts: Iterable[Fact],
    months: list[str],
    month_before: str,
    place_of: Callable[[Fact], str | None],
    region_of: PlaceOf | None = None,
) -> list[Row]:
    """Per month of ``months``: inquiries in all and per place (``place_of(fact)``: a country or a
    region), each beside the month before (``facts`` include ``month_before``'s). A place with none
    this month but some the month before is listed, so a drop to nothing shows. ``region_of``:
    each place's region too (when places are countries)."""
    counts = Counter((fact["month"], place_of(fact)) for fact in facts)
    return _by_place(counts, months, month_before, region_of)


def inquiries_by_place_of_totals(
    countries: dict[str, Counter],
    months: list[str],
    month_before: str,
    place_of_country: PlaceOf,
    region_of: PlaceOf | None = None,
) -> list[Row]:
    """``inquiries_by_place`` from each month's inquiries per country (``countries``: {month:
    Counter(country -> inquiries)}, the month before included); ``place_of_country``: a
    country's place."""
    counts: Counter = Counter()
    for month, per_country in countries.items():
        for country, n in per_country.items():
            counts[month, place_of_country(country)] += n
    return _by_place(counts, months, month_before, region_of)


def _by_place(counts, months, month_before, region_of):
    totals = Counter()
    for (month, _place), n in counts.items():
        totals[month] += n
    answer = []
    for before, month in zip([month_before, *months], months, strict=False):
        places = {place for (m, place) in counts if m in (month, before)}
        rows = [
            {
                "place": place,
                **month_on_month(counts[month, place], counts[before, place]),
                **({"region": region_of(place)} if region_of else {}),
            }
            for place in places
        ]
        rows.sort(key=lambda row: (-row["inquiries"], -row["previous"], row["place"] or "\uffff"))
        answer.append({"month": month, **month_on_month(totals[month], totals[before]), "places": rows})
    return answer


def demand(
    facts: Iterable[Fact],
    place_of: Callable[[Fact], str | None],
    need_names: list[str],
    top_products: int,
    recorded_needs: dict[str, list[str]] | None = None,
) -> Row:
    """The products most asked for and the share of customers asking for each need, overall and
    per place. A customer counts once: at the place of its first inquiry in the period that names
    a country, with every need any of its inquiries asked for and every need recorded on its
    archive since (``recorded_needs``: {customer id: [need]}, from its needs and special requirements)."""
    facts = sorted(facts, key=lambda fact: fact["at"])
    places: dict[str, Any] = {}
    needs: defaultdict[str, set] = defaultdict(set)
    for customer, recorded in (recorded_needs or {}).items():
        needs[customer].update(recorded)
    for fact in facts:
        customer = fact["customer_id"]
        if places.get(customer) is None:
            places[customer] = place_of(fact)
        needs[customer].update(fact["needs"])
    return _demand(places, needs, need_names, most_requested(facts, top_products))


def demand_of_totals(
    months: Iterable[dict[str, Row]], place_of_country: PlaceOf, need_names: list[str], top_products: int
) -> Row:
    """``demand`` from the months' per-customer entries (``months``: [{customer: entry}], see
    domain.report_totals.inquiry_entry): the same customers, places, needs and products."""
    return demand_of_sums([], months, place_of_country, need_names, top_products)


def demand_of_sums(
    sums: Iterable[Row],
    months: Iterable[dict[str, Row]],
    place_of_country: PlaceOf,
    need_names: list[str],
    top_products: int,
) -> Row:
    """``demand`` from the shards' sums (domain.report_totals.sums_of: customers per country with
    the needs they asked, products, each customer in one month of them alone) and the entries of
    the customers in several months (``months``: [{customer: entry}], joined here)."""
    counted: Counter = Counter()
    asked_in: defaultdict[Any, Counter] = defaultdict(Counter)
    shown: dict[str, tuple] = {}
    inquiries: Counter = Counter()
    customers_of: Counter = Counter()
    for summed in sums:
        for country, n, asking in summed["c"]:
            place = place_of_country(country)
            counted[place] += n
            asked_in[place].update(asking)
        for key, at, product, n, asked_by in summed["pr"]:
            _first_shown(shown, key, at, product)
            inquiries[key] += n
            customers_of[key] += asked_by
    placed: dict[str, list] = {}
    needs: defaultdict[str, set] = defaultdict(set)
    present: set[str] = set()
    customers: defaultdict[str, set] = defaultdict(set)
    for entries in months:
        for customer, entry in entries.items():
            present.add(customer)
            place = entry["p"]
            if place is not None:
                before = placed.get(customer)
                if before is None or place[0] < before[0]:
                    placed[customer] = place
            its_needs = needs[customer]
            its_needs.update(entry["n"])
            its_needs.update(entry["r"])
            for key, product, at, n in entry["pr"]:
                _first_shown(shown, key, at, product)
                inquiries[key] += n
                customers[key].add(customer)
    for customer in present:
        place = place_of_country(placed[customer][1]) if customer in placed else None
        counted[place] += 1
        asked_in[place].update(needs[customer])
    for key, its_customers in customers.items():
        customers_of[key] += len(its_customers)
    ranked = sorted(shown, key=lambda key: (-inquiries[key], -customers_of[key], key))
    products = [
        {"product": shown[key][1], "inquiries": inquiries[key], "customers": customers_of[key]}
        for key in ranked[:top_products]
    ]
    return _demand_counted(counted, asked_in, need_names, products)


def _first_shown(shown: dict[str, tuple], key: str, at: int, product: str) -> None:
    """A product as first written (the earliest; of two written at once, the first in sort order)."""
    known = shown.get(key)
    if known is None or (at, product) < known:
        shown[key] = (at, product)


def _demand(places: dict[str, Any], needs: Mapping[str, set], need_names: list[str], products: list[Row]) -> Row:
    # One pass over the customers: how many each place has, and the customers asking each need,
    # per place and in all (a customer's needs are a set: each counted once).
    counted: dict[Any, int] = {}
    asked_in: dict[Any, Counter] = {}
    for customer, place in places.items():
        counted[place] = counted.get(place, 0) + 1
        its_needs = needs.get(customer)
        if its_needs:
            asked_in.setdefault(place, Counter()).update(its_needs)
    return _demand_counted(counted, asked_in, need_names, products)


def _demand_counted(
    counted: Mapping[Any, int], asked_in: Mapping[Any, Counter], need_names: list[str], products: list[Row]
) -> Row:
    """The demand answer from the customers per place and the customers asking each need per place."""
    asked: Counter = Counter()
    for per_place in asked_in.values():
        asked.update(per_place)
    rows = [
        {"place": place, **_shares(n, asked_in.get(place) or Counter(), need_names)}
        for place, n in counted.items()
        if n
    ]
    rows.sort(key=lambda row: (-row["customers"], row["place"] or "\uffff"))
    total = sum(counted.values())
    return {
        "customers": total,
        "products": products,
        "needs": _shares(total, asked, need_names)["needs"],
        "places": rows,
    }


def _shares(customers: int, asked: Counter, need_names: list[str]) -> Row:
    """``customers`` (how many) and, per need, how many of them ``asked`` it, with its share."""
    rows: list[Row] = [
        {"need": name, "customers": asked[name], "share_pct": percent(asked[name], customers)} for name in need_names
    ]
    rows.sort(key=lambda row: -row["customers"])  # stable: configured order among equals
    return {"customers": customers, "needs": rows}


def most_requested(facts: Iterable[Fact], top: int) -> list[Row]:
    """The ``top`` products by inquiries naming them (then customers), each shown as first written."""
    shown: dict[str, str] = {}
    inquiries: Counter = Counter()
    customers: defaultdict[str, set] = defaultdict(set)
    for fact in facts:
        for product in fact["products"]:
            key = product.casefold()
            shown.setdefault(key, product)
            inquiries[key] += 1
            customers[key].add(fact["customer_id"])
    return _ranked(shown, inquiries, customers, top)


def _ranked(shown, inquiries, customers, top):
    ranked = sorted(shown, key=lambda key: (-inquiries[key], -len(customers[key]), key))
    return [
        {"product": shown[key], "inquiries": inquiries[key], "customers": len(customers[key])} for key in ranked[:top]
    ]


def follow_up(archives: Iterable[Row], since: datetime, until: datetime) -> Row:
    """Time from each customer's first quote to its first sample after it, per salesperson (who
    made the first quote), for samples sent in [since, until); and customers first quoted in the
    period with no sample since (``waiting``). ``archives``: those with a quote or sample in the
    period, with their quotes and samples."""
    days: defaultdict[str, list] = defaultdict(list)
    waiting: Counter = Counter()
    for archive in archives:
        quotes = archive.get("quotes") or []
        if not quotes:
            continue
        quote = min(quotes, key=lambda q: q["at"])
        sample = min(
            (s for s in archive.get("samples") or [] if s["sent_at"] >= quote["at"]),
            key=lambda s: s["sent_at"],
            default=None,
        )
        if sample is None:
            if since <= quote["at"] < until:
                waiting[quote["by"]] += 1
        elif since <= sample["sent_at"] < until:
            days[quote["by"]].append((sample["sent_at"] - quote["at"]).total_seconds() / DAY_SECONDS)
    return _follow_up(days, waiting)


def follow_up_of_totals(months: Iterable[dict[str, Row]]) -> Row:
    """``follow_up`` from the months' outcomes (``months``: [{customer: {"o": [who quoted, days
    or None while waiting] or None}}], each outcome in the month it falls in)."""
    return follow_up_of_sums([], months)


def follow_up_of_sums(sums: Iterable[Row], months: Iterable[dict[str, Row]]) -> Row:
    """``follow_up`` from the shards' sums (per salesperson: waiting, days to each sample) and
    the outcomes of shards read by their entries (``months``, as ``follow_up_of_totals``)."""
    days: defaultdict[str, list] = defaultdict(list)
    waiting: Counter = Counter()
    for summed in sums:
        waiting.update(summed["w"])
        for by, taken in summed["d"].items():
            days[by] += taken
    for entries in months:
        tally_outcomes(entries.values(), waiting, days)
    return _follow_up(days, waiting)


def tally_outcomes(entries: Iterable[Row], waiting: Counter, days: defaultdict[str, list]) -> None:
    """Add follow-up entries' outcomes ({"o": [who quoted, days to the sample or None while
    waiting] or None}) to ``waiting`` and ``days``, per salesperson."""
    for entry in entries:
        if entry["o"] is None:
            continue
        by, taken = entry["o"]
        if taken is None:
            waiting[by] += 1
        else:
            days[by].append(taken)


def _follow_up(days, waiting):
    people = [
        {"salesperson": person, **_durations(days[person], waiting[person])}
        for person in sorted(set(days) | set(waiting))
    ]
    overall = _durations([d for person in days for d in days[person]], sum(waiting.values()))
    return {"people": people, "overall": overall}


def _durations(days, waiting):
    return {
        "samples": len(days),
        "average_days": round(mean(days), 2) if days else None,
        "median_days": round(median(days), 2) if days else None,
        "waiting": waiting,
    }


def conversion(opened_facts: Iterable[Fact], converted: Collection[str]) -> Row:
    """Per source channel (and campaign): customers opened, and how many of them are in
    ``converted`` (have an order). A customer opened twice (archives merged since) counts once,
    with its earliest opening."""
    first: dict[str, Fact] = {}
    for fact in sorted(opened_facts, key=lambda fact: fact["at"]):
        first.setdefault(fact["customer_id"], fact)
    tallies: dict[tuple, list] = {}
    for customer, fact in first.items():
        _tally(tallies, fact["channel"], fact.get("campaign"), 1, 1 if customer in converted else 0)
    return _conversion(tallies)


def _tally(tallies: dict[tuple, list], channel: str, campaign: Any, opened: int, won: int) -> None:
    tally = tallies.setdefault((channel, campaign), [0, 0])
    tally[0] += opened
    tally[1] += won


def _conversion(tallies: Mapping[tuple, list]) -> Row:
    """The conversion answer from [opened, converted] per (channel, campaign)."""
    channels: defaultdict[str, dict] = defaultdict(dict)
    for (channel, campaign), tally in tallies.items():
        channels[channel][campaign] = tally
    rows = []
    for channel, campaigns in channels.items():
        rows.append(
            {
                "channel": channel,
                **_counted(sum(t[0] for t in campaigns.values()), sum(t[1] for t in campaigns.values())),
                "campaigns": sorted(
                    ({"campaign": campaign, **_counted(*tally)} for campaign, tally in campaigns.items()),
                    key=lambda row: (-row["opened"], row["campaign"] or "\uffff"),
                ),
            }
        )
    rows.sort(key=lambda row: (-row["opened"], row["channel"]))
    opened = sum(t[0] for t in tallies.values())
    return {"channels": rows, "total": _counted(opened, sum(t[1] for t in tallies.values()))}


def _counted(opened: int, won: int) -> Row:
    return {"opened": opened, "converted": won, "rate_pct": percent(won, opened)}


def lost_reasons(stage_facts: Iterable[Fact], lost_stages: list[str]) -> Row:
    """Changes to each of ``lost_stages`` with their reasons counted, most frequent first."""
    reasons: defaultdict[str, list] = defaultdict(list)
    for fact in stage_facts:
        if fact["stage"] in lost_stages:
            reasons[fact["stage"]].append(fact.get("reason"))
    return _lost(reasons, lost_stages)


def lost_reasons_of_totals(months: Iterable[list[list]], lost_stages: list[str]) -> Row:
    """``lost_reasons`` from the months' counts ([[stage, reason, changes]] per month)."""
    reasons: defaultdict[str, list] = defaultdict(list)
    for counted in months:
        for stage, reason, n in counted:
            if stage in lost_stages:
                reasons[stage] += [reason] * n
    return _lost(reasons, lost_stages)


def _lost(reasons, lost_stages):
    rows = [{"stage": stage, **row} for stage in lost_stages for row in count_reasons(reasons[stage])]
    rows.sort(key=lambda row: -row["count"])  # stable: stages in the configured order among equals
    return {"total": sum(len(r) for r in reasons.values()), "reasons": rows}


def conversion_of_totals(months: Iterable[dict[str, list]]) -> Row:
    """``conversion`` from the months' openings (``months``: [{customer: [opened at, channel,
    campaign, ordered]}]): each customer once, with its earliest opening."""
    return conversion_of_sums([], months)


def conversion_of_sums(sums: Iterable[Row], months: Iterable[dict[str, list]]) -> Row:
    """``conversion`` from the shards' sums ([channel, campaign, opened, converted], each
    customer opened in one month of them alone) and the openings of the customers opened in
    several months (``months``, as ``conversion_of_totals``: each once, with its earliest)."""
    first: dict[str, list] = {}
    for entries in months:
        for customer, opening in entries.items():
            known = first.get(customer)
            if known is None or opening[0] < known[0]:
                first[customer] = opening
    tallies: dict[tuple, list] = {}
    for summed in sums:
        for channel, campaign, opened, won in summed["o"]:
            _tally(tallies, channel, campaign, opened, won)
    for _at, channel, campaign, ordered in first.values():
        _tally(tallies, channel, campaign, 1, 1 if ordered else 0)
    return _conversion(tallies)
