"""How a page's total is asked for (services.runtime.queries): the query spelled so the embedded
store counts it from an index, meaning the same on any MongoDB."""

from datetime import UTC, datetime

from services.runtime.document_store import _countable

AT = datetime(2026, 5, 1, tzinfo=UTC)


def test_equalities_become_eq_under_one_and():
    assert _countable({"owner_id": "alice", "state": "owned"}) == {
        "$and": [{"owner_id": {"$eq": "alice"}}, {"state": {"$eq": "owned"}}]
    }
    assert _countable({"user_id": "alice"}) == {"user_id": {"$eq": "alice"}}
    assert _countable({"n": 3}) == {"n": {"$eq": 3}}


def test_in_becomes_an_or_of_equalities_except_on_ids_however_long():
    assert _countable({"user_id": "alice", "status": {"$in": ["pending", "fired"]}}) == {
        "$and": [{"user_id": {"$eq": "alice"}}, {"$or": [{"status": "pending"}, {"status": "fired"}]}]
    }
    assert _countable({"_id": {"$in": ["a", "b"]}}) == {"_id": {"$in": ["a", "b"]}}
    many = [f"s{n}" for n in range(21)]
    assert _countable({"state": {"$in": many}}) == {"$or": [{"state": value} for value in many]}


def test_an_empty_in_matches_nothing_and_an_empty_query_everything():
    assert _countable({"owner_id": "alice", "_id": {"$in": []}}) is None
    assert _countable({"$or": [{"_id": {"$in": []}}, {"owner_id": "bob"}]}) == {"$or": [{"owner_id": {"$eq": "bob"}}]}
    assert _countable({"$and": [{"_id": {"$in": []}}, {"owner_id": "bob"}]}) is None
    assert _countable({}) == {"_id": {"$exists": True}}


def test_what_it_does_not_know_is_kept_as_written():
    query = {
        "at": {"$gte": AT},
        "passed": True,
        "team": None,
        "inquiry.channel": "email",
        "reason": {"$gte": "released", "$lt": "released\uffff"},
    }
    assert _countable(query) == {"$and": [{field: value} for field, value in query.items()]}


def test_or_beside_other_fields_is_kept_apart_and_spelled_inside():
    assert _countable({"owner_id": "alice", "$or": [{"state": "owned"}, {"team": {"$in": ["east", None]}}]}) == {
        "$and": [
            {"owner_id": {"$eq": "alice"}},
            {"$or": [{"state": {"$eq": "owned"}}, {"$or": [{"team": "east"}, {"team": None}]}]},
        ]
    }


def test_a_find_spells_its_top_level_equalities_with_eq_and_keeps_the_rest():
    from services.runtime.document_store import equalities_spelled

    assert equalities_spelled({"state": "owned", "n": 3, "tags": {"$in": ["DE"]}, "passed": True, "team": None}) == {
        "state": {"$eq": "owned"},
        "n": {"$eq": 3},
        "tags": {"$in": ["DE"]},
        "passed": True,
        "team": None,
    }
    assert equalities_spelled({"$or": [{"a": "b"}]}) == {"$or": [{"a": "b"}]}
