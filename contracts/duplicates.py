"""Possible duplicates as pairs (疑似重复客户): listed for managers, merged or kept apart."""

from marshmallow import RAISE, Schema, fields, validate

from contracts.access import acting_user_field
from contracts.base import OutputSchema
from contracts.ownership import POOL_STATES
from contracts.paging import ExportQuerySchema, PageQuerySchema, page_schema

NOTE = validate.Length(max=2000)
SHARED_KINDS = ("code", "email", "phone", "domain", "company")


class DuplicateQuerySchema(PageQuerySchema):
    """Which open pairs: a page of them, the most recently flagged first."""

    class Meta:
        unknown = RAISE


class DuplicateExportQuerySchema(DuplicateQuerySchema, ExportQuerySchema):
    """The open pairs, and optionally a file format (every open pair)."""


class PairSideSchema(OutputSchema):
    """One archive of a pair: enough to tell the two companies apart."""

    customer_id = fields.String(required=True)
    company = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    country_code = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    owner_id = fields.String(allow_none=True, metadata={"description": "null: nobody's (in a pool)."})
    pool_state = fields.String(allow_none=True, validate=validate.OneOf(POOL_STATES))
    created_at = fields.DateTime(allow_none=True)


class DuplicatePairSchema(OutputSchema):
    """Two archives matching took for one company, waiting for a person: merge, or keep apart."""

    id = fields.String(required=True, metadata={"description": "The pair's id, the same whichever side is named."})
    flagged_at = fields.DateTime(required=True, metadata={"description": "When matching first flagged the pair."})
    customer = fields.Nested(
        PairSideSchema, required=True, metadata={"description": "The archive carrying the flag (the newer one)."}
    )
    other = fields.Nested(PairSideSchema, required=True, metadata={"description": "The archive it may duplicate."})
    shared = fields.List(
        fields.String(validate=validate.OneOf(SHARED_KINDS)),
        required=True,
        metadata={
            "description": "The kinds of matching key both have, strongest first (code, email, phone, domain, "
            "company); empty when only their names are alike."
        },
    )


DuplicatePageSchema = page_schema(DuplicatePairSchema)


class KeepApartSchema(Schema):
    """Two archives are different companies: neither is flagged with the other again."""

    class Meta:
        unknown = RAISE

    other = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "The archive this one is kept apart from."},
    )
    note = fields.String(
        load_default=None, allow_none=True, validate=NOTE, metadata={"description": "Why they are different."}
    )
    by = acting_user_field("Who decides")


class KeptApartSchema(OutputSchema):
    """Two archives a person kept apart: remembered, so matching never flags them again."""

    customer_id = fields.String(required=True)
    other_id = fields.String(required=True)
    by = fields.String(required=True)
    note = fields.String(allow_none=True)
    at = fields.DateTime(required=True, metadata={"description": "When it was first decided."})
