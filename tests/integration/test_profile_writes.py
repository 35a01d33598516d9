"""profile's store writes a change with what goes with it in one command (issue 19), against the real
document server: a new archive with its keys, audit entry, terms, timeline entries and report facts;
a change with its audit and timeline entries. Counted on the wire by a command listener."""

from datetime import UTC, datetime

import pytest
from pymongo import MongoClient, monitoring

from services.profile.domain.archive import open_archive
from services.profile.domain.timeline import owner_assigned
from services.profile.store import Customers
from services.runtime.audit import AuditRecorder, AuditTrail
from tests.databases import ServiceDatabases
from tests.integration.helpers import canonical_inquiry

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
KEYS = {"company": "DE:acme", "email": "jane@acme.de"}


class Sent(monitoring.CommandListener):
    def __init__(self) -> None:
        self.commands: list[str] = []
        self.pipelines: list[list[dict]] = []
        self.aggregated: list[str] = []  # the collection each aggregation starts from

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.commands.append(event.command_name)
        if event.command_name == "aggregate":
            self.pipelines.append(list(event.command["pipeline"]))
            self.aggregated.append(event.command["aggregate"])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def sent():
    return Sent()


@pytest.fixture
def db(mongo_uri, sent):
    client = MongoClient(mongo_uri, tz_aware=True, event_listeners=[sent])
    yield ServiceDatabases(client, mongo_uri)
    client.close()


@pytest.fixture
def customers(db):
    profile = db.of("profile")
    store = Customers(profile)
    store.ensure_indexes()
    return store.audited_by(AuditRecorder(AuditTrail(profile, "profile"), None, "test"))


def archive_of(customer_id="cus_1"):
    return open_archive(customer_id, "inq_1", canonical_inquiry(), None, None, NOW)


def entry(n):
    return {"_id": f"tl_{n}", "customer_id": "cus_1", "kind": "inquiry_received", "at": NOW}


def test_a_new_archive_goes_in_with_everything_it_brings_in_one_command(customers, db, sent):
    fact = {"_id": "fact_inq_1", "customer_id": "cus_1", "kind": "inquiry", "key": "inquiry|2026-05"}
    sent.commands.clear()
    stored = customers.open(archive_of(), KEYS, [entry(1), entry(2)], [fact])
    assert sent.commands == ["bulkWrite"]
    assert stored is not None and stored["_id"] == "cus_1" and stored["version"] == 1 and "tags" in stored
    assert customers.holders_of(KEYS) == {"company": "cus_1", "email": "cus_1"}
    assert customers.get("cus_1") == stored
    audit = list(db.of("profile").audit.find({"resource_id": "cus_1"}))
    assert [(e["resource"], e["service"]) for e in audit] == [("customer", "profile")]
    assert [a["_id"] for a in customers.in_name_block(stored["name_blocks"][0], 10)] == ["cus_1"]
    assert sorted(e["_id"] for e in db.of("profile").timeline.find()) == ["tl_1", "tl_2"]
    assert customers.facts_of("cus_1") == [fact]


def test_a_key_someone_holds_stops_the_opening_before_the_archive(customers, db):
    db.of("profile").customer_keys.insert_one({"_id": "email:jane@acme.de", "customer_id": "cus_rival"})
    assert customers.open(archive_of(), KEYS, [entry(1)], []) is None
    assert customers.get("cus_1") is None
    assert db.of("profile").audit.count_documents({}) == 0
    assert db.of("profile").timeline.count_documents({}) == 0
    # the step-by-step path takes it from there, as a filing does
    assert customers.claim_keys(KEYS, "cus_1") == {"company": "cus_1", "email": "cus_rival"}


def test_an_archive_opened_before_is_not_written_again(customers, db):
    assert customers.open(archive_of(), KEYS, [entry(1)], []) is not None
    assert customers.open(archive_of(), {}, [entry(1)], []) is None  # a redelivery: the archive is there
    assert db.of("profile").audit.count_documents({}) == 1


