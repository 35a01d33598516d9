"""Loading what a caller sent (a list query or a request body) with its contract schema, so every
service refuses bad input alike: ``InvalidInput`` naming each field; and the page every list call
answers, with its total counted from the indexes (``count``)."""

from marshmallow import ValidationError

from contracts.errors import InvalidInput


def load_input(schema_cls, data, what="query"):
    try:
        return schema_cls().load(data or {})
    except ValidationError as exc:
        raise InvalidInput.from_messages(exc.messages, what=what) from exc


def page_of(items, total, query):
    """The page envelope every list call returns."""
    return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}


def count(collection, query):
    """How many documents of ``collection`` match ``query``: a page's total, served by the indexes.

    Not ``count_documents``: pymongo sends it as an aggregation, which nx-27017 runs in Python over
    every document of the collection. This sends the ``count`` command instead, which it answers
    with one SQL ``COUNT`` — and spells the query the way its translator keeps index-backed, with
    the same meaning on any MongoDB (where ``count`` with a query is an index count too):

    - equality on a string or number becomes ``{"$eq": value}`` (plain equality is translated with
      an array fallback that keeps SQLite off the field's index);
    - ``{"$in": [...]}`` becomes an ``$or`` of equalities (it has no SQL translation for ``$in``
      but on ``_id``, so the whole query would be counted in Python), arrays matched as before;
    - several conditions are joined under one ``$and`` (a top-level ``$or`` beside other fields
      is translated without parentheses, and would count what matches either side);
    - an empty ``$in`` matches nothing: 0 without a query.

    Fields compared by equality hold single values, as everywhere in the stores (an array field is
    matched with ``$in``; the embedded store's index on it matches nothing on equality anyway).
    """
    spelled = _countable(query or {})
    if spelled is None:
        return 0
    return collection.database.command("count", collection.name, query=spelled)["n"]


_IN_AS_OR_AT_MOST = 20  # longer lists stay ``$in`` (a long OR chain is no cheaper)


def _countable(query):
    """``query`` spelled for ``count`` (above); None when it can match nothing."""
    clauses = []
    for field, condition in query.items():
        if field in ("$and", "$or"):
            parts = [_countable(part) for part in condition]
            if field == "$and" and None in parts:
                return None
            parts = [part for part in parts if part is not None]
            if not parts:
                return None
            clauses.append({field: parts})
        elif field.startswith("$") or "." in field:
            clauses.append({field: condition})
        elif isinstance(condition, (str, int, float)) and not isinstance(condition, bool):
            clauses.append({field: {"$eq": condition}})
        elif isinstance(condition, dict) and list(condition) == ["$in"]:
            values = list(condition["$in"])
            if not values:
                return None
            if field == "_id" or len(values) > _IN_AS_OR_AT_MOST:
                clauses.append({field: {"$in": values}})
            else:
                clauses.append({"$or": [{field: value} for value in values]})
        else:
            clauses.append({field: condition})
    if not clauses:
        return {"_id": {"$exists": True}}  # every document, counted on the _id index (not metadata)
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
