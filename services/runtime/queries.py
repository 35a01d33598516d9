"""Loading a list call's query with its contract schema, so every service refuses bad filters alike."""
from marshmallow import ValidationError

from contracts.errors import InvalidInput


def load_query(schema_cls, query):
    try:
        return schema_cls().load(query or {})
    except ValidationError as exc:
        raise InvalidInput.from_messages(exc.messages, what="query") from exc


def page_of(items, total, query):
    """The page envelope every list call returns."""
    return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}
