"""The reports the articles ask for, as rules over report facts and archives (no I/O).

Percentages are 0–100 with one decimal, None where they would divide by zero; durations are
days with two decimals.
"""

from collections import Counter, defaultdict
from statistics import mean, median

from services.runtime.report_rules import count_reasons

DAY_SECONDS = 86_400


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def month_on_month(count, previous):
    """A count beside the month before's: the change, and the change in % of the month before."""
    return {
        "inquiries": count,
        "previous": previous,
        "change": count - previous,
        "change_pct": percent(count - previous, previous),
    }


def inquiries_by_place(facts, months, month_before, place_of, region_of=None):
    """Per month of ``months``: inquiries in all and per place (``place_of(fact)``: a country or a
    region), each beside the month before (``facts`` include ``month_before``'s). A place with none
    this month but some the month before is listed, so a drop to nothing shows. ``region_of``:
    each place's region too (when places are countries)."""
    counts = Counter((fact["month"], place_of(fact)) for fact in facts)
    totals = Counter(fact["month"] for fact in facts)
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


def demand(facts, place_of, need_names, top_products, recorded_needs=None):
    """The products most asked for and the share of customers asking for each need, overall and
    per place. A customer counts once: at the place of its first inquiry in the period that names
    a country, with every need any of its inquiries asked for and every need recorded on its
    archive since (``recorded_needs``: {customer id: [need]}, from its needs and special requirements)."""
    facts = sorted(facts, key=lambda fact: fact["at"])
    places, needs = {}, defaultdict(set)
    for customer, recorded in (recorded_needs or {}).items():
        needs[customer].update(recorded)
    for fact in facts:
        customer = fact["customer_id"]
        if places.get(customer) is None:
            places[customer] = place_of(fact)
        needs[customer].update(fact["needs"])
    by_place = defaultdict(list)
    for customer, place in places.items():
        by_place[place].append(customer)
    rows = [{"place": place, **_shares(customers, needs, need_names)} for place, customers in by_place.items()]
    rows.sort(key=lambda row: (-row["customers"], row["place"] or "\uffff"))
    return {
        "customers": len(places),
        "products": most_requested(facts, top_products),
        "needs": _shares(list(places), needs, need_names)["needs"],
        "places": rows,
    }


def _shares(customers, needs, need_names):
    asked = Counter(need for customer in customers for need in needs[customer])
    rows = [
        {"need": name, "customers": asked[name], "share_pct": percent(asked[name], len(customers))}
        for name in need_names
    ]
    rows.sort(key=lambda row: -row["customers"])  # stable: configured order among equals
    return {"customers": len(customers), "needs": rows}


def most_requested(facts, top):
    """The ``top`` products by inquiries naming them (then customers), each shown as first written."""
    shown, inquiries, customers = {}, Counter(), defaultdict(set)
    for fact in facts:
        for product in fact["products"]:
            key = product.casefold()
            shown.setdefault(key, product)
            inquiries[key] += 1
            customers[key].add(fact["customer_id"])
    ranked = sorted(shown, key=lambda key: (-inquiries[key], -len(customers[key]), key))
    return [
        {"product": shown[key], "inquiries": inquiries[key], "customers": len(customers[key])} for key in ranked[:top]
    ]


def follow_up(archives, since, until):
    """Time from each customer's first quote to its first sample after it, per salesperson (who
    made the first quote), for samples sent in [since, until); and customers first quoted in the
    period with no sample since (``waiting``). ``archives``: those with a quote or sample in the
    period, with their quotes and samples."""
    days, waiting = defaultdict(list), Counter()
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


def conversion(opened_facts, converted):
    """Per source channel (and campaign): customers opened, and how many of them are in
    ``converted`` (have an order). A customer opened twice (archives merged since) counts once,
    with its earliest opening."""
    first = {}
    for fact in sorted(opened_facts, key=lambda fact: fact["at"]):
        first.setdefault(fact["customer_id"], fact)
    channels = defaultdict(lambda: defaultdict(list))
    for customer, fact in first.items():
        channels[fact["channel"]][fact.get("campaign")].append(customer in converted)
    rows = []
    for channel, campaigns in channels.items():
        outcomes = [won for results in campaigns.values() for won in results]
        rows.append(
            {
                "channel": channel,
                **_converted(outcomes),
                "campaigns": sorted(
                    ({"campaign": campaign, **_converted(results)} for campaign, results in campaigns.items()),
                    key=lambda row: (-row["opened"], row["campaign"] or "\uffff"),
                ),
            }
        )
    rows.sort(key=lambda row: (-row["opened"], row["channel"]))
    return {"channels": rows, "total": _converted([customer in converted for customer in first])}


def _converted(outcomes):
    won = sum(outcomes)
    return {"opened": len(outcomes), "converted": won, "rate_pct": percent(won, len(outcomes))}


def lost_reasons(stage_facts, lost_stages):
    """Changes to each of ``lost_stages`` with their reasons counted, most frequent first."""
    reasons = defaultdict(list)
    for fact in stage_facts:
        if fact["stage"] in lost_stages:
            reasons[fact["stage"]].append(fact.get("reason"))
    rows = [{"stage": stage, **row} for stage in lost_stages for row in count_reasons(reasons[stage])]
    rows.sort(key=lambda row: -row["count"])  # stable: stages in the configured order among equals
    return {"total": sum(len(r) for r in reasons.values()), "reasons": rows}
