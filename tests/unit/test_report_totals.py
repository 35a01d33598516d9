"""Monthly report totals (domain.report_totals) answer what the reports read off every fact answer:
each report made from a month's totals equals the same report made from the month's facts, a
customer's entries written twice count once, and the counts tell a month that missed a fact."""

import gc
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from services.profile.domain import report_totals as totals
from services.profile.domain import reports
from services.profile.domain.report_facts import inquiry_fact, stage_fact, step_fact
from services.runtime.collector import collector_paused
from services.runtime.report_rules import month_of, months_from

START = datetime(2025, 11, 1, tzinfo=UTC)
MONTHS = months_from("2025-11", "2026-04")
REGIONS = {"DE": "Europe", "FR": "Europe", "US": "North America"}
NEEDS = ["CE", "UL", "FDA"]
PRODUCTS = ["X-200", "x-200", "Pump", "Valve  9", "valve 9", "Hose"]


def month(at):
    return month_of(at, UTC)


def region_of(country):
    return None if country is None else REGIONS.get(country, "Other")


def history(seed, customers=40):
    """Random facts of ``customers`` customers over six months, and their archives' state."""
    rng = random.Random(seed)
    inquiries, steps, stages, archives = [], [], [], {}
    for n in range(customers):
        customer = f"cus_{n}"
        for i in range(rng.randint(1, 4)):
            at = START + timedelta(seconds=rng.randint(0, 180 * 86_400), milliseconds=rng.randint(0, 999))
            inquiries.append(
                inquiry_fact(
                    f"inq_{n}_{i}",
                    customer,
                    at,
                    month(at),
                    opened=i == 0 or rng.random() < 0.1,
                    country=rng.choice(["DE", "FR", "US", "BR", None]),
                    channel=rng.choice(["website_form", "email", "google_ads"]),
                    campaign=rng.choice([None, "spring"]),
                    needs=rng.sample(NEEDS, rng.randint(0, 2)),
                    products=list(dict.fromkeys(rng.sample(PRODUCTS, rng.randint(0, 2)))),
                )
            )
        for i in range(rng.randint(0, 3)):
            kind = rng.choice(["quotes", "samples"])
            at = START + timedelta(seconds=rng.randint(0, 180 * 86_400), milliseconds=rng.randint(0, 999))
            record = {"at" if kind == "quotes" else "sent_at": at, "by": rng.choice(["alice", "bob"])}
            steps.append(step_fact(kind, f"{kind}_{n}_{i}", customer, record, month(at)))
        if rng.random() < 0.3:
            at = START + timedelta(seconds=rng.randint(0, 180 * 86_400))
            entry = {"_id": f"tl_{n}", "customer_id": customer, "at": at, "actor": "alice", "refs": {"stage": "lost"}}
            stages.append(stage_fact(entry, rng.choice(["Too dear", "too  dear", None, "silent"]), month(at)))
        archives[customer] = (rng.sample(NEEDS, rng.randint(0, 1)), rng.random() < 0.3)
    return inquiries, steps, stages, archives


def sharded(kind, month, held, shards):
    return totals.built_shards(kind, month, held, shards, {})


def inquiry_totals(inquiries, archives, shards):
    """{kind: {month: [shard]}} of the demand and conversion totals."""
    by_month = defaultdict(list)
    for fact in inquiries:
        by_month[fact["month"]].append(fact)
    answer = {totals.DEMAND: {}, totals.CONVERSION: {}}
    for m, facts in by_month.items():
        for kind, held in totals.built_inquiries(m, facts, archives.__getitem__, inquiries).items():
            answer[kind][m] = sharded(kind, m, held, shards)
    return answer


def step_totals(steps, shards):
    of_customer = defaultdict(list)
    for fact in steps:
        of_customer[fact["customer_id"]].append(fact)
    return {m: sharded(totals.STEPS, m, totals.built_steps(m, of_customer), shards) for m in MONTHS}


def entries(months):
    return [totals.entries_of(shard) for shards in months for shard in shards]


def sums(months):
    """(each shard's sums, the entries kept beside them) of these months' shards, as a report reads them."""
    summed = [totals.sums_in(shard) for shards in months for shard in shards]
    return summed, [one.pop("again") for one in summed]


