"""File imports from the console: a CSV or XLSX export read under a column mapping
(deploy/import_mappings), each row the item of POST /inquiries/batch it becomes."""

from marshmallow import RAISE, Schema, fields, validate

from contracts.base import OutputSchema

IMPORT_FILE_TYPES = (".csv", ".xlsx")


class ImportMappingSchema(OutputSchema):
    name = fields.String(required=True, metadata={"description": "alibaba, made_in_china, trade_show …"})
    channel = fields.String(required=True, metadata={"description": "The channel its rows' inquiries come from."})
    columns = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "A file's column header -> the inquiry field it fills (contact.email …)."},
    )
    time_zone = fields.String(
        allow_none=True, load_default=None, metadata={"description": "Whose clock the file's times are on."}
    )


class ImportMappingListSchema(OutputSchema):
    mappings = fields.List(fields.Nested(ImportMappingSchema), required=True)


class ImportReadRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    file_name = fields.String(
        required=True,
        validate=[
            validate.Length(min=5, max=255),
            validate.Regexp(
                r"^.*\.([Cc][Ss][Vv]|[Xx][Ll][Ss][Xx])\Z", error="Only .csv and .xlsx files can be imported."
            ),
        ],
        metadata={"description": "The file's name; its ending says how it is read."},
    )
    content = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "The file's bytes, base64 (within BATON.limits.max_string_chars)."},
    )
    mapping = fields.String(required=True, validate=validate.Length(min=1, max=100))
    into_pool = fields.Boolean(
        load_default=False,
        metadata={"description": "The customers the rows open wait in the public pool, unallocated (a backlog)."},
    )


class ImportColumnSchema(OutputSchema):
    column = fields.String(required=True, metadata={"description": "A header of the file."})
    target = fields.String(
        allow_none=True, required=True, metadata={"description": "The inquiry field it fills; null: not imported."}
    )


class ImportItemSchema(OutputSchema):
    row = fields.Integer(
        required=True,
        metadata={"description": "Its number: the first row after the headers is 2; empty rows are skipped."},
    )
    message_id = fields.String(required=True, metadata={"description": "Its key: the row's content."})
    inquiry = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        required=True,
        metadata={"description": "The canonical inquiry the row becomes."},
    )


class ImportReadingSchema(OutputSchema):
    file_name = fields.String(required=True)
    mapping = fields.String(required=True)
    channel = fields.String(required=True)
    columns = fields.List(fields.Nested(ImportColumnSchema), required=True)
    missing = fields.List(
        fields.String(), required=True, metadata={"description": "Fields the mapping fills that no column has."}
    )
    total = fields.Integer(required=True, metadata={"description": "Rows to import (empty rows are skipped)."})
    items = fields.List(
        fields.Nested(ImportItemSchema),
        required=True,
        metadata={"description": "Each row as an item of POST /inquiries/batch, in file order."},
    )
