"""handoff's and notification's stores on the document server: the measures and the outboxes' waiting
events range over epoch seconds the store writes (and upgrades give documents from before them), every guarded write moves the
version itself (the domain never does), the quality audit's collections are moved to their new
names, and inbox entries from before they had a version are still marked read."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from pymongo import MongoClient

from services.handoff.domain import outbox as events
from services.handoff.domain.quality_audit import QualityAuditPolicy, new_schedule
from services.handoff.service import HandoffService
from services.handoff.store import Handoffs
from services.notification.store import Outbox
from services.runtime.upgrades import SchemaVersions, versions_answer, work_off
from tests.databases import FindFilters, ServiceDatabases

NOW = datetime(2026, 3, 2, 9, 0, 0, 250_000, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture
def handoffs(db):
    store = Handoffs(db.of("handoff"))
    store.ensure_indexes()
    return store


@pytest.fixture
def outbox(db):
    store = Outbox(db.of("notification"))
    store.ensure_indexes()
    return store


def handoff(n, submitted_at, kind="marketing_to_sales"):
    """A submitted handoff with what the measures read of it (its month's totals are kept as it is written)."""
    return {
        "_id": f"hof_{n}",
        "kind": kind,
        "customer_id": f"cus_{n}",
        "submitted_at": submitted_at,
        "version": 0,
        "from_user": "mia",
        "to_users": ["sam"],
        "from_department": "marketing",
        "to_departments": ["sales"],
        "ready_at": None,
        "accepted_at": None,
        "state": "submitted",
        "returns": [],
        "history": [],
    }


def test_handoffs_and_refusals_are_measured_over_whole_seconds_closed_at_both_ends(handoffs):
    moments = (NOW - SECOND, NOW, NOW + timedelta(milliseconds=600), NOW + SECOND)  # the middle two: one second
    for n, at in enumerate(moments):
        handoffs.add_handoff(handoff(n, at))
        handoffs.add_refusal({"_id": f"ref_{n}", "kind": "marketing_to_sales", "at": at})
    handoffs.add_handoff(handoff(9, NOW, kind="repair_case"))
    assert handoffs.handoffs.find_one({"_id": "hof_1"})["submitted_epoch"] == int(NOW.timestamp())
    assert sorted(d["_id"] for d in handoffs.submitted_between(NOW, NOW, "marketing_to_sales")) == ["hof_1", "hof_2"]
    assert len(handoffs.submitted_between(NOW - SECOND, NOW + SECOND)) == 5
    assert sorted(d["_id"] for d in handoffs.refused_between(NOW, NOW + SECOND)) == ["ref_1", "ref_2", "ref_3"]


def waiting(doc, since):
    """``doc`` with an event in its outbox, added at ``since`` (as a change leaves it)."""
    return events.added({**events.empty(), **doc}, "something_happened", {"n": 1}, since)


def test_events_left_in_any_outbox_are_found_once_older_than_the_cutoff_and_not_once_cleared(handoffs):
    stored, _ = handoffs.add_handoff(waiting(handoff(1, NOW), NOW))
    handoffs.add_handoff({**handoff(2, NOW), **events.empty()})  # nothing to publish
    handoffs.add_register(waiting({"_id": "cus_1", "fields": {}}, NOW - SECOND))
    handoffs.add_leaver(waiting({"_id": "lee", "waits_for_customers": False}, NOW - SECOND))
    handoffs.start_step(waiting({"_id": "cus_1:install", "customer_id": "cus_1", "step": "install"}, NOW))
    assert stored["outbox_epoch"] == int(NOW.timestamp())
    assert handoffs.with_unpublished(NOW - SECOND, 10) == [("registers", "cus_1"), ("leavers", "lee")]
    assert sorted(handoffs.with_unpublished(NOW, 10)) == [
        ("handoffs", "hof_1"),
        ("leavers", "lee"),
        ("registers", "cus_1"),
        ("steps", "cus_1:install"),
    ]
    for collection, document_id in handoffs.with_unpublished(NOW + SECOND, 10):
        handoffs.change_in(collection, document_id, lambda doc: events.cleared(doc, [f"{doc['_id']}:1"]))
    assert handoffs.with_unpublished(NOW + SECOND, 10) == []
    assert "outbox_epoch" not in handoffs.handoff("hof_1")


def test_the_announcing_timer_asks_for_an_integer_range_an_index_serves(mongo_uri):
    finds = FindFilters()
    client = MongoClient(mongo_uri, tz_aware=True, event_listeners=[finds])
    try:
        store = Handoffs(ServiceDatabases(client, mongo_uri).of("handoff"))
        store.registers.create_index([("outbox_since", 1)])  # as a release before made it
        store.ensure_indexes()
        store.with_unpublished(NOW, 10)
        assert finds.filters == [{"outbox_epoch": {"$lte": int(NOW.timestamp())}}] * 4
        for collection in (store.handoffs, store.registers, store.leavers, store.steps):
            keys = [index["key"] for index in collection.index_information().values()]
            assert [("outbox_epoch", 1)] in keys and [("outbox_since", 1)] not in keys
    finally:
        client.close()


def test_the_upgrade_keys_outboxes_left_before_the_key(handoffs):
    handoffs.handoffs.insert_many([waiting(handoff(n, NOW), NOW) for n in range(3)])
    handoffs.registers.insert_one(waiting({"_id": "cus_1", "fields": {}}, NOW))
    handoffs.registers.insert_one({"_id": "cus_2", "fields": {}, **events.empty()})
    assert handoffs.with_unpublished(NOW + SECOND, 10) == []  # not keyed yet
    after = None
    while (after := handoffs.key_outboxes("handoffs", after, 2)) is not None:
        pass
    assert handoffs.key_outboxes("agreed_requirements", None, 10) is None
    assert sorted(handoffs.with_unpublished(NOW + SECOND, 10)) == [
        ("handoffs", "hof_0"),
        ("handoffs", "hof_1"),
        ("handoffs", "hof_2"),
        ("registers", "cus_1"),
    ]
    assert handoffs.key_outboxes("handoffs", None, 10) is None  # run again: the same keys


def test_the_upgrade_keys_handoffs_and_refusals_stored_before_the_keys_in_batches(handoffs):
    handoffs.handoffs.insert_many([handoff(n, NOW + timedelta(minutes=n)) for n in range(5)])
    handoffs.refusals.insert_many([{"_id": f"ref_{n}", "kind": "k", "at": NOW} for n in range(3)])
    assert handoffs.submitted_between(NOW, NOW + timedelta(hours=1)) == []  # not keyed yet
    after = None
    while (after := handoffs.key_times("handoffs", after, 2)) is not None:
        pass
    assert handoffs.key_times("refused_handoffs", None, 10) is None
    assert len(handoffs.submitted_between(NOW, NOW + timedelta(hours=1))) == 5
    assert len(handoffs.refused_between(NOW, NOW)) == 3
    assert handoffs.key_times("handoffs", None, 10) is None  # run again: the same keys
    assert handoffs.handoffs.find_one({"_id": "hof_4"})["submitted_epoch"] == int(NOW.timestamp()) + 4 * 60


def test_a_change_keeps_the_key_and_the_store_moves_the_version(handoffs):
    handoffs.add_handoff(handoff(1, NOW))
    before, after = handoffs.change_handoff("hof_1", lambda doc: {**doc, "state": "accepted"})
    stored = handoffs.handoff("hof_1")
    assert (before["version"], after["version"], stored["version"]) == (0, 1, 1)
    assert stored["state"] == "accepted" and stored["submitted_epoch"] == int(NOW.timestamp())


def test_a_schedule_replaced_from_a_stale_read_is_refused(handoffs):
    policy = QualityAuditPolicy(checklist=())
    schedule = handoffs.add_schedule(new_schedule("alice", policy, NOW))
    assert handoffs.replace_schedule({**schedule, "passes_in_a_row": 1}, schedule)
    assert handoffs.schedule("alice")["version"] == 1
    assert not handoffs.replace_schedule({**schedule, "passes_in_a_row": 2}, schedule)
    assert handoffs.schedule("alice")["passes_in_a_row"] == 1


def test_quality_audits_stored_under_their_old_names_are_moved_once_and_the_old_collections_dropped(handoffs):
    old = {"_id": "bob", "next_at": NOW, "passes_in_a_row": 2, "relaxed": False, "last_audit_id": "aud_1", "version": 4}
    handoffs.old_schedules.insert_many([old, {**old, "_id": "carol"}, {**old, "_id": "dave", "last_audit_id": None}])
    handoffs.old_quality_audits.insert_many([{"_id": f"aud_{n}", "person": "bob", "at": NOW} for n in range(5)])
    # before the move reaches them: a report is found under the old name, a schedule is moved when read
    assert handoffs.quality_audit("aud_3")["person"] == "bob"
    bob = handoffs.schedule("bob")
    assert (bob["passes_in_a_row"], bob["last_quality_audit_id"], bob["version"]) == (2, "aud_1", 4)
    assert "last_audit_id" not in bob
    assert handoffs.replace_schedule({**bob, "passes_in_a_row": 3}, bob)  # moved on under the new name
    after = None
    while (after := handoffs.move_quality_audits("audits", after, 2)) is not None:
        pass
    assert handoffs.move_quality_audits("audit_schedules", None, 2) == "carol"
    assert handoffs.move_quality_audits("audit_schedules", "carol", 2) is None
    assert handoffs.move_quality_audits("audit_schedules", None, 2) is None  # run again: nothing left to move
    assert sorted(d["_id"] for d in handoffs.quality_audits.find()) == [f"aud_{n}" for n in range(5)]
    moved = {d["_id"]: d for d in handoffs.schedules.find()}
    assert moved["bob"]["passes_in_a_row"] == 3  # the copy moved on before is kept, not overwritten
    assert (moved["carol"]["last_quality_audit_id"], moved["dave"]["last_quality_audit_id"]) == ("aud_1", None)
    assert handoffs.old_schedules.count_documents({}) == 0 and handoffs.old_quality_audits.count_documents({}) == 0
    assert handoffs.quality_audit_page(limit=10, offset=0, person="bob")[1] == 5


def test_the_service_s_upgrades_move_the_quality_audits_of_an_install_from_before(db, handoffs):
    handoffs.old_quality_audits.insert_many([{"_id": f"aud_{n}", "person": "bob", "at": NOW} for n in range(3)])
    versions = SchemaVersions(db.of("handoff"), HandoffService.UPGRADES)
    versions.ensure_indexes()  # nothing in audit_schedules: nothing to move there
    assert [
        r["pending"] for r in versions_answer(versions, HandoffService.UPGRADES) if r["collection"] == "audits"
    ] == [["moved to quality_audits (then dropped)"]]
    work_off(SimpleNamespace(handoffs=handoffs), versions, HandoffService.UPGRADES, batch_size=2)
    assert all(not r["pending"] for r in versions_answer(versions, HandoffService.UPGRADES))
    assert handoffs.quality_audits.count_documents({}) == 3 and handoffs.old_quality_audits.count_documents({}) == 0


def test_an_owner_changing_transfer_is_taken_over_once_the_holder_is_closed(handoffs):
    assert handoffs.hold_transfer("cus_1", "hof_1", lambda other: True) == "hof_1"
    assert handoffs.hold_transfer("cus_1", "hof_2", lambda other: True) == "hof_1"  # still open
    assert handoffs.hold_transfer("cus_1", "hof_2", lambda other: False) == "hof_2"
    assert handoffs.transfers.find_one({"_id": "cus_1"})["version"] == 1


def test_inbox_entries_are_marked_read_under_a_version_guard_even_those_filed_without_one(outbox):
    entry = outbox.file_in_inbox({"_id": "ntf_1", "user_id": "bob", "read": False, "fired_at": NOW})
    assert entry["version"] == 0
    assert outbox.replace_inbox_entry({**entry, "read": True}, entry)
    assert not outbox.replace_inbox_entry({**entry, "read": False}, entry)  # read from before that write
    assert (outbox.inbox_entry("ntf_1")["read"], outbox.inbox_entry("ntf_1")["version"]) == (True, 1)
    outbox.inbox.insert_one({"_id": "ntf_old", "user_id": "bob", "read": False, "fired_at": NOW})
    legacy = outbox.inbox_entry("ntf_old")
    assert outbox.replace_inbox_entry({**legacy, "read": True}, legacy)
    assert (outbox.inbox_entry("ntf_old")["read"], outbox.inbox_entry("ntf_old")["version"]) == (True, 1)
    assert not outbox.replace_inbox_entry({**legacy, "read": False}, legacy)


def test_an_inbox_digest_is_saved_once_per_read(outbox):
    digest = {"_id": "grp_1", "user_id": "bob", "read": False, "items": ["ntf_1"], "fired_at": NOW}
    assert outbox.save_inbox_digest(digest, None)
    stored = outbox.inbox_entry("grp_1")
    assert stored["version"] == 0
    assert outbox.save_inbox_digest({**digest, "items": ["ntf_1", "ntf_2"]}, stored)
    assert not outbox.save_inbox_digest({**digest, "items": ["ntf_1", "ntf_3"]}, stored)
    assert outbox.inbox_entry("grp_1")["items"] == ["ntf_1", "ntf_2"]