def test_every_report_from_monthly_totals_is_the_report_from_the_facts():
    for seed, shards in zip(range(8), (1, 16, 3, 16, 7, 1, 2, 16), strict=True):
        inquiries, steps, stages, archives = history(seed)
        stored = inquiry_totals(inquiries, archives, shards)
        demand, opened = stored[totals.DEMAND], stored[totals.CONVERSION]
        assert all(len(of_month) == shards for of_month in demand.values())
        for m, of_month in demand.items():
            assert sum(shard["facts"] for shard in of_month) == len([f for f in inquiries if f["month"] == m])
        period = MONTHS[1:5]
        in_period = [fact for fact in inquiries if fact["month"] in period]

        for place_of_country, regions in ((lambda country: country, region_of), (region_of, None)):
            assert reports.inquiries_by_place(
                [fact for fact in inquiries if fact["month"] in MONTHS[:5]],
                period,
                MONTHS[0],
                lambda fact, place_of_country=place_of_country: place_of_country(fact["country"]),
                regions,
            ) == reports.inquiries_by_place_of_totals(
                {m: totals.countries_of(demand.get(m, [])) for m in MONTHS[:5]},
                period,
                MONTHS[0],
                place_of_country,
                regions,
            )
            assert (
                reports.demand(
                    in_period,
                    lambda fact, place_of_country=place_of_country: place_of_country(fact["country"]),
                    NEEDS,
                    3,
                    {customer: needs for customer, (needs, _ordered) in archives.items()},
                )
                == reports.demand_of_totals(entries(demand.get(m, []) for m in period), place_of_country, NEEDS, 3)
                == reports.demand_of_sums(*sums(demand.get(m, []) for m in period), place_of_country, NEEDS, 3)
            )

        ordered = {customer for customer, (_needs, won) in archives.items() if won}
        assert (
            reports.conversion([fact for fact in in_period if fact["opened"]], ordered)
            == reports.conversion_of_totals(entries(opened.get(m, []) for m in period))
            == reports.conversion_of_sums(*sums(opened.get(m, []) for m in period))
        )

        since, until = datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
        archived = defaultdict(lambda: {"quotes": [], "samples": []})
        for fact in steps:
            if fact["kind"] == "quote":
                archived[fact["customer_id"]]["quotes"].append({"at": fact["at"], "by": fact["by"]})
            else:
                archived[fact["customer_id"]]["samples"].append({"sent_at": fact["at"], "by": fact["by"]})
        by_steps = step_totals(steps, shards)
        assert (
            reports.follow_up(list(archived.values()), since, until)
            == reports.follow_up_of_totals(entries(by_steps[m] for m in period))
            == reports.follow_up_of_sums(*sums(by_steps[m] for m in period))
        )

        lost = totals.empty(totals.STAGES, "-")
        by_stage = {m: lost for m in MONTHS}
        for fact in stages:
            by_stage[fact["month"]] = totals.with_stage(by_stage[fact["month"]], fact)
        assert reports.lost_reasons(
            [fact for fact in stages if fact["month"] in period], ["lost", "invalid"]
        ) == reports.lost_reasons_of_totals([totals.stage_reasons(by_stage[m]) for m in period], ["lost", "invalid"])


def test_the_sums_add_up_the_entries_after_any_sequence_of_changes():
    """Random parts set, replaced and removed customer by customer: a shard's sums are always the
    sums of the entries it holds (its customers in other months too kept apart), and the shard is
    the one built at once from the parts it ends with."""
    inquiries, steps, _stages, archives = history(11, customers=30)
    of_customer = defaultdict(list)
    for fact in inquiries:
        of_customer[fact["customer_id"]].append(fact)
    steps_of = defaultdict(list)
    for fact in steps:
        steps_of[fact["customer_id"]].append(fact)
    rng = random.Random(4)
    for kind in totals.SHARDED:
        shard = totals.empty(kind, "2026-01", 0, 1)
        final = {}
        for _change in range(300):
            customer = rng.choice(sorted(of_customer))
            if rng.random() < 0.2:
                shard = totals.with_customer(shard, customer, None)  # merged away
                final.pop(customer, None)
                continue
            if kind == totals.STEPS:
                mine = steps_of[customer]
                parts = totals.step_entries(rng.sample(mine, rng.randint(0, len(mine))))
                held = next(iter(parts.values()), None)
                if held is None:
                    continue
            else:
                mine = of_customer[customer]
                facts = rng.sample(mine, rng.randint(1, len(mine)))
                held = totals.inquiry_entries(facts, rng.sample(NEEDS, rng.randint(0, 2)), rng.random() < 0.5)[kind]
            held = (*held, rng.random() < 0.3)  # entries in other months too, or not
            shard = totals.with_customer(shard, customer, held)
            final[customer] = held
            stored = totals.entries_of(shard)
            again = {c for c, part in final.items() if part[2] and part[1] is not None}
            assert totals.sums_in(shard) == totals.sums_of(kind, stored, again)
            assert set(totals.sums_in(shard)["again"]) == again
        built = totals.built_shards(kind, "2026-01", final, 1, {})[0]
        assert (built["facts"], totals.entries_of(built), totals.sums_in(built)) == (
            shard["facts"],
            totals.entries_of(shard),
            totals.sums_in(shard),
        )


