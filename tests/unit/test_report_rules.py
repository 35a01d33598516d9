"""The reports' rules with no I/O: months and periods, need keywords, the facts an archive from
before gives, month-on-month change, shares of needs per region, quote → sample times with
their medians, conversion by source, lost and rejected reasons."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from contracts.errors import InvalidInput
from contracts.reports import PeriodQuerySchema, PlaceQuerySchema
from services.pool.domain.holdings import rejection, rejection_reason
from services.profile.domain import reports
from services.profile.domain.report_facts import archive_facts, needs_in, products_of
from services.profile.settings import ReportSettingsSchema
from services.runtime.report_rules import count_reasons, month_of, month_start, months_from, shifted
from services.runtime.reporting import ReportPeriodSettingsSchema, check_span, period_of
from tests.conftest import load_config_file

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEEDS = {
    "CE": ["CE", "CE认证"],
    "UL": ["UL"],
    "110V": ["110V", "110 V", "110伏"],
    "custom logo": ["custom logo", "定制logo"],
    "OEM": ["OEM", "贴牌"],
}
SETTINGS = ReportPeriodSettingsSchema().load({"time_zone": "Asia/Shanghai", "default_months": 6, "max_months": 12})


def days(n):
    return AT + timedelta(days=n)


# --- months and periods -----------------------------------------------------------------------


def test_months_are_calendar_months_in_the_configured_zone():
    assert month_of(datetime(2026, 1, 31, 20, 0, tzinfo=UTC), SHANGHAI) == "2026-02"  # 04:00 on 1 Feb
    assert month_of(datetime(2026, 1, 31, 15, 59, tzinfo=UTC), SHANGHAI) == "2026-01"
    assert month_start("2026-02", SHANGHAI) == datetime(2026, 1, 31, 16, 0, tzinfo=UTC)
    assert (shifted("2026-01", -1), shifted("2025-12", 1), shifted("2026-03", -14)) == ("2025-12", "2026-01", "2025-01")
    assert months_from("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_a_period_defaults_to_the_last_months_up_to_this_one():
    now = datetime(2026, 3, 15, tzinfo=UTC)
    period = period_of({}, SETTINGS, now)
    assert (period.first, period.last, period.month_before) == ("2025-10", "2026-03", "2025-09")
    assert period.since == month_start("2025-10", SHANGHAI) and period.until == month_start("2026-04", SHANGHAI)
    assert period.last_moment == period.until - timedelta(seconds=1)
    assert (
        period_of({"first": "2026-01"}, SETTINGS, now).last,
        period_of({"last": "2026-01"}, SETTINGS, now).first,
    ) == ("2026-03", "2025-08")
    assert period.answer(total=3) == {"first": "2025-10", "last": "2026-03", "total": 3}


def test_a_period_upside_down_or_too_long_is_refused_naming_the_field():
    now = datetime(2026, 3, 15, tzinfo=UTC)
    with pytest.raises(InvalidInput) as upside_down:
        period_of({"first": "2026-05"}, SETTINGS, now)
    assert "from" in upside_down.value.details["fields"]
    with pytest.raises(InvalidInput) as too_long:
        period_of({"first": "2024-01", "last": "2026-01"}, SETTINGS, now)
    assert "at most 12 months" in too_long.value.details["fields"]["from"][0]


def test_the_period_query_takes_months_as_from_and_to():
    assert PlaceQuerySchema().load({"from": "2026-01", "to": "2026-03"}) == {
        "first": "2026-01",
        "last": "2026-03",
        "by": "country",
    }
    for bad in ({"from": "2026-13"}, {"to": "2026-3"}, {"from": "2026-04", "to": "2026-03"}, {"month": "2026-01"}):
        with pytest.raises(ValidationError):
            PeriodQuerySchema().load(bad)


# --- settings -----------------------------------------------------------------------------------


def test_the_shipped_settings_map_countries_to_regions_and_list_needs():
    settings = ReportSettingsSchema().load(load_config_file()["BATON"]["reports"])
    regions = settings["region_of_country"]
    assert (regions["DE"], regions["US"], regions["AE"], regions["NO"]) == (
        "EU",
        "North America",
        "Middle East",
        "Europe (other)",
    )
    assert {"CE", "FDA", "RoHS", "UL", "110V", "custom logo", "neutral packaging", "OEM"} <= set(settings["needs"])
    assert settings["lost_stages"] == ["lost", "invalid", "rejected"]


def test_a_country_in_two_regions_is_refused():
    with pytest.raises(ValidationError) as refused:
        ReportSettingsSchema().load({"regions": {"EU": ["DE", "FR"], "DACH": ["DE", "AT"]}})
    assert "DE" in str(refused.value.messages["regions"])
    with pytest.raises(ValidationError):
        ReportSettingsSchema().load({"regions": {"EU": ["de"]}})


# --- facts --------------------------------------------------------------------------------------


def test_needs_are_found_as_whole_english_words_or_chinese_as_written():
    assert needs_in(["Best price for 500 pcs, CE-certified, ultra quiet"], NEEDS) == ["CE"]
    assert needs_in(["需要CE认证和贴牌", None], NEEDS) == ["CE", "OEM"]
    assert needs_in(["we want our Custom Logo", "Lamp 110 V"], NEEDS) == ["110V", "custom logo"]
    assert needs_in(["UL listed please", "oem ok"], NEEDS) == ["UL", "OEM"]
    assert needs_in(["ICE machine, regular price, 1100V"], NEEDS) == []


def test_products_are_trimmed_and_kept_once():
    assert products_of([" LED  panel ", "led panel", "X-200", ""]) == ["LED panel", "X-200"]


def stage_entry(customer_id, stage, at):
    return {
        "_id": f"{customer_id}:stage_changed:{stage}:{at.isoformat()}",
        "customer_id": customer_id,
        "kind": "stage_changed",
        "at": at,
        "actor": "alice",
        "refs": {"stage": stage},
    }


def test_an_archive_from_before_gives_its_inquiries_steps_and_lost_stage_once_each():
    archive = {
        "_id": "cus_1",
        "country": "Germany",
        "stage": "lost",
        "stage_reason": "price too high",
        "absorbed_ids": ["cus_7"],
        "needs": ["Need 2,000 pcs with CE"],
        "special_requirements": ["【特殊】110V"],
        "products": ["X-200", "x-200 "],
        "sources": [
            {"inquiry_id": "inq_1", "at": days(0), "channel": "website_form", "campaign": None},
            {"inquiry_id": "inq_7", "at": days(40), "channel": "google_ads", "campaign": "spring"},
            {"inquiry_id": "inq_9", "at": days(50), "channel": "email", "campaign": None},
        ],
        "quotes": [{"id": "quo_1", "at": days(3), "by": "alice"}],
        "samples": [{"id": "sam_1", "sent_at": days(9), "by": "alice"}],
    }
    entries = [
        stage_entry("cus_1", "lost", days(20)),
        stage_entry("cus_1", "quoted", days(3)),
        stage_entry("cus_1", "lost", days(60)),
    ]
    facts = archive_facts(archive, entries, lambda at: month_of(at, UTC), NEEDS, "DE")
    inquiries = [f for f in facts if f["kind"] == "inquiry"]
    assert [(f["_id"], f["key"], f["opened"], f["channel"], f["campaign"]) for f in inquiries] == [
        ("inquiry:inq_1", "inquiry|2026-03", True, "website_form", None),
        ("inquiry:inq_7", "inquiry|2026-04", True, "google_ads", "spring"),  # opened the archive merged in
        ("inquiry:inq_9", "inquiry|2026-04", False, "email", None),
    ]
    assert (inquiries[0]["needs"], inquiries[0]["products"], inquiries[1]["needs"]) == (["CE", "110V"], ["X-200"], [])
    assert {f["country"] for f in inquiries} == {"DE"}
    steps = {(f["kind"], f["_id"], f["key"], f["by"]) for f in facts if f["kind"] in ("quote", "sample")}
    assert steps == {
        ("quote", "quote:quo_1", "quote|2026-03", "alice"),
        ("sample", "sample:sam_1", "sample|2026-03", "alice"),
    }
    [stage] = [f for f in facts if f["kind"] == "stage"]
    assert (stage["_id"], stage["stage"], stage["reason"], stage["at"]) == (
        "stage:" + entries[2]["_id"],
        "lost",
        "price too high",
        days(60),
    )
    assert not [
        f
        for f in archive_facts(
            {**archive, "stage": "quoted", "stage_reason": None}, entries, lambda at: "2026-03", NEEDS, "DE"
        )
        if f["kind"] == "stage"
    ]


def test_a_stage_the_pool_set_by_rejecting_is_left_to_the_pool_s_report():
    archive = {"_id": "cus_2", "stage": "rejected", "stage_reason": "need mismatch", "sources": []}
    by_pool = {**stage_entry("cus_2", "rejected", days(5)), "details": {"from_pool": True}}
    assert not [f for f in archive_facts(archive, [by_pool], lambda at: "2026-03", NEEDS, "DE") if f["kind"] == "stage"]
    by_hand = {**stage_entry("cus_2", "rejected", days(5)), "details": {}}
    assert [f["stage"] for f in archive_facts(archive, [by_hand], lambda at: "2026-03", NEEDS, "DE")] == ["rejected"]


# --- inquiries by place, month on month ------------------------------------------------------------


def inquiry(month, country=None, customer="c1", needs=(), products=(), at=AT, **more):
    return {
        "month": month,
        "country": country,
        "customer_id": customer,
        "needs": list(needs),
        "products": list(products),
        "at": at,
        **more,
    }


def test_month_on_month_change_in_count_and_percent():
    assert reports.month_on_month(15, 10) == {"inquiries": 15, "previous": 10, "change": 5, "change_pct": 50.0}
    assert reports.month_on_month(2, 3)["change_pct"] == -33.3
    assert reports.month_on_month(4, 0) == {"inquiries": 4, "previous": 0, "change": 4, "change_pct": None}


def test_inquiries_per_country_and_month_beside_the_month_before():
    facts = (
        [inquiry("2026-01", "DE")] * 2
        + [inquiry("2026-01", "US")]
        + [inquiry("2026-02", "DE")] * 3
        + [inquiry("2026-02", None)]
        + [inquiry("2026-03", "FR")]
    )
    region_of = {"DE": "EU", "FR": "EU", "US": "North America"}.get
    months = reports.inquiries_by_place(facts, ["2026-02", "2026-03"], "2026-01", lambda f: f["country"], region_of)
    february, march = months
    assert (february["month"], february["inquiries"], february["previous"], february["change_pct"]) == (
        "2026-02",
        4,
        3,
        33.3,
    )
    assert february["places"] == [
        {"place": "DE", "region": "EU", "inquiries": 3, "previous": 2, "change": 1, "change_pct": 50.0},
        {"place": None, "region": None, "inquiries": 1, "previous": 0, "change": 1, "change_pct": None},
        {"place": "US", "region": "North America", "inquiries": 0, "previous": 1, "change": -1, "change_pct": -100.0},
    ]
    assert [(p["place"], p["inquiries"], p["previous"]) for p in march["places"]] == [
        ("FR", 1, 0),
        ("DE", 0, 3),
        (None, 0, 1),
    ]
    by_region = reports.inquiries_by_place(facts, ["2026-02"], "2026-01", lambda f: region_of(f["country"]))
    assert [(p["place"], p["inquiries"], p["previous"]) for p in by_region[0]["places"]] == [
        ("EU", 3, 2),
        (None, 1, 0),
        ("North America", 0, 1),
    ]
    assert "region" not in by_region[0]["places"][0]


# --- products and needs ----------------------------------------------------------------------------


def test_the_share_of_customers_of_each_region_asking_for_each_need():
    region = {"DE": "EU", "FR": "EU", "IT": "EU", "US": "North America"}
    facts = [
        inquiry("2026-03", "DE", "eu1", ["CE"]),
        inquiry("2026-03", "FR", "eu2", ["CE", "OEM"]),
        inquiry("2026-03", "IT", "eu3", ["CE"]),
        inquiry("2026-03", "DE", "eu4", []),
        inquiry("2026-03", "DE", "eu4", ["CE"], at=days(1)),  # the same customer asks again
        inquiry("2026-03", "FR", "eu5", ["110V"]),
        inquiry("2026-03", "US", "us1", ["UL", "110V"]),
    ]
    answer = reports.demand(facts, lambda f: region.get(f["country"]), list(NEEDS), 10)
    assert answer["customers"] == 6
    eu = next(p for p in answer["places"] if p["place"] == "EU")
    assert eu["customers"] == 5
    assert eu["needs"][0] == {"need": "CE", "customers": 4, "share_pct": 80.0}  # "80% of EU customers ask for CE"
    assert [n["need"] for n in eu["needs"]] == ["CE", "110V", "OEM", "UL", "custom logo"]
    us = next(p for p in answer["places"] if p["place"] == "North America")
    assert {n["need"]: n["share_pct"] for n in us["needs"]} == {
        "UL": 100.0,
        "110V": 100.0,
        "CE": 0.0,
        "custom logo": 0.0,
        "OEM": 0.0,
    }
    assert answer["needs"][0] == {"need": "CE", "customers": 4, "share_pct": 66.7}


def test_a_customer_counts_where_it_first_named_a_country():
    facts = [
        inquiry("2026-03", None, "c1", ["CE"], at=days(0)),
        inquiry("2026-03", "DE", "c1", at=days(1)),
        inquiry("2026-03", "US", "c1", at=days(2)),
    ]
    answer = reports.demand(facts, lambda f: f["country"], ["CE"], 10)
    assert [(p["place"], p["customers"], p["needs"][0]["customers"]) for p in answer["places"]] == [("DE", 1, 1)]


def test_needs_recorded_on_the_archive_count_beside_those_the_inquiries_asked_for():
    facts = [inquiry("2026-03", "DE", "c1", ["CE"]), inquiry("2026-03", "DE", "c2", [])]
    recorded = {"c1": ["CE", "UL"], "c2": ["UL"], "elsewhere": ["FDA"]}  # a customer with no inquiry here: not counted
    answer = reports.demand(facts, lambda f: f["country"], ["CE", "UL", "FDA"], 10, recorded)
    assert answer["customers"] == 2
    assert {n["need"]: n["customers"] for n in answer["needs"]} == {"CE": 1, "UL": 2, "FDA": 0}


def test_the_products_most_asked_for():
    facts = [
        inquiry("2026-03", customer="c1", products=["LED panel", "X-200"]),
        inquiry("2026-03", customer="c2", products=["led panel"]),
        inquiry("2026-03", customer="c2", products=["LED Panel"]),
        inquiry("2026-03", customer="c3", products=["X-200"]),
        inquiry("2026-03", customer="c3", products=["Z"]),
    ]
    assert reports.most_requested(sorted(facts, key=lambda f: f["at"]), 2) == [
        {"product": "LED panel", "inquiries": 3, "customers": 2},
        {"product": "X-200", "inquiries": 2, "customers": 2},
    ]


# --- follow-up efficiency --------------------------------------------------------------------------


def deal(customer, quotes=(), samples=()):
    return {
        "_id": customer,
        "quotes": [{"at": at, "by": by} for at, by in quotes],
        "samples": [{"sent_at": at, "by": by} for at, by in samples],
    }


def test_first_quote_to_first_sample_per_salesperson_with_average_and_median():
    since, until = days(0), days(30)
    archives = [
        deal("c1", [(days(1), "alice"), (days(5), "bob")], [(days(3), "sam")]),  # 2 days, alice quoted first
        deal("c2", [(days(2), "alice")], [(days(8), "alice"), (days(9), "alice")]),  # 6 days
        deal("c3", [(days(0), "alice")], [(days(10), "alice")]),  # 10 days
        deal("c4", [(days(4), "bob")], [(days(2), "bob"), (days(7), "bob")]),  # a sample before: 3 days
        deal("c5", [(days(-40), "bob")], [(days(-30), "bob")]),  # before the period
        deal("c6", [(days(-5), "bob")], [(days(40), "bob")]),  # after it
        deal("c7", [(days(20), "carol")]),  # waiting
        deal("c8", [(days(-20), "carol")]),  # quoted before: not counted
        deal("c9", [], [(days(3), "dora")]),  # no quote at all
    ]
    answer = reports.follow_up(archives, since, until)
    assert answer["people"] == [
        {"salesperson": "alice", "samples": 3, "average_days": 6.0, "median_days": 6.0, "waiting": 0},
        {"salesperson": "bob", "samples": 1, "average_days": 3.0, "median_days": 3.0, "waiting": 0},
        {"salesperson": "carol", "samples": 0, "average_days": None, "median_days": None, "waiting": 1},
    ]
    assert answer["overall"] == {"samples": 4, "average_days": 5.25, "median_days": 4.5, "waiting": 1}


# --- conversion by lead source --------------------------------------------------------------------


def opened(customer, channel, campaign=None, at=AT):
    return {"customer_id": customer, "channel": channel, "campaign": campaign, "at": at, "opened": True}


def test_conversion_per_channel_and_campaign():
    facts = [
        opened("c1", "google_ads", "spring"),
        opened("c2", "google_ads", "spring"),
        opened("c3", "google_ads", "autumn"),
        opened("c4", "google_ads"),
        opened("c5", "trade_show"),
        opened("c6", "trade_show"),
        opened("c1", "website_form", at=days(3)),
    ]  # merged in later: c1 once
    answer = reports.conversion(facts, converted={"c1", "c3", "c5", "c9"})
    assert answer["total"] == {"opened": 6, "converted": 3, "rate_pct": 50.0}
    ads, show = answer["channels"]
    assert (ads["channel"], ads["opened"], ads["converted"], ads["rate_pct"]) == ("google_ads", 4, 2, 50.0)
    assert ads["campaigns"] == [
        {"campaign": "spring", "opened": 2, "converted": 1, "rate_pct": 50.0},
        {"campaign": "autumn", "opened": 1, "converted": 1, "rate_pct": 100.0},
        {"campaign": None, "opened": 1, "converted": 0, "rate_pct": 0.0},
    ]
    assert (show["channel"], show["opened"], show["converted"]) == ("trade_show", 2, 1)
    assert reports.conversion([], set()) == {"channels": [], "total": {"opened": 0, "converted": 0, "rate_pct": None}}


# --- lost and rejected reasons ---------------------------------------------------------------------


def test_reasons_are_counted_alike_whatever_their_case_or_spacing():
    assert count_reasons(
        ["Price too high", "price  too high ", "need mismatch", None, "PRICE TOO HIGH", "price too high"]
    ) == [
        {"reason": "price too high", "count": 4},
        {"reason": "(none given)", "count": 1},
        {"reason": "need mismatch", "count": 1},
    ]


def test_lost_reasons_per_stage():
    facts = [
        {"stage": "lost", "reason": "price too high"},
        {"stage": "lost", "reason": "Price too high"},
        {"stage": "invalid", "reason": "not target industry"},
        {"stage": "dormant", "reason": "quiet"},
        {"stage": "rejected", "reason": "need mismatch"},
        {"stage": "lost", "reason": "went silent"},
    ]
    answer = reports.lost_reasons(facts, ["lost", "invalid", "rejected"])
    assert answer["total"] == 5
    assert answer["reasons"] == [
        {"stage": "lost", "reason": "price too high", "count": 2},
        {"stage": "lost", "reason": "went silent", "count": 1},
        {"stage": "invalid", "reason": "not target industry", "count": 1},
        {"stage": "rejected", "reason": "need mismatch", "count": 1},
    ]


def test_a_rejected_holding_keeps_the_reason_its_rejecter_gave():
    holding = {"reason": rejection("rejected: twice over")}
    assert (holding["reason"], rejection_reason(holding)) == ("rejected: rejected: twice over", "rejected: twice over")


def test_a_period_of_moments_longer_than_max_months_or_upside_down_is_refused_naming_since():
    now = datetime(2026, 12, 4, tzinfo=UTC)
    settings = {"max_months": 36}
    check_span(None, None, settings, now)
    check_span(now - timedelta(days=36 * 30), None, settings, now)
    for since, until in ((datetime(514, 7, 2, tzinfo=UTC), None), (now, now - timedelta(days=1))):
        with pytest.raises(InvalidInput) as refused:
            check_span(since, until, settings, now)
        assert list(refused.value.details["fields"]) == ["since"]
