"""A page's total (``services.runtime.queries.count``) on the document server: the same number the
page's own query finds, for every shape of query the stores count — equality, ``$in`` (arrays and
null among its values), ranges on strings and datetimes, booleans, nested fields, ``$or`` beside
other conditions, ``_id`` lists — sent as one ``count`` command, never as an aggregation."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import MongoClient, monitoring

from services.runtime.document_store import count

T0 = datetime(2026, 5, 1, tzinfo=UTC)
CUT = T0 + timedelta(days=4)


@pytest.fixture
def things(db):
    collection = db.things
    for field in ("owner_id", "state", "tags", "at", "team", "to_users"):
        collection.create_index([(field, 1)])
    collection.create_index([("owner_id", 1), ("state", 1)])
    rng = random.Random(5)
    docs = []
    for n in range(300):
        doc = {
            "_id": f"d{n:04d}",
            "owner_id": rng.choice(["alice", "bob", "li.wei"]),
            "state": rng.choice(["owned", "public_pool", "dormant"]),
            "at": T0 + timedelta(seconds=rng.randrange(0, 86400 * 10)),
            "passed": rng.random() < 0.5,
            "inquiry": {"channel": rng.choice(["website_form", "email"])},
            "n": rng.randrange(5),
            "to_users": rng.sample(["sam", "mia", "alice"], rng.randrange(1, 3)),
            "reason": rng.choice(["allocated", "released: too far", "recycled", "nobody eligible"]),
        }
        draw = rng.random()
        if draw < 0.3:
            doc["tags"] = rng.sample(["DE", "vip", "FR"], rng.randrange(0, 3))
        elif draw < 0.5:
            doc["tags"] = None
        draw = rng.random()
        if draw < 0.7:
            doc["team"] = rng.choice(["default", "east"])
        elif draw < 0.85:
            doc["team"] = None  # else: no team field at all
        docs.append(doc)
    collection.insert_many(docs)
    return collection


QUERIES = [
    {},
    {"owner_id": "alice"},
    {"owner_id": "alice", "state": "owned"},
    {"state": {"$in": ["owned", "dormant"]}},
    {"owner_id": "bob", "state": {"$in": ["owned"]}},
    {"tags": {"$in": ["DE"]}},
    {"tags": {"$in": ["DE", "vip"]}, "owner_id": "alice"},
    {"team": {"$in": ["default", None]}},
    {"team": None},
    {"to_users": {"$in": ["sam"]}},
    {"at": {"$lt": CUT}},
    {"owner_id": "alice", "at": {"$gte": CUT, "$lt": CUT + timedelta(days=2)}},
    {"passed": True},
    {"passed": False, "owner_id": "bob"},
    {"inquiry.channel": "email"},
    {"n": 3},
    {"n": {"$in": [0, 4]}},
    {"reason": {"$gte": "released", "$lt": "released\uffff"}, "state": "owned"},
    {
        "$and": [
            {"owner_id": "alice"},
            {
                "$or": [
                    {"state": "owned"},
                    {"_id": {"$in": ["d0001", "d0002", "d0003"]}},
                    {"state": {"$in": ["dormant"]}, "team": {"$in": ["east", None]}},
                ]
            },
        ]
    },
    {"owner_id": "alice", "$or": [{"state": "owned"}, {"n": 2}]},
    {"_id": {"$in": ["d0001", "d0005", "nope"]}},
    {"_id": {"$in": []}},
    {"owner_id": {"$in": []}},
    {"owner_id": "alice", "state": "dormant", "to_users": {"$in": ["mia"]}},
    {"state": {"$in": [f"state_{n}" for n in range(30)] + ["owned"]}},
    {"owner_id": "nobody", "state": "owned"},
]


@pytest.mark.parametrize("query", QUERIES, ids=[str(q)[:60] for q in QUERIES])
def test_a_total_is_what_the_page_query_finds(things, query):
    assert count(things, query) == len(list(things.find(query)))


def test_an_unknown_collection_counts_nothing(db):
    assert count(db.never_written, {"owner_id": "alice"}) == 0


class Commands(monitoring.CommandListener):
    def __init__(self):
        self.names = []

    def started(self, event):
        if event.command_name != "endSessions":  # the client closing
            self.names.append(event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def test_a_total_is_one_count_command_not_an_aggregation(things, mongo_uri):
    commands = Commands()
    client = MongoClient(mongo_uri, tz_aware=True, event_listeners=[commands])
    try:
        assert count(client.get_default_database().things, {"owner_id": "alice", "state": {"$in": ["owned"]}}) > 0
        assert count(client.get_default_database().things, {"_id": {"$in": []}}) == 0  # nothing asked
    finally:
        client.close()
    assert commands.names == ["count"]
