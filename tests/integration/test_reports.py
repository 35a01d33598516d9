"""Reports through the real services: profile files real inquiries and records quotes, samples,
orders and stage changes; pool rejects; handoff measures — then each report is read by RPC. The
reads are index-backed (the store's own query plan says so), and archives filed before reports
existed are filled in by the backfill."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.errors import Forbidden, InvalidInput, Refused
from contracts.events import dump_event
from services.handoff.service import HandoffService
from services.pool.service import PoolService
from services.pool.store import state_key
from services.runtime.report_rules import shifted
from tests.integration.helpers import call, canonical_inquiry, start_downstream_of, started, wait_for

NOW = datetime.now(UTC)
THIS_MONTH = NOW.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")  # BATON.reports.time_zone
RECENT = {"from": shifted(THIS_MONTH, -1), "to": THIS_MONTH}  # what happens now, even at a month's turn
MARCH = {"from": "2026-03", "to": "2026-03"}
# Names that neither share a key nor look like typos of each other.
NAMES = ("Acme", "Bolt", "Cove", "Dune", "Elm", "Fjord", "Gale", "Helix", "Iris", "Jade")


def on(day, month=3, hour=9):
    """A moment in 2026, well inside its month in any zone."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


def as_user(container, method, user_id, role, department=None, *args):
    actor = {"user_id": user_id, "role": role, "department": department, "team": None}
    with entrypoint_hook(container, method, context_data={"actor": actor}) as hook:
        return hook(*args)


@pytest.fixture
def file(config, profile):
    dispatch = event_dispatcher(config)

    def file(n, at, country="DE", message="We need 2,000 pcs of model X by March.", email=None, **inquiry):
        with entrypoint_waiter(profile, "on_inquiry_received"):
            dispatch(
                "intake",
                "inquiry_received",
                dump_event(
                    "inquiry_received",
                    {
                        "inquiry_id": f"inq_{n}",
                        "received_at": NOW,
                        "inquiry": canonical_inquiry(
                            email=email or f"buyer@{NAMES[n - 1].lower()}.com",
                            company=f"{NAMES[n - 1]} Ltd",
                            country=country,
                            message=message,
                            occurred_at=at,
                            **inquiry,
                        ),
                    },
                ),
            )
        return f"cus_{n}"

    return file


def step(profile, customer_id, kind, at, by="alice", **record):
    when = "sent_at" if kind == "samples" else "at"
    fields = {
        "quotes": {"product": "X-200", "unit_price": 4.2, "currency": "USD"},
        "samples": {"model": "X-200"},
        "orders": {"amount": 8000, "currency": "USD"},
    }[kind]
    return call(profile, "record_deal_step", customer_id, kind, {when: at.isoformat(), "by": by, **fields, **record})


def test_inquiries_per_country_and_region_month_on_month(profile, file):
    file(1, on(10, 2)), file(2, on(11, 2)), file(3, on(12, 2), country="USA")
    file(4, on(3)), file(5, on(4), country="Germany"), file(6, on(5), country="德国"), file(7, on(6), country="FR")
    file(8, on(7), email="buyer@acme.com")  # the customer of inq_1 again: an inquiry, merged into it
    by_country = call(profile, "report_inquiries_by_place", {**MARCH, "by": "country"})
    assert (by_country["from"], by_country["to"], by_country["by"]) == ("2026-03", "2026-03", "country")
    [march] = by_country["months"]
    assert (march["month"], march["inquiries"], march["previous"], march["change"], march["change_pct"]) == (
        "2026-03",
        5,
        3,
        2,
        66.7,
    )
    # per ISO code, whatever the spelling (DE, Germany, 德国), with the country's name for people
    assert march["places"] == [
        {
            "place": "DE",
            "name": "Germany",
            "region": "EU",
            "inquiries": 4,
            "previous": 2,
            "change": 2,
            "change_pct": 100.0,
        },
        {
            "place": "FR",
            "name": "France",
            "region": "EU",
            "inquiries": 1,
            "previous": 0,
            "change": 1,
            "change_pct": None,
        },
        {
            "place": "US",
            "name": "United States",
            "region": "North America",
            "inquiries": 0,
            "previous": 1,
            "change": -1,
            "change_pct": -100.0,
        },
    ]
    by_region = call(profile, "report_inquiries_by_place", {"from": "2026-02", "to": "2026-03", "by": "region"})
    assert [m["month"] for m in by_region["months"]] == ["2026-02", "2026-03"]
    assert [(p["place"], p["inquiries"], p["previous"]) for p in by_region["months"][1]["places"]] == [
        ("EU", 5, 2),
        ("North America", 0, 1),
    ]
    with pytest.raises(InvalidInput) as bad:
        call(profile, "report_inquiries_by_place", {"from": "2026-04", "to": "2026-03"})
    assert "from" in bad.value.details["fields"]


