"""Pagination shared by every list call: the same query fields and the same page envelope."""
from marshmallow import Schema, fields, validate

from contracts.base import OutputSchema

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageQuerySchema(Schema):
    limit = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(1, MAX_PAGE_SIZE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


def page_schema(item_schema_cls):
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