def test_sums_count_each_customer_of_one_month_and_keep_the_others_apart():
    at = datetime(2026, 3, 2, tzinfo=UTC)

    def inquiry(n, customer, country, products, opened=True):
        return inquiry_fact(
            f"inq_{n}",
            customer,
            at + timedelta(hours=n),
            "2026-03",
            opened=opened,
            country=country,
            channel="email",
            campaign=None,
            needs=["CE"],
            products=products,
        )

    shard = totals.empty(totals.DEMAND, "2026-03", 0, 1)
    for customer, facts, again in (
        ("cus_1", [inquiry(1, "cus_1", "DE", ["Pump"]), inquiry(2, "cus_1", "FR", ["pump", "Hose"])], False),
        ("cus_2", [inquiry(3, "cus_2", "DE", ["Hose"])], False),
        ("cus_3", [inquiry(4, "cus_3", None, ["Pump"])], True),
    ):
        shard = totals.with_customer(shard, customer, (*totals.inquiry_entries(facts, ["UL"], False)["demand"], again))
    summed = totals.sums_in(shard)
    assert summed["c"] == [["DE", 2, {"CE": 2, "UL": 2}]]
    assert summed["pr"] == [
        ["hose", totals.millis(at + timedelta(hours=2)), "Hose", 2, 2],
        ["pump", totals.millis(at + timedelta(hours=1)), "Pump", 2, 1],
    ]
    assert list(summed["again"]) == ["cus_3"]
    # a customer's entry replaced: the sums follow; taken out: it is no longer counted
    moved = totals.with_customer(
        shard, "cus_2", (*totals.inquiry_entries([inquiry(3, "cus_2", "US", [])], [], False)["demand"], False)
    )
    assert totals.sums_in(moved)["c"] == [["DE", 1, {"CE": 1, "UL": 1}], ["US", 1, {"CE": 1}]]
    assert totals.sums_in(totals.with_customer(moved, "cus_1", None))["c"] == [["US", 1, {"CE": 1}]]
    # its other month gone, a customer is added up again
    alone = totals.with_customer(
        shard, "cus_3", (*totals.inquiry_entries([inquiry(4, "cus_3", None, ["Pump"])], [], False)["demand"], False)
    )
    assert totals.sums_in(alone)["again"] == {} and [None, 1, {"CE": 1}] in totals.sums_in(alone)["c"]


def test_a_shard_stored_before_sums_stays_without_them_until_built_again():
    fact = inquiry_fact(
        "inq_1",
        "cus_1",
        datetime(2026, 3, 2, tzinfo=UTC),
        "2026-03",
        opened=True,
        country="DE",
        channel="email",
        campaign=None,
        needs=[],
        products=[],
    )
    old = {key: value for key, value in totals.empty(totals.CONVERSION, "2026-03", 0, 1).items() if key != "sums"}
    written = totals.with_customer(old, "cus_1", (*totals.inquiry_entries([fact], [], True)[totals.CONVERSION], False))
    assert not totals.has_sums(written) and list(totals.entries_of(written)) == ["cus_1"]
    held = {"cus_1": totals.inquiry_entries([fact], [], True)[totals.CONVERSION]}
    built = totals.built_shards(totals.CONVERSION, "2026-03", held, 1, {written["_id"]: written})[0]
    assert totals.sums_in(built) == {"o": [["email", None, 1, 1]], "again": {}}


def test_a_customer_in_several_months_is_kept_apart_in_each():
    parts = {"2026-01": (1, {"x": 1}), "2026-02": (2, None)}
    assert totals.with_again(parts) == {"2026-01": (1, {"x": 1}, False), "2026-02": (2, None, False)}
    parts["2026-02"] = (2, {"x": 2})
    assert totals.with_again(parts) == {"2026-01": (1, {"x": 1}, True), "2026-02": (2, {"x": 2}, True)}


