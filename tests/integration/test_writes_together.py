"""Writes sent together (services.runtime.document_store.Together) against the real document server:
one command across collections, in order, stopping at the first failure, guarded writes answered."""

import pytest
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from services.runtime.document_store import Together


@pytest.fixture
def client(mongo_uri):
    with MongoClient(mongo_uri, tz_aware=True) as client:
        yield client


@pytest.fixture
def db(client):
    return client.get_default_database()


def test_writes_of_one_change_land_in_every_collection(db):
    db.things.insert_one({"_id": "a", "version": 1, "n": 1})
    answered = (
        Together()
        .guarded_replace(db.things, {"_id": "a", "n": 2}, {"_id": "a", "version": 1})
        .insert(db.audit, {"_id": "e1", "what": "n"})
        .insert_all(db.timeline, [{"_id": "t1"}, {"_id": "t2"}])
        .send()
    )
    assert answered == [True]
    assert db.things.find_one({"_id": "a"}) == {"_id": "a", "n": 2, "version": 2}
    assert [e["_id"] for e in db.audit.find()] == ["e1"]
    assert sorted(e["_id"] for e in db.timeline.find()) == ["t1", "t2"]


def test_a_guarded_write_that_lost_is_answered_false(db):
    db.things.insert_one({"_id": "a", "version": 3})
    assert Together().guarded_replace(db.things, {"_id": "a", "n": 9}, {"_id": "a", "version": 2}).send() == [False]
    assert db.things.find_one({"_id": "a"}) == {"_id": "a", "version": 3}


def test_a_duplicate_first_write_stops_the_rest(db):
    db.things.insert_one({"_id": "a"})
    together = Together().insert(db.things, {"_id": "a"}).insert(db.audit, {"_id": "e1"})
    with pytest.raises(DuplicateKeyError):
        together.send()
    assert db.audit.count_documents({}) == 0


def test_writes_to_two_databases_are_refused(db, client):
    with pytest.raises(ValueError):
        Together().insert(db.things, {"_id": "x"}).insert(client["another"].audit, {"_id": "y"})


def test_writes_together_lose_no_concurrent_update(db):
    """Run through the service's own database, the command is served in turn with that database's
    other commands: guarded replaces sent together and single increments of one document at once
    all land (sent through ``admin``, nx-27017 ran them side by side and lost updates)."""
    from concurrent.futures import ThreadPoolExecutor

    db.counters.insert_one({"_id": "c", "version": 0, "n": 0, "m": 0})

    def together(_):
        for _attempt in range(500):
            doc = db.counters.find_one({"_id": "c"})
            after = {**doc, "m": doc["m"] + 1}
            if Together().guarded_replace(db.counters, after, doc).send() == [True]:
                return

    def single(_):
        db.counters.update_one({"_id": "c"}, {"$inc": {"n": 1, "version": 1}})

    with ThreadPoolExecutor(8) as threads:
        list(threads.map(lambda i: together(i) if i % 2 else single(i), range(200)))
    stored = db.counters.find_one({"_id": "c"})
    assert (stored["n"], stored["m"]) == (100, 100)


def test_nothing_added_sends_nothing():
    assert Together().send() == []
