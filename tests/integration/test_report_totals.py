"""Profile's monthly report totals (issue 18): kept as facts are noted, a fact delivered twice
counted once, a month that missed a fact counted again from its facts, and the totals of facts
noted before made by the upgrade — the reports answering the same throughout."""

from types import SimpleNamespace

from services.profile import reporting
from services.profile.domain.report_facts import inquiry_fact
from services.profile.service import UPGRADES
from services.profile.settings import ReportSettingsSchema
from services.profile.store import Customers
from tests.integration.helpers import call
from tests.integration.test_reports import MARCH, file, on, step  # noqa: F401 (fixtures)


def month_facts(db, kind, month):
    return sum(shard["facts"] for shard in db.report_totals.find({"kind": kind, "month": month}))


REPORTS = (
    "report_inquiries_by_place",
    "report_demand",
    "report_follow_up",
    "report_conversion",
    "report_lost_reasons",
)


def test_an_inquiry_delivered_twice_is_counted_once(profile, file, config, db):  # noqa: F811
    file(1, on(2)), file(1, on(2))  # the same inquiry_received event, redelivered
    file(2, on(3), country="US")
    month = call(profile, "report_inquiries_by_place", {**MARCH, "by": "country"})["months"][0]
    assert (month["inquiries"], [(p["place"], p["inquiries"]) for p in month["places"]]) == (2, [("DE", 1), ("US", 1)])
    assert month_facts(db, "demand", "2026-03") == 2 == db.report_facts.count_documents({"key": "inquiry|2026-03"})
    shards = list(db.report_totals.find({"kind": "demand", "month": "2026-03"}))
    assert len(shards) == 2 and {shard["_id"] for shard in shards} <= {
        f"demand|2026-03|{n}" for n in range(config["BATON"]["reports"]["totals_shards"])
    }


def test_a_stage_change_and_an_order_reach_the_totals_once(profile, file, db):  # noqa: F811
    acme, bolt = file(1, on(2)), file(2, on(3))
    step(profile, acme, "orders", on(9))
    call(profile, "change_stage", bolt, {"stage": "lost", "by": "alice", "reason": "went silent"})
    lost = db.report_facts.find_one({"kind": "stage"})
    call(profile, "report_lost_reasons", {"from": lost["month"], "to": lost["month"]})
    assert call(profile, "report_conversion", MARCH)["total"] == {"opened": 2, "converted": 1, "rate_pct": 50.0}
    stages = db.report_totals.find_one({"_id": f"stages|{lost['month']}"})
    assert stages["facts"] == 1 and stages["reasons"] == [["lost", "went silent", 1]]


def test_a_month_that_missed_a_fact_is_counted_again_from_its_facts(profile, file, db):  # noqa: F811
    file(1, on(2))
    before = call(profile, "report_conversion", MARCH)
    assert before["total"]["opened"] == 1
    # a writer that stopped between noting a fact and its month's totals
    db.report_facts.insert_one(
        inquiry_fact(
            "inq_lost_on_the_way",
            "cus_elsewhere",
            on(4),
            "2026-03",
            opened=True,
            country="FR",
            channel="email",
            campaign=None,
            needs=[],
            products=[],
        )
    )
    assert call(profile, "report_conversion", MARCH)["total"]["opened"] == 2
    assert month_facts(db, "conversion", "2026-03") == 2


def test_the_upgrade_totals_the_facts_noted_before(profile, file, config, db):  # noqa: F811
    acme, bolt = file(1, on(2), message="CE please"), file(2, on(3), country="US")
    step(profile, acme, "quotes", on(4)), step(profile, acme, "samples", on(6)), step(profile, bolt, "orders", on(8))
    call(profile, "change_stage", bolt, {"stage": "lost", "by": "alice", "reason": "price"})
    before = {name: call(profile, name, MARCH) for name in REPORTS}
    db.report_totals.delete_many({})  # as before totals were kept, in one document per month
    db.report_totals.insert_one({"_id": "inquiries|2026-03", "kind": "inquiries", "month": "2026-03", "facts": 2})
    upgrade = next(u for u in UPGRADES if (u.collection, u.version) == ("report_facts", 3))
    service = SimpleNamespace(
        customers=Customers(db.of("profile")), reports=ReportSettingsSchema().load(config["BATON"]["reports"])
    )
    after, steps = None, 0
    while True:
        after = upgrade.step(service, after, 200)
        if after is None:
            break
        steps += 1
    assert steps == len(set(db.report_facts.distinct("key")))
    counted = db.report_totals.count_documents({})
    assert db.report_totals.count_documents({"kind": "inquiries"}) == 0  # the old shape dropped
    assert {name: call(profile, name, MARCH) for name in REPORTS} == before
    assert db.report_totals.count_documents({}) == counted  # read off what the upgrade made


def test_the_funnel_counts_every_stage_in_one_call_as_the_customer_list_does(profile, file):  # noqa: F811
    acme, bolt, _cove = file(1, on(2)), file(2, on(3)), file(3, on(4))
    step(profile, acme, "quotes", on(5))
    call(profile, "change_stage", bolt, {"stage": "lost", "by": "alice", "reason": "went silent"})
    counted = call(profile, "count_customers_by_stage")
    listed = {
        stage: call(profile, "list_customers", {"stage": stage, "limit": 1})["total"] for stage in counted["stages"]
    }
    assert (
        counted["stages"] == listed and counted["total"] == call(profile, "list_customers", {"limit": 1})["total"] == 3
    )
    assert (counted["stages"]["quoted"], counted["stages"]["lost"], counted["stages"]["customer"]) == (1, 1, 0)