def test_a_change_goes_in_with_its_audit_and_timeline_entries_in_one_command(customers, db, sent):
    before = customers.open(archive_of(), KEYS, [], [])
    assert before is not None
    owned = {**before, "owner_id": "alice", "pool_state": "owned"}
    assigned = owner_assigned("cus_1", "alice", "sales", "allocated", NOW, "alloc_1")
    sent.commands.clear()
    assert customers.replace(owned, before, [assigned]) is True
    assert sent.commands == ["bulkWrite"]
    after = customers.get("cus_1")
    assert (after["owner_id"], after["version"]) == ("alice", 2)
    assert db.of("profile").timeline.find_one({"_id": assigned["_id"]}) == assigned
    changes = [e["changes"] for e in db.of("profile").audit.find({"resource_id": "cus_1"}).sort("at", 1)]
    assert changes[-1]["owner_id"] == {"before": None, "after": "alice"}

    # written over a version another writer moved on: nothing of it stays but the entry of its cause
    lost = {**before, "owner_id": "bob", "pool_state": "owned"}
    again = owner_assigned("cus_1", "alice", "sales", "allocated", NOW, "alloc_1")
    assert customers.replace(lost, before, [again]) is False
    assert customers.get("cus_1")["owner_id"] == "alice"
    assert db.of("profile").audit.count_documents({"resource_id": "cus_1"}) == len(changes)
    assert db.of("profile").timeline.count_documents({"_id": assigned["_id"]}) == 1


def test_the_report_totals_of_one_change_are_written_in_one_command_and_a_lost_one_is_named(customers, sent):
    customers.add_report_totals({"_id": "demand|2026-05|0", "entries": {"cus_1": 1}})
    stale = customers.report_totals("demand|2026-05|0")
    customers.replace_report_totals({**stale, "entries": {"cus_1": 2}}, stale)  # another writer, since
    fresh = customers.report_totals("demand|2026-05|0")
    customers.add_report_totals({"_id": "demand|2026-05|1", "entries": {}})
    kept = customers.report_totals("demand|2026-05|1")

    sent.commands.clear()
    lost = customers.write_report_totals(
        [
            ({**stale, "entries": {"cus_1": 3}}, stale),
            ({**kept, "entries": {"cus_2": 1}}, kept),
            ({"_id": "conversion|2026-05|0", "entries": {"cus_1": 1}}, None),
        ]
    )
    assert sent.commands == ["bulkWrite"]
    assert lost == ["demand|2026-05|0"]
    assert customers.report_totals("demand|2026-05|0") == fresh
    assert customers.report_totals("demand|2026-05|1")["entries"] == {"cus_2": 1}
    assert customers.report_totals("conversion|2026-05|0")["version"] == 0

    # a first totals another writer added meanwhile: every id is answered, to be read again
    taken = customers.write_report_totals([({"_id": "conversion|2026-05|0", "entries": {}}, None)])
    assert taken == ["conversion|2026-05|0"]


def test_the_name_blocks_of_one_filing_are_read_in_one_command(customers, db, sent):
    """A typed name is looked for in its own block and in those a slip would have put it in: every
    block is read in one aggregation (a ``$unionWith`` per block), each to its own limit, archives
    indexed before terms carried the name read in one more query. The aggregation starts from an
    empty collection: the embedded store counts the one an aggregation starts from, and the terms
    are millions at scale."""
    terms = db.of("profile").customer_terms
    terms.insert_many(
        [
            *(
                {"_id": f"name_blocks:DE:acme|cus_{n}", "term": "name_blocks:DE:acme", "customer_id": f"cus_{n}"}
                | {"company": f"Acme {n}", "words": ["acme", str(n)]}
                for n in range(5)
            ),
            {"_id": "name_blocks:DE:amce|cus_9", "term": "name_blocks:DE:amce", "customer_id": "cus_9"},
            {"_id": "name_blocks:DE:other|cus_8", "term": "name_blocks:DE:other", "customer_id": "cus_8"},
        ]
    )
    db.of("profile").customers.insert_one({"_id": "cus_9", "company": "Amce Tools"})
    sent.commands.clear()
    found = customers.in_name_blocks(["DE:acme", "DE:amce", "DE:nobody"], 3)
    assert sent.commands == ["aggregate", "find"]  # one for three blocks, one for the archive unnamed in its term
    # only stages the embedded store runs in SQL (a $project would run it in Python over every term)
    [pipeline] = sent.pipelines
    stages = [name for stage in pipeline for name in stage]
    stages += [
        name for stage in pipeline if "$unionWith" in stage for s in stage["$unionWith"]["pipeline"] for name in s
    ]
    assert set(stages) == {"$match", "$limit", "$unionWith"}
    assert sent.aggregated == ["union_base"] and db.of("profile").union_base.count_documents({}) == 0
    assert len(found["DE:acme"]) == 3 and all(a["_id"].startswith("cus_") for a in found["DE:acme"])
    assert found["DE:amce"] == [{"_id": "cus_9", "company": "Amce Tools"}]
    assert found["DE:nobody"] == []
    sent.commands.clear()
    assert customers.in_name_blocks([], 3) == {} and sent.commands == []
    found = customers.in_name_blocks(["DE:acme", "DE:other", "DE:acme"], 10)
    assert sorted(found) == ["DE:acme", "DE:other"] and len(found["DE:acme"]) == 5
