"""The inquiry: what every channel's lead becomes, and how a received one is recorded."""

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from contracts.base import OutputSchema
from contracts.paging import PageQuerySchema, page_schema, sort_field

INQUIRY_SCHEMA_VERSION = 1

# Keys become MongoDB field names: no "$" or "." may ever reach the store.
FIELD_KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}\Z", error="Use lower-case letters, digits and _ (max 64).")
CHANNEL_NAME = validate.Regexp(r"^[a-z0-9][a-z0-9_.-]{0,63}\Z", error="Use lower-case letters, digits, _ . - (max 64).")
EXTERNAL_ID_MAX = 200


class ContactSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(validate=validate.Length(max=200))
    title = fields.String(validate=validate.Length(max=200))
    email = fields.Email(validate=validate.Length(max=320))
    phone = fields.String(validate=validate.Length(min=3, max=50))
    whatsapp = fields.String(validate=validate.Length(max=50))
    linkedin = fields.String(validate=validate.Length(max=300))

    # The same rule for JSON Schema validators (see contracts.jsonschema).
    json_schema_extra = {"anyOf": [{"required": ["email"]}, {"required": ["phone"]}]}

    @validates_schema
    def needs_a_way_to_reach(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("email") and not data.get("phone"):
            raise ValidationError("A contact needs an email or a phone number.", field_name="email")


class InquirySchema(Schema):
    """Canonical inquiry, version 1. Unknown fields are refused so typos surface at once."""

    class Meta:
        unknown = RAISE

    schema_version = fields.Integer(required=True, strict=True, validate=validate.OneOf([INQUIRY_SCHEMA_VERSION]))
    channel = fields.String(
        required=True,
        validate=CHANNEL_NAME,
        metadata={"description": "Source channel, e.g. website_form, google_ads, trade_show."},
    )
    campaign = fields.String(validate=validate.Length(max=200))
    initial_behaviour = fields.String(
        validate=validate.Length(max=500), metadata={"description": "e.g. 'downloaded brochure', 'submitted inquiry'."}
    )
    company = fields.String(validate=validate.Length(max=300))
    contact = fields.Nested(ContactSchema, required=True)
    country = fields.String(validate=validate.Length(max=100))
    city = fields.String(validate=validate.Length(max=100))
    website = fields.String(validate=validate.Length(max=300))
    registration_code = fields.String(
        validate=validate.Length(max=64),
        metadata={
            "description": "Company registration code, e.g. a Chinese unified social credit code or an EU VAT number."
        },
    )
    message = fields.String(
        validate=validate.Length(max=20000), metadata={"description": "The need in the customer's own words."}
    )
    products = fields.List(fields.String(validate=validate.Length(max=200)), validate=validate.Length(max=50))
    occurred_at = fields.AwareDateTime(
        metadata={"description": "When the customer made the inquiry (ISO 8601 with offset)."}
    )
    custom_fields = fields.Dict(
        keys=fields.String(validate=FIELD_KEY),
        values=fields.Raw(allow_none=True),
        metadata={"description": "Values of custom fields declared by plugins."},
    )
    external_id = fields.String(
        validate=validate.Length(min=1, max=EXTERNAL_ID_MAX),
        metadata={
            "description": "The sender's own reference (its form's or system's id): kept with the inquiry and searchable "
            "(GET /inquiries?external_id=)."
        },
    )
    allocate = fields.Boolean(
        metadata={
            "description": "false: a customer this inquiry opens, or brings back from the dormant pool, waits in the "
            "public pool to be claimed instead of being allocated (an imported backlog). Default true."
        }
    )


INQUIRY_STATUSES = ("accepted", "rejected")
FILED_AS = ("created", "flagged", "merged")
LISTED_IDS_MAX = 200  # ids one GET /inquiries?ids= names (a page's most)


class InquiryRecordSchema(OutputSchema):
    """A received inquiry as intake stored it, with its outcome. Rejected ones keep the raw body."""

    id = fields.String(required=True)
    message_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(INQUIRY_STATUSES))
    via = fields.String(required=True, validate=validate.OneOf(["amqp", "http"]))
    routing_key = fields.String(allow_none=True)
    received_at = fields.AwareDateTime(required=True)
    inquiry = fields.Nested(InquirySchema, allow_none=True)
    errors = fields.Dict(
        keys=fields.String(), values=fields.Raw(), metadata={"description": "Field -> reasons, for a rejected inquiry."}
    )
    raw_body = fields.String(
        allow_none=True, metadata={"description": "The body as received, kept for a rejected inquiry."}
    )
    raw_body_complete = fields.Boolean(
        load_default=True,
        metadata={
            "description": "False when the body was over the size limit and only its start is kept (a replay leaves it rejected)."
        },
    )
    customer_id = fields.String(allow_none=True)
    country_code = fields.String(
        allow_none=True,
        dump_default=None,
        metadata={
            "description": "ISO 3166-1 alpha-2 the inquiry's country names, in any spelling; null: none given, or not "
            "recognised."
        },
    )
    submitted_by = fields.String(
        allow_none=True,
        metadata={"description": "The user whose token submitted it over HTTP; null for AMQP, which names no user."},
    )
    external_id = fields.String(
        allow_none=True,
        metadata={"description": "The sender's own reference: the inquiry's, or a rejected body's when it names one."},
    )
    filed_as = fields.String(
        allow_none=True,
        dump_default=None,
        validate=validate.OneOf(FILED_AS),
        metadata={
            "description": "What profile made of it once filed: created (it opened an archive), flagged (it opened "
            "one that may duplicate others), merged (it joined an existing archive); null before."
        },
    )


class InquiryListQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    status = fields.String(validate=validate.OneOf(INQUIRY_STATUSES))
    channel = fields.String(validate=CHANNEL_NAME)
    external_id = fields.String(validate=validate.Length(min=1, max=EXTERNAL_ID_MAX))
    ids = fields.String(
        validate=validate.Regexp(
            rf"^[A-Za-z0-9_]{{1,64}}(,[A-Za-z0-9_]{{1,64}}){{0,{LISTED_IDS_MAX - 1}}}\Z",
            error=f"Give at most {LISTED_IDS_MAX} inquiry ids, comma-separated.",
        ),
        metadata={
            "description": "Only these inquiries (comma-separated ids, at most 200): what an "
            "importer asks to learn what became of its rows."
        },
    )
    sort = sort_field(("received_at",), "-received_at")


InquiryPageSchema = page_schema(InquiryRecordSchema)


class ReplayRequestSchema(Schema):
    """Which rejected inquiries to examine again (after a fix): these ids, or the oldest ``limit``."""

    class Meta:
        unknown = RAISE

    ids = fields.List(fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=1000))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10_000))


class ReplayResultSchema(OutputSchema):
    examined = fields.Integer(required=True)
    accepted = fields.List(fields.String(), required=True, metadata={"description": "Accepted now, and announced."})
    still_rejected = fields.List(fields.String(), required=True, metadata={"description": "With their new errors."})


class SubmissionSchema(OutputSchema):
    """What a submitter gets back: the stored record's id and outcome."""

    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(INQUIRY_STATUSES))
    duplicate = fields.Boolean(required=True, metadata={"description": "True when this message id was seen before."})
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


BATCH_OUTCOMES = ("accepted", "duplicate", "rejected")


class InquiryBatchItemSchema(Schema):
    """One inquiry of a batch, with the id that makes its submission idempotent."""

    class Meta:
        unknown = RAISE

    message_id = fields.String(
        validate=validate.Length(min=1, max=EXTERNAL_ID_MAX),
        metadata={
            "description": "This item's idempotency key, as X-Message-Id is a single submission's: a message id seen "
            "before is answered duplicate and filed once. Default: the inquiry's external_id (scoped to "
            "the submitter), else one derived from its content."
        },
    )
    inquiry = fields.Dict(
        required=True,
        metadata={
            "description": "A canonical inquiry (inquiry.v1), examined on its own: a bad one is rejected and kept with "
            "its field errors, and the batch goes on."
        },
    )


class InquiryBatchSchema(Schema):
    """Up to ``BATON.intake.batch_max`` (500) inquiries in one call, each answered in order."""

    class Meta:
        unknown = RAISE

    items = fields.List(fields.Nested(InquiryBatchItemSchema), required=True)


class InquiryBatchOutcomeSchema(OutputSchema):
    """What became of one item of a batch (in the order given)."""

    index = fields.Integer(required=True, metadata={"description": "The item's place in the batch, from 0."})
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(BATCH_OUTCOMES),
        metadata={
            "description": "accepted (stored and announced), duplicate (its message id was seen before: nothing "
            "changed; status says how it went then), rejected (stored with its field errors)."
        },
    )
    id = fields.String(
        allow_none=True,
        metadata={
            "description": "The stored inquiry's id; null for an item that is not {message_id?, inquiry: object}."
        },
    )
    message_id = fields.String(allow_none=True)
    status = fields.String(allow_none=True, validate=validate.OneOf(INQUIRY_STATUSES))
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Field -> reasons, for a rejected item (an inquiry's fields, or the item's own)."},
    )


class InquiryBatchResultSchema(OutputSchema):
    items = fields.List(fields.Nested(InquiryBatchOutcomeSchema), required=True)
    accepted = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
