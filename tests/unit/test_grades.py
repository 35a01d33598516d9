"""Grades set by hand: who and why on the grade, the regrade clock restarted, the change told."""

from datetime import UTC, datetime, timedelta

from services.profile.domain.archive import combine_archives, open_archive
from services.profile.domain.grades import grade_changes, regrade

FILED = datetime(2026, 9, 1, tzinfo=UTC)
LATER = datetime(2026, 12, 1, tzinfo=UTC)
INQUIRY = {
    "channel": "website_form",
    "company": "Acme GmbH",
    "contact": {"email": "jane@acme.de"},
    "message": "2000 pcs by March",
}
PLUGIN_GRADE = {"grade": "B", "reasons": ["quantity"], "rule": "builtin_intent"}


def test_a_grade_set_by_hand_says_who_and_why_and_restarts_the_regrade_clock():
    archive = open_archive("cus_1", "inq_1", INQUIRY, PLUGIN_GRADE, None, FILED)
    assert (archive["graded_at"], archive["value_grade"]) == (FILED, None)
    after = regrade(archive, {"value_grade": "A", "intent_grade": "A"}, "alice", " paid 3 orders on time ", LATER)
    assert after["value_grade"] == {"grade": "A", "reasons": ["paid 3 orders on time"], "rule": "by alice"}
    assert (after["intent_grade"]["grade"], after["graded_at"], after["version"]) == (
        "A",
        LATER,
        archive["version"],  # the guarded write moves it on
    )
    assert grade_changes(archive, after, ["intent_grade", "value_grade"]) == "intent B → A, value — → A"
    confirmed = regrade(after, {"value_grade": "A"}, "bob", "reviewed", LATER)
    assert confirmed["graded_at"] == LATER and grade_changes(after, confirmed, ["value_grade"]) == "value A → A"


def test_an_archive_never_graded_has_no_regrade_clock():
    assert open_archive("cus_1", "inq_1", INQUIRY, None, "plugin failed", FILED)["graded_at"] is None


def test_merged_archives_keep_the_latest_value_grade_and_grading():
    kept = regrade(
        open_archive("cus_1", "inq_1", INQUIRY, PLUGIN_GRADE, None, FILED), {"value_grade": "C"}, "a", "x", FILED
    )
    absorbed = regrade(
        open_archive("cus_2", "inq_2", INQUIRY, PLUGIN_GRADE, None, FILED), {"value_grade": "A"}, "b", "y", LATER
    )
    merged = combine_archives(kept, absorbed, LATER)
    assert (merged["value_grade"]["grade"], merged["graded_at"]) == ("A", LATER)


def test_the_built_in_value_rule_grades_by_last_year_s_orders_in_one_currency():
    from plugins.builtin import value_grading
    from plugins.host import PluginHost

    host = PluginHost([("value_grading", value_grading)])
    valuation = {
        "value_currency": "CNY",
        "exchange_rates": {"CNY": 1, "USD": 7.1},
        "core_annual_value": 1_000_000,
        "potential_annual_value": 100_000,
    }

    def order(days_ago, amount, currency="USD"):
        return {"id": f"o{days_ago}", "at": LATER - timedelta(days=days_ago), "amount": amount, "currency": currency}

    assert host.grade_value([], valuation, LATER) is None
    assert host.grade_value([order(400, 10**6)], valuation, LATER) is None  # older than a year
    ordinary = host.grade_value([order(10, 5000)], valuation, LATER)
    assert (ordinary.grade, ordinary.reasons[0]) == ("C", "orders of the last 365 days: 35,500 CNY")
    assert host.grade_value([order(10, 10_000), order(100, 5_000)], valuation, LATER).grade == "B"  # 106,500
    core = host.grade_value([order(10, 150_000)], valuation, LATER)
    assert (core.grade, core.rule) == ("A", "value_grading")
    unpriced = host.grade_value([order(10, 5000), order(20, 900, "CHF")], valuation, LATER)
    assert "orders in CHF left out: no exchange rate configured" in unpriced.reasons[0]


def test_a_broken_value_rule_is_named_and_decides_nothing():
    import pytest

    from plugins.errors import PluginFailed
    from plugins.host import PluginHost
    from plugins.markers import hookimpl

    class Broken:
        @hookimpl
        def baton_grade_value(self, orders, valuation, now):
            return orders[0]["missing"]

    with pytest.raises(PluginFailed) as failed:
        PluginHost([("broken_value", Broken())]).grade_value([{"at": LATER}], {}, LATER)
    assert "broken_value" in failed.value.message and "KeyError" in failed.value.message


def test_a_rule_s_value_grade_never_replaces_one_set_by_hand():
    from services.profile.domain.grades import value_graded

    archive = open_archive("cus_1", "inq_1", INQUIRY, PLUGIN_GRADE, None, FILED)
    verdict = {"grade": "B", "reasons": ["orders of the last 365 days: 200,000 CNY"], "rule": "value_grading"}
    by_rule = value_graded(archive, verdict, LATER)
    assert by_rule["value_grade"] == verdict and by_rule["graded_at"] == FILED  # no regrade
    assert value_graded(by_rule, verdict, LATER) is None
    by_hand = regrade(by_rule, {"value_grade": "D"}, "alice", "pays late", LATER)
    assert value_graded(by_hand, {**verdict, "grade": "A"}, LATER) is None
