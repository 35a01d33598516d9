"""Loading what a caller sent (a list query or a request body) with its contract schema, so every
service refuses bad input alike: ``InvalidInput`` naming each field; and the page every list call
answers (its total counted by ``document_store.count``)."""

from typing import Any

from marshmallow import Schema, ValidationError

from contracts.errors import InvalidInput


def load_input(schema_cls: type[Schema], data: Any, what: str = "query") -> Any:
    try:
        return schema_cls().load(data or {})
    except ValidationError as exc:
        raise InvalidInput.from_messages(exc.messages, what=what) from exc


def page_of(items: list[Any], total: int, query: dict[str, Any]) -> dict[str, Any]:
    """The page envelope every list call returns."""
    return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}
