"""Stored-data upgrades on the real document store: a fresh collection starts at the latest version,
data from before is brought up batch by batch, a run stopped half way resumes at its cursor, and
two instances never run one batch twice."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import MongoClient

from services.runtime.upgrades import LEASE_SECONDS, SchemaVersions, Upgrade, next_upgrade, versions_answer, work_off


class Documents:
    """A service whose upgrade marks its ``things`` one batch at a time, counting each document it sees."""

    def __init__(self, database, fail_after=None):
        self.things, self.seen, self.fail_after = database["things"], [], fail_after

    def mark(self, after, limit):
        batch = list(self.things.find({"_id": {"$gt": after}} if after else {}).sort("_id", 1).limit(limit))
        for thing in batch:
            if self.fail_after is not None and len(self.seen) >= self.fail_after:
                raise RuntimeError("the store went away")
            self.seen.append(thing["_id"])
            self.things.replace_one({"_id": thing["_id"]}, {**thing, "marked": True})
        return batch[-1]["_id"] if len(batch) == limit else None


UPGRADES = (Upgrade("things", 2, "mark every thing", lambda service, after, limit: service.mark(after, limit)),)


@pytest.fixture
def database(mongo_uri):
    client = MongoClient(mongo_uri, tz_aware=True)
    yield client.get_default_database()
    client.close()


def test_a_fresh_collection_starts_at_the_latest_version(database):
    store = SchemaVersions(database, UPGRADES)
    store.ensure_indexes()
    assert versions_answer(store, UPGRADES) == [{"collection": "things", "version": 2, "latest": 2, "pending": []}]
    assert work_off(Documents(database), store, UPGRADES) == 0


def test_data_from_before_is_upgraded_in_batches_and_a_stopped_run_resumes(database):
    database["things"].insert_many([{"_id": f"t{i:03d}"} for i in range(25)])
    store = SchemaVersions(database, UPGRADES)
    store.ensure_indexes()
    assert versions_answer(store, UPGRADES)[0]["pending"] == ["mark every thing"]

    failing = Documents(database, fail_after=12)
    with pytest.raises(RuntimeError):
        work_off(failing, store, UPGRADES, batch_size=10)
    assert store.versions()["things"]["after"] == "t009" and store.versions()["things"]["busy_until"] is None

    resumed = Documents(database)
    assert work_off(resumed, store, UPGRADES, batch_size=10) == 2
    assert resumed.seen[0] == "t010" and resumed.seen[-1] == "t024"
    assert database["things"].count_documents({"marked": True}) == 25
    assert store.versions()["things"]["version"] == 2 and next_upgrade(UPGRADES, {"things": 2}) is None


def test_two_instances_take_turns_and_see_each_document_once(database):
    database["things"].insert_many([{"_id": f"t{i:03d}"} for i in range(60)])
    SchemaVersions(database, UPGRADES).ensure_indexes()
    instances = [Documents(database) for _ in range(2)]
    threads = [
        threading.Thread(target=work_off, args=(i, SchemaVersions(database, UPGRADES), UPGRADES, 5)) for i in instances
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seen = instances[0].seen + instances[1].seen
    assert sorted(seen) == [f"t{i:03d}" for i in range(60)]  # each once, none twice


def test_a_lease_left_by_a_dead_instance_is_taken_over_once_it_runs_out(database):
    database["things"].insert_one({"_id": "t1"})
    store = SchemaVersions(database, UPGRADES)
    store.ensure_indexes()
    now = datetime.now(UTC)
    assert store.take("things", now) is not None  # and then it died
    assert store.take("things", now + timedelta(seconds=1)) is None
    assert work_off(Documents(database), store, UPGRADES, now=lambda: now + timedelta(seconds=LEASE_SECONDS + 1)) == 1
    assert store.versions()["things"]["version"] == 2