def test_the_products_and_needs_most_asked_for_per_region(profile, file):
    file(1, on(2), message="CE certificate needed, 110V version", products=["LED panel", "X-200"])
    file(2, on(3), country="FR", message="需要CE认证，中性包装", products=["led panel"])
    file(3, on(4), country="IT", message="Please quote 500 pcs, our own logo, custom logo printing")
    file(4, on(5), country="ES", message="CE and RoHS please", products=["LED Panel"])
    file(5, on(6), country="NL", message="Best price for 300 pcs")
    file(6, on(7), country="US", message="UL listed, 110 V, OEM", products=["X-200"])
    answer = call(profile, "report_demand", MARCH)
    assert answer["customers"] == 6 and answer["by"] == "region"
    assert answer["products"] == [
        {"product": "LED panel", "inquiries": 3, "customers": 3},
        {"product": "X-200", "inquiries": 2, "customers": 2},
    ]
    eu = next(p for p in answer["places"] if p["place"] == "EU")
    shares = {n["need"]: n["share_pct"] for n in eu["needs"]}
    assert eu["customers"] == 5 and eu["needs"][0] == {"need": "CE", "customers": 3, "share_pct": 60.0}
    assert (shares["110V"], shares["neutral packaging"], shares["custom logo"], shares["RoHS"], shares["UL"]) == (
        20.0,
        20.0,
        20.0,
        20.0,
        0.0,
    )
    us = call(profile, "report_demand", {**MARCH, "by": "country"})["places"]
    assert {n["need"] for n in next(p for p in us if p["place"] == "US")["needs"] if n["customers"]} == {
        "UL",
        "110V",
        "OEM",
    }
    assert {(p["place"], p["name"]) for p in us} >= {("US", "United States"), ("FR", "France")}


def test_follow_up_from_first_quote_to_first_sample_per_salesperson(profile, file):
    acme, bolt, cove, dune = file(1, on(1)), file(2, on(1)), file(3, on(1)), file(4, on(1))
    step(profile, acme, "quotes", on(2), by="alice"), step(profile, acme, "samples", on(5), by="alice")
    step(profile, bolt, "quotes", on(3), by="alice"), step(profile, bolt, "samples", on(10), by="sam")
    step(profile, bolt, "samples", on(12), by="alice")  # not the first sample
    step(profile, cove, "quotes", on(20), by="bob")  # no sample yet
    step(profile, dune, "quotes", on(10, 2), by="bob"), step(profile, dune, "samples", on(14), by="bob")
    answer = call(profile, "report_follow_up", MARCH)
    assert answer["people"] == [
        {"salesperson": "alice", "samples": 2, "average_days": 5.0, "median_days": 5.0, "waiting": 0},
        {"salesperson": "bob", "samples": 1, "average_days": 32.0, "median_days": 32.0, "waiting": 1},
    ]
    assert answer["overall"] == {"samples": 3, "average_days": 14.0, "median_days": 7.0, "waiting": 1}
    assert call(profile, "report_follow_up", {"from": "2026-02", "to": "2026-02"}) == {
        "from": "2026-02",
        "to": "2026-02",
        "people": [],  # bob's sample came in March
        "overall": {"samples": 0, "average_days": None, "median_days": None, "waiting": 0},
    }