def test_an_archive_change_that_leaves_needs_and_orders_as_they_were_writes_no_totals(profile, file, db):  # noqa: F811
    acme = file(1, on(2))
    step(profile, acme, "quotes", on(4))
    versions = {shard["_id"]: shard["version"] for shard in db.report_totals.find({})}
    call(profile, "change_stage", acme, {"stage": "lost", "by": "alice", "reason": "price"})
    call(profile, "grade_customer", acme, {"intent_grade": "A", "by": "alice", "reason": "keen"})
    after = {shard["_id"]: shard["version"] for shard in db.report_totals.find({"kind": {"$ne": "stages"}})}
    assert after == {key: version for key, version in versions.items() if not key.startswith("stages|")}
    step(profile, acme, "orders", on(9))  # an order: the customer converted
    assert call(profile, "report_conversion", MARCH)["total"]["converted"] == 1
    conversion = next(db.report_totals.find({"kind": "conversion", "month": "2026-03"}))
    assert conversion["version"] == versions[conversion["_id"]] + 1


def test_the_shards_are_built_again_when_their_number_changes(profile, file, config, db):  # noqa: F811
    file(1, on(2)), file(2, on(3), country="US"), file(3, on(4), country="FR")
    before = {name: call(profile, name, MARCH) for name in REPORTS}
    settings = ReportSettingsSchema().load({**config["BATON"]["reports"], "totals_shards": 1})
    customers = Customers(db.of("profile"))
    period = SimpleNamespace(months=["2026-03"], answer=lambda **answer: answer)
    assert reporting.conversion(customers, settings, period)["total"] == before["report_conversion"]["total"]
    one = db.report_totals.find_one({"_id": "conversion|2026-03|0"})
    assert one["shards"] == 1 and one["facts"] == 3


class CountingReads(Customers):
    """The profile store, counting the facts it reads in ranges (a month built again reads them)."""

    ranges_read = 0

    def facts_between(self, *args, **kwargs):
        self.ranges_read += 1
        return super().facts_between(*args, **kwargs)


def test_totals_that_count_their_month_are_read_without_reading_facts(profile, file, config, db):  # noqa: F811
    acme, bolt = file(1, on(2)), file(2, on(3), country="US")
    step(profile, acme, "quotes", on(4))
    call(profile, "change_stage", bolt, {"stage": "lost", "by": "alice", "reason": "price"})
    lost = db.report_facts.find_one({"kind": "stage"})["month"]
    customers = CountingReads(db.of("profile"))
    settings = ReportSettingsSchema().load(config["BATON"]["reports"])
    period = SimpleNamespace(months=[lost, "2026-03"], month_before="2026-02", answer=lambda **answer: answer)
    reporting.lost_reasons(customers, settings, period)
    reporting.conversion(customers, settings, period)
    reporting.demand(customers, settings, SimpleNamespace(name_of=str), period, "region")
    reporting.follow_up(customers, settings, period)
    reporting.inquiries_by_place(customers, settings, SimpleNamespace(name_of=str), period, "region")
    assert customers.ranges_read == 0


SPRING = {"from": "2026-03", "to": "2026-04"}


def spring(profile):
    """Every report over March and April (inquiries and demand by country)."""
    by = {"report_inquiries_by_place": {"by": "country"}, "report_demand": {"by": "country"}}
    return {name: call(profile, name, {**SPRING, **by.get(name, {})}) for name in REPORTS}


def test_reports_read_the_shards_sums_alone_and_shards_stored_before_them_until_the_upgrade(
    profile,
    file,  # noqa: F811
    config,
    db,
):
    acme, _bolt = file(1, on(2), message="CE please"), file(2, on(3), country="US", products=["Pump"])
    file(3, on(4, month=4), country="FR", message="UL and CE")
    file(8, on(7, month=4), email="buyer@acme.com", products=["pump"])  # acme again, in April: kept apart
    step(profile, acme, "quotes", on(4)), step(profile, acme, "samples", on(6)), step(profile, acme, "orders", on(8))
    assert {fact["customer_id"] for fact in db.report_facts.find({"kind": "inquiry", "month": "2026-04"})} == {
        acme,
        "cus_3",
    }
    before = spring(profile)
    assert before["report_demand"]["customers"] == 3 and before["report_conversion"]["total"]["opened"] == 3

    customers = Customers(db.of("profile"))
    ids = [shard["_id"] for shard in db.report_totals.find({"kind": {"$ne": "stages"}}, {"_id": 1})]
    read = customers.totals_of(ids, ("sums",))
    assert read and all("sums" in shard and "entries" not in shard and "counts" not in shard for shard in read.values())
    sharded = list(db.report_totals.find({"kind": "demand", "month": {"$in": ["2026-03", "2026-04"]}}))
    assert sum(len(reporting.totals.sums_in(shard)["again"]) for shard in sharded) == 2  # acme in each month

    # shards as stored before sums were kept: read by their entries, written customer by customer still without
    db.report_totals.update_many({"kind": {"$ne": "stages"}}, {"$unset": {"sums": ""}})
    assert spring(profile) == before
    file(4, on(9, month=4), country="FR")
    after_one_more = spring(profile)
    assert after_one_more["report_demand"]["customers"] == 4
    summed = {shard["_id"] for shard in db.report_totals.find({"sums": {"$exists": True}}, {"_id": 1})}
    assert summed and not summed & set(ids)  # only shards cus_4 opened have sums: the others still none

    upgrade = next(u for u in UPGRADES if (u.collection, u.version) == ("report_facts", 4))
    service = SimpleNamespace(customers=customers, reports=ReportSettingsSchema().load(config["BATON"]["reports"]))
    after = upgrade.step(service, None, 200)
    while after is not None:
        after = upgrade.step(service, after, 200)
    assert db.report_totals.count_documents({"kind": {"$ne": "stages"}, "sums": {"$exists": False}}) == 0
    assert spring(profile) == after_one_more
