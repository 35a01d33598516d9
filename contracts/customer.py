"""The customer archive (客户档案) as services and the API show it, and its timeline."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from contracts.base import OutputSchema
from contracts.communication import CommunicationRecordSchema
from contracts.inquiry import ContactSchema, InquirySchema
from contracts.paging import PageQuerySchema, page_schema

CUSTOMER_STAGES = ("new_contact", "inquiry", "quoted", "sample", "negotiation", "customer",
                   "lost", "invalid", "rejected", "dormant")
GRADES = ("A", "B", "C")


class GradeSchema(OutputSchema):
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    reasons = fields.List(fields.String(), required=True)
    rule = fields.String(required=True, metadata={"description": "The grading plugin that decided."})


class SourceSchema(OutputSchema):
    channel = fields.String(required=True)
    campaign = fields.String(allow_none=True)
    initial_behaviour = fields.String(allow_none=True)
    inquiry_id = fields.String(required=True)


class CustomerSchema(OutputSchema):
    id = fields.String(required=True)
    company = fields.String(allow_none=True)
    contacts = fields.List(fields.Nested(ContactSchema), required=True)
    country = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    registration_code = fields.String(allow_none=True)
    stage = fields.String(required=True, validate=validate.OneOf(CUSTOMER_STAGES))
    sources = fields.List(fields.Nested(SourceSchema), required=True,
                          metadata={"description": "Every channel this customer reached us through, first first."})
    needs = fields.List(fields.String(), required=True, metadata={"description": "Needs in the customer's words, newest last."})
    products = fields.List(fields.String(), required=True)
    communications = fields.List(fields.Nested(CommunicationRecordSchema), load_default=list, dump_default=list)
    special_requirements = fields.List(fields.String(), load_default=list, dump_default=list, metadata={
        "description": "Lifted from notes starting with 【特殊】, e.g. 'invoice must carry the VAT number'."})
    intent_grade = fields.Nested(GradeSchema, allow_none=True)
    grading_error = fields.String(allow_none=True, metadata={"description": "Why grading failed, naming the plugin."})
    owner_id = fields.String(allow_none=True, metadata={"description": "None while the customer is in the public pool."})
    possible_duplicates = fields.List(fields.String(), required=True, metadata={
        "description": "Archives that share matching keys with this one: a person decides whether to merge."})
    custom_fields = fields.Dict(keys=fields.String(), values=fields.Raw())
    inquiry_count = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class CustomerListQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    owner_id = fields.String(validate=validate.Length(max=100))
    email = fields.String(validate=validate.Length(max=320))
    country = fields.String(validate=validate.Length(max=100))
    stage = fields.String(validate=validate.OneOf(CUSTOMER_STAGES))


CustomerPageSchema = page_schema(CustomerSchema)

TIMELINE_KINDS = ("customer_created", "inquiry_received", "flagged_for_review", "owner_assigned",
                  "reminder_scheduled", "communication_recorded", "customers_merged")


class TimelineEntrySchema(OutputSchema):
    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True, metadata={"description": "When it happened."})
    kind = fields.String(required=True, validate=validate.OneOf(TIMELINE_KINDS))
    summary = fields.String(required=True)
    actor = fields.String(required=True, metadata={"description": "The user or service that did it."})
    refs = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "Ids of related records."})


TimelinePageSchema = page_schema(TimelineEntrySchema)


CHECK_FIELDS = ("company", "email", "phone", "website", "country", "registration_code")


class CustomerCheckSchema(Schema):
    """What a salesperson typed before creating a customer ("check before create")."""

    class Meta:
        unknown = RAISE

    company = fields.String(validate=validate.Length(max=300))
    email = fields.String(validate=validate.Length(max=320))
    phone = fields.String(validate=validate.Length(max=50))
    website = fields.String(validate=validate.Length(max=300))
    country = fields.String(validate=validate.Length(max=100))
    registration_code = fields.String(validate=validate.Length(max=64))

    @validates_schema
    def something_to_look_for(self, data, **kwargs):
        if not any(data.get(name) for name in CHECK_FIELDS if name != "country"):
            raise ValidationError("Give at least a company, email, phone, website or registration code.",
                                  field_name="company")


POOL_STATUSES = ("owned", "public_pool")


class LikelyCustomerSchema(OutputSchema):
    customer_id = fields.String(required=True)
    company = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    owner_id = fields.String(allow_none=True)
    pool_status = fields.String(required=True, validate=validate.OneOf(POOL_STATUSES))
    matched_on = fields.List(fields.String(), required=True, metadata={"description": "Exact keys it shares, strongest first."})
    similarity = fields.Integer(required=True, validate=validate.Range(0, 100), metadata={"description": "Company-name similarity, 0-100."})


class CheckResultSchema(OutputSchema):
    """Likely existing customers, most likely first."""

    candidates = fields.List(fields.Nested(LikelyCustomerSchema), required=True)


class MergeRequestSchema(Schema):
    """Merge another archive into this one (e.g. a duplicate found by "check before create")."""

    class Meta:
        unknown = RAISE

    absorb = fields.String(required=True, validate=validate.Length(min=1, max=100),
                           metadata={"description": "The archive that is merged in and then no longer listed."})
    by = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"description": "Who merges."})


class CustomerCreateSchema(Schema):
    """A customer a salesperson files by hand; it becomes theirs unless it already exists."""

    class Meta:
        unknown = RAISE

    created_by = fields.String(required=True, validate=validate.Length(min=1, max=100))
    customer = fields.Nested(InquirySchema, required=True, metadata={
        "description": "What they know, as a canonical inquiry (channel: where they met, e.g. trade_show)."})