def test_conversion_by_lead_source_counts_a_merged_customer_once(profile, file):
    ads = [file(n, on(n), channel="google_ads", campaign="spring") for n in (1, 2, 3)]
    show = [file(n, on(n), channel="trade_show") for n in (4, 5)]
    february = file(6, on(6, 2), channel="website_form")
    step(profile, ads[0], "orders", on(20)), step(profile, show[1], "orders", on(21))
    step(profile, february, "orders", on(22))  # opened before the period
    call(profile, "merge_customers", ads[0], {"absorb": ads[1], "by": "manager"})  # one customer after all
    answer = call(profile, "report_conversion", MARCH)
    assert answer["total"] == {"opened": 4, "converted": 2, "rate_pct": 50.0}
    assert answer["channels"] == [
        {
            "channel": "google_ads",
            "opened": 2,
            "converted": 1,
            "rate_pct": 50.0,
            "campaigns": [{"campaign": "spring", "opened": 2, "converted": 1, "rate_pct": 50.0}],
        },
        {
            "channel": "trade_show",
            "opened": 2,
            "converted": 1,
            "rate_pct": 50.0,
            "campaigns": [{"campaign": None, "opened": 2, "converted": 1, "rate_pct": 50.0}],
        },
    ]


def test_lost_reasons_and_rejections_in_the_pool(container_factory, config, profile, file):
    pool = started(container_factory, PoolService, config)
    customers = [file(n, NOW) for n in range(1, 6)]
    wait_for(lambda: all(call(profile, "get_customer", c)["owner_id"] for c in customers), timeout=30, what="owners")
    for customer, stage, reason in (
        (customers[0], "lost", "price too high"),
        (customers[1], "lost", "Price  too high"),
        (customers[2], "invalid", "not target industry"),
    ):
        call(profile, "change_stage", customer, {"stage": stage, "by": "alice", "reason": reason})
    call(profile, "change_stage", customers[2], {"stage": "invalid", "by": "alice", "reason": "not target industry"})
    for customer in customers[3:]:
        call(pool, "reject", customer, {"by": "meier", "reason": "need mismatch"})
    lost = call(profile, "report_lost_reasons", RECENT)
    assert (lost["total"], lost["reasons"]) == (
        3,
        [
            {"stage": "lost", "reason": "price too high", "count": 2},
            {"stage": "invalid", "reason": "not target industry", "count": 1},
        ],
    )
    rejected = call(pool, "report_rejected_reasons", RECENT)
    assert (rejected["total"], rejected["reasons"]) == (2, [{"reason": "need mismatch", "count": 2}])
    call(pool, "reactivate", customers[4], {"by": "meier", "reason": "new price list"})
    assert call(pool, "report_rejected_reasons", RECENT)["total"] == 1  # rejected still: one
    assert call(pool, "report_rejected_reasons", MARCH)["total"] == 0


def test_archives_from_before_reports_are_backfilled_once(container_factory, config, profile, file, db):
    pool = started(container_factory, PoolService, config)
    acme, bolt, cove = file(1, NOW, message="CE please"), file(2, NOW, country="US"), file(3, NOW)
    (
        step(profile, acme, "quotes", NOW - timedelta(minutes=3)),
        step(profile, acme, "samples", NOW - timedelta(minutes=2)),
    )
    step(profile, bolt, "orders", NOW - timedelta(minutes=1))
    call(profile, "change_stage", cove, {"stage": "lost", "by": "alice", "reason": "went silent"})
    wait_for(lambda: db.holdings.count_documents({}) == 3, timeout=30, what="holdings")
    call(pool, "reject", bolt, {"by": "meier", "reason": "need mismatch"})
    reports = (
        "report_inquiries_by_place",
        "report_demand",
        "report_follow_up",
        "report_conversion",
        "report_lost_reasons",
    )
    before = {name: call(profile, name, RECENT) for name in reports}
    assert before["report_conversion"]["total"] == {"opened": 3, "converted": 1, "rate_pct": 33.3}
    assert (before["report_follow_up"]["overall"]["samples"], before["report_lost_reasons"]["total"]) == (1, 1)
    assert call(pool, "report_rejected_reasons", RECENT)["total"] == 1
    db.report_facts.delete_many({})  # as before reports existed
    db.holdings.update_many({}, {"$unset": {"state_key": ""}})
    assert call(profile, "report_conversion", RECENT)["total"]["opened"] == 0
    assert call(pool, "report_rejected_reasons", RECENT)["total"] == 0
    first = call(profile, "backfill_report_facts", {"limit": 2})
    assert (first["examined"], first["next_after"]) == (2, "cus_2")
    rest = call(profile, "backfill_report_facts", {"after": first["next_after"], "limit": 2})
    assert (rest["examined"], rest["next_after"]) == (1, None)
    assert first["written"] + rest["written"] == 3 + 2 + 1  # inquiries, quote and sample, stage
    assert {name: call(profile, name, RECENT) for name in reports} == before
    assert call(profile, "backfill_report_facts", {})["written"] == 0  # again: nothing new
    assert call(pool, "backfill_report_keys", {})["written"] == 1
    assert call(pool, "report_rejected_reasons", RECENT)["reasons"] == [{"reason": "need mismatch", "count": 1}]


