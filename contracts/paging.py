"""Pagination shared by every list call: the same query fields and the same page envelope."""

from collections.abc import Sequence

from marshmallow import Schema, fields, validate

from contracts.base import OutputSchema

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# The largest integer the document store keeps (64 bits): an offset beyond it is refused, not a crash.
INT64_MAX = 2**63 - 1


class PageQuerySchema(Schema):
    limit = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(1, MAX_PAGE_SIZE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=INT64_MAX))


EXPORT_FORMATS = ("csv", "xlsx")


class ExportQuerySchema(Schema):
    """Asks for a list or report as a file instead of JSON (the gateway writes it, never a service)."""

    format = fields.String(
        validate=validate.OneOf(EXPORT_FORMATS),
        metadata={
            "description": "csv (UTF-8 with a byte-order mark) or xlsx (a sheet per table): every row as a file, "
            "people's names beside their ids (limit and offset do not apply); default: JSON."
        },
    )


def sort_field(allowed: Sequence[str], default: str) -> fields.String:
    """A list's ``sort``: one of ``allowed``, newest/largest first with a leading '-' (the default
    ``default``)."""
    choices = [*allowed, *(f"-{name}" for name in allowed)]
    return fields.String(
        load_default=default,
        validate=validate.OneOf(choices),
        metadata={
            "description": f"Sort by one of {', '.join(allowed)}; a leading '-' for descending (default {default})."
        },
    )


def sort_spec(sort: str) -> tuple[str, int]:
    """(field, direction) for pymongo from a loaded ``sort`` value: -1 descending, 1 ascending."""
    return (sort[1:], -1) if sort.startswith("-") else (sort, 1)


def page_schema(item_schema_cls: type[Schema]) -> type[Schema]:
    """The envelope of a list result: ``{"items": [...], "total": n, "limit": l, "offset": o}``."""
    return OutputSchema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema_cls)),
            "total": fields.Integer(),
            "limit": fields.Integer(),
            "offset": fields.Integer(),
        },
        name=f"{item_schema_cls.__name__.removesuffix('Schema')}PageSchema",
    )