def test_shards_written_customer_by_customer_are_the_shards_built_at_once():
    inquiries, steps, _stages, archives = history(5)
    shards = 4
    built = inquiry_totals(inquiries, archives, shards)
    by_customer_month = defaultdict(list)
    for fact in inquiries:
        by_customer_month[fact["customer_id"], fact["month"]].append(fact)
    written = {kind: {} for kind in built}
    parts = defaultdict(lambda: defaultdict(dict))
    for (customer, m), facts in by_customer_month.items():
        for kind, held in totals.inquiry_entries(facts, *archives[customer]).items():
            parts[customer, kind][m] = held
    for (customer, kind), months in parts.items():
        for m, held in totals.with_again(months).items():
            of_month = written[kind].setdefault(m, [totals.empty(kind, m, n, shards) for n in range(shards)])
            n = totals.shard_of(customer, shards)
            of_month[n] = totals.with_customer(of_month[n], customer, held)
    for kind in built:
        for m, of_month in built[kind].items():
            assert [(s["facts"], s.get("countries"), totals.entries_of(s), totals.sums_in(s)) for s in of_month] == [
                (s["facts"], s.get("countries"), totals.entries_of(s), totals.sums_in(s)) for s in written[kind][m]
            ]


def test_a_shard_is_the_customer_s_by_a_stable_hash():
    assert totals.shard_of("cus_1", 16) == totals.shard_of("cus_1", 16) == 2115714438 % 16
    assert {totals.shard_of(f"cus_{n}", 16) for n in range(200)} == set(range(16))
    assert totals.month_ids(totals.DEMAND, "2026-03", 2) == ["demand|2026-03|0", "demand|2026-03|1"]
    assert totals.month_ids(totals.STAGES, "2026-03", 2) == ["stages|2026-03"]


def test_a_customer_s_entries_written_twice_count_once_and_unchanged_are_not_rewritten():
    inquiries, _steps, _stages, archives = history(3, customers=5)
    first = inquiries[0]
    mine = [
        fact for fact in inquiries if fact["customer_id"] == first["customer_id"] and fact["month"] == first["month"]
    ]
    held = totals.inquiry_entries(mine, *archives[first["customer_id"]])
    blank = totals.empty(totals.DEMAND, first["month"], 0, 1)
    once = totals.with_customer(blank, first["customer_id"], held[totals.DEMAND])
    twice = totals.with_customer(once, first["customer_id"], held[totals.DEMAND])
    assert twice is once and once["facts"] == len(mine)
    assert sum(n for _country, n in once["countries"]) == len(mine)
    assert set(totals.entries_of(once)[first["customer_id"]]) == {"p", "n", "r", "pr"}  # what demand reads
    recorded_later = totals.inquiry_entries(mine, ["UL", "FDA"], True)[totals.DEMAND]
    assert totals.with_customer(once, first["customer_id"], recorded_later) != once


def test_a_merged_customer_s_entries_go_with_it():
    at = datetime(2026, 3, 2, tzinfo=UTC)
    facts = [
        inquiry_fact(
            f"inq_{n}",
            f"cus_{n}",
            at,
            "2026-03",
            opened=True,
            country="DE",
            channel="email",
            campaign=None,
            needs=[],
            products=[],
        )
        for n in (1, 2)
    ]
    month = totals.empty(totals.CONVERSION, "2026-03", 0, 1)
    for fact in facts:
        month = totals.with_customer(
            month, fact["customer_id"], totals.inquiry_entries([fact], [], False)["conversion"]
        )
    moved = [{**fact, "customer_id": "cus_1"} for fact in facts]
    merged = totals.with_customer(month, "cus_1", totals.inquiry_entries(moved, [], True)[totals.CONVERSION])
    merged = totals.with_customer(merged, "cus_2", None)
    assert merged["facts"] == 2 and list(totals.entries_of(merged)) == ["cus_1"]
    assert totals.with_customer(merged, "cus_2", None) is merged
    assert reports.conversion_of_totals([totals.entries_of(merged)])["total"] == {
        "opened": 1,
        "converted": 1,
        "rate_pct": 100.0,
    }


def test_the_follow_up_outcome_moves_to_the_month_of_the_sample():
    quote = step_fact("quotes", "quo_1", "cus_1", {"at": datetime(2026, 1, 30, tzinfo=UTC), "by": "bob"}, "2026-01")
    assert totals.step_entries([quote]) == {"2026-01": (1, {"o": ["bob", None]})}
    sample = step_fact(
        "samples", "sam_1", "cus_1", {"sent_at": datetime(2026, 2, 2, tzinfo=UTC), "by": "al"}, "2026-02"
    )
    assert totals.step_entries([quote, sample]) == {
        "2026-01": (1, None),
        "2026-02": (1, {"o": ["bob", 3.0]}),
    }


def test_the_cycle_collector_is_held_off_while_reports_are_read_and_back_after_the_last():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collector_paused():
            with collector_paused():  # two workers reading reports at once
                assert not gc.isenabled()
            assert not gc.isenabled()  # the first one still reads
            raise RuntimeError("a report that fails")
    assert gc.isenabled()