def test_report_reads_are_index_backed(container_factory, config, profile, file, db):
    started(container_factory, PoolService, config)
    file(1, on(2))

    def plan(collection, query):
        return " ".join(step["detail"] for step in collection.find(query).explain()["queryPlanner"]["winningPlan"])

    facts = plan(db.report_facts, {"key": {"$gte": "inquiry|2026-01", "$lte": "inquiry|2026-03"}})
    assert "USING INDEX" in facts and "key" in facts and "SCAN report_facts" not in facts
    archives = plan(db.customers, {"_id": {"$in": ["cus_1", "cus_2"]}})
    assert "USING INDEX" in archives and "SCAN customers" not in archives
    rejected = plan(
        db.holdings, {"state_key": {"$gte": state_key("rejected", on(1)), "$lt": state_key("rejected", NOW)}}
    )
    assert "USING INDEX" in rejected and "state_key" in rejected and "SCAN holdings" not in rejected


def test_reports_are_for_managers_and_marketing_reads_two(profile, file):
    file(1, on(2))
    assert as_user(profile, "report_demand", "meier", "manager", "sales", MARCH)["customers"] == 1
    assert as_user(profile, "report_conversion", "mia", "member", "marketing", MARCH)["total"]["opened"] == 1
    assert as_user(profile, "report_inquiries_by_place", "mia", "member", "marketing", MARCH)["months"]
    for method in ("report_demand", "report_follow_up", "report_lost_reasons"):
        with pytest.raises(Forbidden):
            as_user(profile, method, "mia", "member", "marketing", MARCH)
    with pytest.raises(Forbidden) as refused:
        as_user(profile, "report_conversion", "alice", "member", "sales", MARCH)
    assert "manager" in refused.value.message
    with pytest.raises(Forbidden):
        as_user(profile, "backfill_report_facts", "meier", "manager", "sales", {})


def test_handoff_timeliness_over_months_is_the_handoff_measures(container_factory, config, profile, file):
    start_downstream_of(container_factory, config, "pool", "handoff")
    started(container_factory, PoolService, config)
    handoff = started(container_factory, HandoffService, config)
    vague = file(1, NOW, message="interested")
    wait_for(lambda: call(profile, "get_customer", vague)["owner_id"], timeout=30, what="an owner")
    with pytest.raises(Refused):
        call(
            handoff, "submit_handoff", {"kind": "marketing_to_sales", "customer_id": vague, "by": "mia", "to": ["bob"]}
        )
    report = call(handoff, "report_timeliness", RECENT)
    measures = call(handoff, "measures", {"since": report["since"], "until": report["until"]})
    assert report["refused"] == 1 and (report["from"], report["to"]) == (RECENT["from"], RECENT["to"])
    assert {k: v for k, v in report.items() if k not in ("from", "to")} == measures
    assert call(handoff, "report_timeliness", {**MARCH, "kind": "marketing_to_sales"})["refused"] == 0
    with pytest.raises(Forbidden):
        as_user(handoff, "report_timeliness", "alice", "member", "sales", MARCH)
