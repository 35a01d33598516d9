"""The customer archive (客户档案) as services and the API show it, and its timeline."""

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from contracts.access import acting_user_field
from contracts.base import OutputSchema
from contracts.communication import METHODS, CommunicationRecordSchema
from contracts.deals import CUSTOMER_STAGES, OrderRecordSchema, QuoteRecordSchema, SampleRecordSchema
from contracts.inquiry import ContactSchema, InquirySchema
from contracts.ownership import POOL_STATES
from contracts.paging import ExportQuerySchema, PageQuerySchema, page_schema, sort_field

GRADES = ("A", "B", "C")  # intent: clear need and near-term purchase … vague
VALUE_GRADES = ("A", "B", "C", "D")  # value: core, potential, ordinary, low value or payment risk
NAME = validate.Length(min=1, max=300)
NOT_BLANK = validate.Regexp(r"\s*\S", error="Give some text, or null to clear it.")
COUNTRY_CODE = {
    "description": "ISO 3166-1 alpha-2 recognised from country (any spelling); null: none given, or "
    "a spelling not recognised (GET /countries/unknown lists them)."
}
COUNTRY_QUERY = {
    "description": "Any spelling: a name in a market's language (Germany, Deutschland, 德国), an ISO "
    "alpha-2 or alpha-3 code (DE, DEU) or a trade form; matched on its country_code. "
    "400 naming country when no country has that spelling."
}


class GradeSchema(OutputSchema):
    grade = fields.String(required=True, validate=validate.OneOf(VALUE_GRADES))
    reasons = fields.List(fields.String(), required=True)
    rule = fields.String(
        required=True,
        metadata={"description": "The grading plugin that decided, or 'by <user>' for a grade set by hand."},
    )


class GradingSchema(Schema):
    """Grade a customer by hand (the quarterly regrade, or when something changed): the intent
    grade, the value grade or both, with the reason."""

    class Meta:
        unknown = RAISE

    by = acting_user_field("Who grades")
    intent_grade = fields.String(
        validate=validate.OneOf(GRADES),
        metadata={
            "description": "A clear need, budget and near-term purchase; B need not detailed; C vague, no timeline."
        },
    )
    value_grade = fields.String(
        validate=validate.OneOf(VALUE_GRADES),
        metadata={
            "description": "A core (large, stable, pays on time); B potential; C ordinary; D low value or payment risk."
        },
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))

    @validates_schema
    def a_grade_to_set(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "intent_grade" not in data and "value_grade" not in data:
            raise ValidationError("Give intent_grade, value_grade or both.", field_name="_schema")


class SourceSchema(OutputSchema):
    at = fields.AwareDateTime(allow_none=True, metadata={"description": "When the customer reached us."})
    channel = fields.String(required=True)
    campaign = fields.String(allow_none=True)
    initial_behaviour = fields.String(allow_none=True)
    inquiry_id = fields.String(required=True)


class TitleSchema(Schema):
    """One of a group's legal entities the customer buys under (多抬头), with its registration code."""

    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=NAME)
    registration_code = fields.String(
        validate=validate.Length(max=64),
        allow_none=True,
        metadata={
            "description": "e.g. a Chinese unified social credit code or an EU VAT number; checked where a standard exists."
        },
    )
    country = fields.String(validate=validate.Length(max=100), allow_none=True)


class CompetitorSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=NAME, metadata={"description": "e.g. 'a Shanghai supplier'."})
    evidence = fields.String(
        validate=validate.Length(max=500),
        allow_none=True,
        metadata={"description": "What was said, e.g. 'comparing a Shanghai supplier's quote'."},
    )
    source_id = fields.String(
        allow_none=True, metadata={"description": "The communication or inquiry it was read from."}
    )


class RequirementSchema(Schema):
    """A need in numbers: model, quantity, use."""

    class Meta:
        unknown = RAISE

    model = fields.String(required=True, validate=NAME)
    quantity = fields.Integer(validate=validate.Range(min=1), allow_none=True)
    use = fields.String(validate=validate.Length(max=500), allow_none=True)


class TraitSchema(OutputSchema):
    name = fields.String(
        required=True, metadata={"description": "e.g. price_sensitive, quality_focused, comparing_competitors."}
    )
    label = fields.String(required=True)
    evidence = fields.String(required=True, metadata={"description": "The phrase it was read from."})
    suggestion = fields.String(required=True)
    rule = fields.String(required=True, metadata={"description": "The plugin that read it."})
    source_id = fields.String(required=True, metadata={"description": "The inquiry or communication."})
    at = fields.AwareDateTime(required=True)


class GroupSchema(OutputSchema):
    id = fields.String(required=True)
    name = fields.String(allow_none=True)


class ScreeningContactSchema(Schema):
    """The contact marketing attempted while screening: kept as a communication record."""

    class Meta:
        unknown = RAISE

    at = fields.AwareDateTime(required=True, metadata={"description": "When it was attempted (ISO 8601 with offset)."})
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    result = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=500), NOT_BLANK],
        metadata={"description": "What came of it, e.g. 'no answer', 'confirmed 2,000 pcs, wants samples'."},
    )


class ScreeningSchema(Schema):
    """Marketing's screening of a lead (初筛, seed 000): what the marketing → sales checklist reads."""

    class Meta:
        unknown = RAISE

    by = acting_user_field("Who screened it")
    fit = fields.Boolean(required=True, metadata={"description": "Matches the ideal customer profile (yes/no)."})
    need = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=2000), NOT_BLANK],
        metadata={
            "description": "The specific need in the customer's words ('wants 2,000 pcs of model X'), not 'wants to "
            "cooperate'; added to the archive's needs."
        },
    )
    contact_attempted = fields.Boolean(required=True, metadata={"description": "Whether contact was attempted."})
    contact = fields.Nested(
        ScreeningContactSchema,
        metadata={"description": "Required when contact_attempted: when, how and with what result."},
    )
    note = fields.String(validate=validate.Length(max=2000))

    @validates_schema
    def contact_agrees(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("contact_attempted") and "contact" not in data:
            raise ValidationError("Say when, how and with what result contact was attempted.", field_name="contact")
        if data.get("contact_attempted") is False and "contact" in data:
            raise ValidationError(
                "contact_attempted is false: leave contact out, or set contact_attempted.", field_name="contact"
            )


class ScreeningRecordSchema(OutputSchema):
    fit = fields.Boolean(required=True)
    need = fields.String(required=True)
    contact_attempted = fields.Boolean(required=True)
    contact_result = fields.String(allow_none=True)
    contact_record_id = fields.String(allow_none=True, metadata={"description": "Its communication record."})
    note = fields.String(allow_none=True)
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class CustomerSchema(OutputSchema):
    id = fields.String(required=True)
    company = fields.String(allow_none=True)
    contacts = fields.List(fields.Nested(ContactSchema), required=True)
    country = fields.String(allow_none=True, metadata={"description": "As given."})
    country_code = fields.String(allow_none=True, dump_default=None, metadata=COUNTRY_CODE)
    city = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    registration_code = fields.String(allow_none=True)
    stage = fields.String(required=True, validate=validate.OneOf(CUSTOMER_STAGES))
    sources = fields.List(
        fields.Nested(SourceSchema),
        required=True,
        metadata={"description": "Every channel this customer reached us through, first first."},
    )
    needs = fields.List(
        fields.String(), required=True, metadata={"description": "Needs in the customer's words, newest last."}
    )
    products = fields.List(fields.String(), required=True)
    communications = fields.List(fields.Nested(CommunicationRecordSchema), load_default=list, dump_default=list)
    special_requirements = fields.List(
        fields.String(),
        load_default=list,
        dump_default=list,
        metadata={"description": "Lifted from notes starting with 【特殊】, e.g. 'invoice must carry the VAT number'."},
    )
    intent_grade = fields.Nested(GradeSchema, allow_none=True)
    value_grade = fields.Nested(
        GradeSchema,
        allow_none=True,
        dump_default=None,
        metadata={"description": "Set by hand (POST /customers/<id>/grades) once the customer's value is known."},
    )
    graded_at = fields.AwareDateTime(
        allow_none=True,
        dump_default=None,
        metadata={"description": "When a grade was last set; the owner is reminded to regrade a quarter later."},
    )
    grading_error = fields.String(allow_none=True, metadata={"description": "Why grading failed, naming the plugin."})
    owner_id = fields.String(
        allow_none=True, metadata={"description": "None while the customer is in the public pool."}
    )
    pool_state = fields.String(
        dump_default="public_pool",
        validate=validate.OneOf(POOL_STATES),
        metadata={"description": "owned, public_pool, dormant, rejected or invalid, as the pool service last said."},
    )
    pool_reason = fields.String(allow_none=True, dump_default=None, metadata={"description": "Why it is in the pool."})
    team = fields.String(
        allow_none=True, dump_default=None, metadata={"description": "The sales team whose pool it is in."}
    )
    collaborators = fields.List(
        fields.String(),
        dump_default=list,
        metadata={"description": "Who works on it beside its owner (named in the pool)."},
    )
    departments = fields.List(
        fields.String(),
        dump_default=list,
        metadata={"description": "Departments holding part of it: marketing and sales, service once handed over."},
    )
    possible_duplicates = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Archives that share matching keys with this one: a person decides whether to merge."},
    )
    custom_fields = fields.Dict(keys=fields.String(), values=fields.Raw())
    aliases = fields.List(
        fields.String(),
        dump_default=list,
        metadata={"description": "Other names the company goes by; each finds the archive like its company name."},
    )
    titles = fields.List(fields.Nested(TitleSchema), dump_default=list, metadata={"description": "多抬头."})
    group = fields.Nested(
        GroupSchema,
        allow_none=True,
        dump_default=None,
        metadata={"description": "The group whose subsidiaries are linked archives (GET /customers/<id>/group)."},
    )
    requirements = fields.List(fields.Nested(RequirementSchema), dump_default=list)
    target_price = fields.String(
        allow_none=True, dump_default=None, metadata={"description": "In the customer's words, e.g. 'USD 4.20 FOB'."}
    )
    cautions = fields.List(
        fields.String(),
        dump_default=list,
        metadata={"description": "Communication taboos (沟通禁忌), e.g. 'dislikes hard discount pitches'."},
    )
    competitors = fields.List(fields.Nested(CompetitorSchema), dump_default=list)
    traits = fields.List(
        fields.Nested(TraitSchema),
        dump_default=list,
        metadata={"description": "Read from the customer's words by trait plugins, each with its evidence."},
    )
    tags = fields.List(
        fields.String(),
        dump_default=list,
        metadata={
            "description": "Market + stage + core need: stage, intent grade, country, trait labels, then tags set by hand."
        },
    )
    manual_tags = fields.List(fields.String(), dump_default=list)
    quotes = fields.List(fields.Nested(QuoteRecordSchema), dump_default=list)
    samples = fields.List(fields.Nested(SampleRecordSchema), dump_default=list)
    orders = fields.List(fields.Nested(OrderRecordSchema), dump_default=list)
    stage_reason = fields.String(
        allow_none=True, dump_default=None, metadata={"description": "Why it is lost, invalid, rejected or dormant."}
    )
    screening = fields.Nested(
        ScreeningRecordSchema,
        allow_none=True,
        dump_default=None,
        metadata={
            "description": "Marketing's screening (POST /customers/<id>/screening), the latest; null: not screened."
        },
    )
    inquiry_count = fields.Integer(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class CustomerListQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    owner_id = fields.String(validate=validate.Length(max=100))
    email = fields.String(validate=validate.Length(max=320), metadata={"description": "Any case or spacing."})
    domain = fields.String(
        validate=validate.Length(max=320),
        metadata={
            "description": "A company's domain, website or any address at it (acme.de, www.acme.de/en, x@acme.de)."
        },
    )
    phone = fields.String(
        validate=validate.Length(max=60),
        metadata={
            "description": "As written; a local number is read in `country`. Several of email, domain and phone must "
            "all find the customer."
        },
    )
    country = fields.String(validate=validate.Length(max=100), metadata=COUNTRY_QUERY)
    stage = fields.String(validate=validate.OneOf(CUSTOMER_STAGES))
    tag = fields.String(
        validate=validate.Length(max=60),
        metadata={
            "description": "e.g. 'price sensitive' or a grade; a country in any spelling finds its ISO code's tag too."
        },
    )
    group_id = fields.String(validate=validate.Length(max=100))
    sort = sort_field(("created_at", "updated_at", "company", "stage"), "-created_at")


class CustomerListExportQuerySchema(CustomerListQuerySchema, ExportQuerySchema):
    """The customer list's filters, and optionally a file format (every matching customer)."""


CustomerPageSchema = page_schema(CustomerSchema)

TIMELINE_KINDS = (
    "customer_created",
    "inquiry_received",
    "flagged_for_review",
    "kept_apart",
    "owner_assigned",
    "reminder_scheduled",
    "communication_recorded",
    "customers_merged",
    "details_updated",
    "quote_recorded",
    "sample_recorded",
    "order_recorded",
    "order_amended",
    "stage_changed",
    "traits_noted",
    "group_linked",
    "group_left",
    "returned_to_pool",
    "recycling_warned",
    "collaborators_changed",
    "handoff_accepted",
    "graded",
    # what handoff announces of the customer (the handoff view shows the same, once)
    "handoff_submitted",
    "handoff_returned",
    "handoff_withdrawn",
    "requirement_changed",
    "step_started",
    # reminder bookkeeping: left out unless asked for (include=reminders or kinds)
    "reminder_done",
    "reminder_snoozed",
)
REMINDER_TIMELINE_KINDS = ("reminder_scheduled", "reminder_done", "reminder_snoozed")
TIMELINE_INCLUDES = ("reminders",)


class TimelineQuerySchema(PageQuerySchema):
    """Which entries of a customer's timeline: every event of the customer but the reminder
    bookkeeping, unless ``include=reminders``; or only the ``kinds`` listed."""

    class Meta:
        unknown = RAISE

    include = fields.String(
        validate=validate.OneOf(TIMELINE_INCLUDES),
        metadata={
            "description": "reminders: with the reminder bookkeeping (reminder_scheduled, reminder_done, "
            "reminder_snoozed), left out by default."
        },
    )
    kinds = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={
            "description": "Only these kinds, comma-separated (e.g. handoff_submitted,requirement_changed); "
            "include is then not needed. 422 naming kinds for a kind that does not exist."
        },
    )

    @validates_schema
    def known_kinds(self, data: dict[str, Any], **kwargs: Any) -> None:
        unknown = [kind for kind in _listed(data.get("kinds")) if kind not in TIMELINE_KINDS]
        if unknown:
            raise ValidationError(
                f"Unknown timeline kind(s): {', '.join(unknown)} (known: {', '.join(TIMELINE_KINDS)}).", "kinds"
            )


def timeline_kinds_asked(query: dict) -> tuple:
    """The kinds a loaded TimelineQuerySchema asks for, in TIMELINE_KINDS order."""
    listed = _listed(query.get("kinds"))
    if listed:
        return tuple(kind for kind in TIMELINE_KINDS if kind in listed)
    with_reminders = query.get("include") == "reminders"
    return tuple(kind for kind in TIMELINE_KINDS if with_reminders or kind not in REMINDER_TIMELINE_KINDS)


def _listed(text):
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class TimelineEntrySchema(OutputSchema):
    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True, metadata={"description": "When it happened."})
    kind = fields.String(required=True, validate=validate.OneOf(TIMELINE_KINDS))
    summary = fields.String(required=True)
    actor = fields.String(required=True, metadata={"description": "The user or service that did it."})
    refs = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "Ids of related records."}
    )
    details = fields.Dict(
        keys=fields.String(),
        dump_default=dict,
        metadata={
            "description": "What the summary says, as data — people by user id, times in ISO 8601, grades, stages — for a "
            "client to word it in the reader's language and time zone; never prices or amounts. Per kind, "
            "e.g. reminder_scheduled {reminder_kind, user, due_at}; "
            "reminder_done {reminder_kind, user, by, note}; "
            "reminder_snoozed {reminder_kind, user, by, until, reason}; "
            "handoff_submitted {handoff_id, kind, from, to, info_pending, missing, attempt, action}; "
            "handoff_returned {handoff_id, kind, by, from, reasons, action, note}; "
            "handoff_withdrawn {handoff_id, kind, by, reason, action, note}; "
            "requirement_changed {field, before, after, by, note, source, order_id, priced} "
            "(a price named without values); step_started {step, department, by}; "
            "owner_assigned {owner, team, reason}; "
            "handoff_accepted {kind, by, from, new_owner}; customer_created {inquiry_id, intent_grade, "
            "grade_reasons}; communication_recorded {method, by, note, customer_words, late_minutes, "
            "within_minutes}; recycling_warned {owner, returns_at, reason}; returned_to_pool {state, "
            "previous_owner, by, reason}; stage_changed {before, after, by, reason}; graded {by, grades: "
            "[{grade, before, after}], reason}. {} on entries written before details were kept: read "
            "the summary."
        },
    )


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
    country = fields.String(
        validate=validate.Length(max=100),
        metadata={
            "description": "Any spelling; names are compared within its ISO country (an unknown one: among the unknown)."
        },
    )
    registration_code = fields.String(validate=validate.Length(max=64))

    @validates_schema
    def something_to_look_for(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not any(data.get(name) for name in CHECK_FIELDS if name != "country"):
            raise ValidationError(
                "Give at least a company, email, phone, website or registration code.", field_name="company"
            )


class LikelyCustomerSchema(OutputSchema):
    customer_id = fields.String(required=True)
    company = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    country_code = fields.String(allow_none=True, dump_default=None, metadata=COUNTRY_CODE)
    owner_id = fields.String(allow_none=True)
    pool_status = fields.String(required=True, validate=validate.OneOf(POOL_STATES))
    matched_on = fields.List(
        fields.String(), required=True, metadata={"description": "Exact keys it shares, strongest first."}
    )
    similarity = fields.Integer(
        required=True, validate=validate.Range(0, 100), metadata={"description": "Company-name similarity, 0-100."}
    )


class CheckResultSchema(OutputSchema):
    """Likely existing customers, most likely first."""

    candidates = fields.List(fields.Nested(LikelyCustomerSchema), required=True)


class MergeRequestSchema(Schema):
    """Merge another archive into this one (e.g. a duplicate found by "check before create")."""

    class Meta:
        unknown = RAISE

    absorb = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "The archive that is merged in and then no longer listed."},
    )
    by = acting_user_field("Who merges")


class CustomerCreateSchema(Schema):
    """A customer a salesperson files by hand; it becomes theirs unless it already exists."""

    class Meta:
        unknown = RAISE

    created_by = acting_user_field("The salesperson who files and owns it")
    customer = fields.Nested(
        InquirySchema,
        required=True,
        metadata={"description": "What they know, as a canonical inquiry (channel: where they met, e.g. trade_show)."},
    )


class CustomerUpdateSchema(Schema):
    """Correct or complete an archive by hand. Fields given replace what is there (lists whole);
    a renamed company keeps its old name as an alias, so it is still found by it."""

    class Meta:
        unknown = RAISE

    by = acting_user_field()
    company = fields.String(validate=NAME)
    country = fields.String(
        validate=[validate.Length(max=100), NOT_BLANK],
        allow_none=True,
        metadata={
            "description": "Any spelling, kept as given with the country_code it is recognised as; a spelling no country "
            "has is kept too, with country_code null, and listed by GET /countries/unknown. null clears it."
        },
    )
    city = fields.String(validate=validate.Length(max=100), allow_none=True)
    website = fields.String(
        validate=validate.Length(max=300),
        allow_none=True,
        metadata={
            "description": "A URL or bare domain, kept as its registrable domain (https://www.acme.co.uk/en: acme.co.uk); "
            "anything else is a field error. null clears it."
        },
    )
    contacts = fields.List(
        fields.Nested(ContactSchema),
        validate=validate.Length(min=1, max=50),
        metadata={
            "description": "Every contact, replacing the archive's list. Emails are checked by email-validator and phones "
            "read by phonenumbers (a local number in the archive's country), as an inquiry's are; field errors "
            "name the index, e.g. contacts.0.email. An email or phone added finds this archive from then on, "
            "one removed no longer does; 409 naming the customer when another archive has it."
        },
    )
    needs = fields.List(
        fields.String(validate=validate.Length(min=1, max=20000)),
        validate=validate.Length(max=200),
        metadata={"description": "Needs in the customer's words, replacing the archive's list."},
    )
    products = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        validate=validate.Length(max=500),
        metadata={"description": "Replacing the archive's list."},
    )
    registration_code = fields.String(validate=validate.Length(max=64), allow_none=True)
    aliases = fields.List(fields.String(validate=NAME), validate=validate.Length(max=50))
    titles = fields.List(fields.Nested(TitleSchema), validate=validate.Length(max=50))
    requirements = fields.List(fields.Nested(RequirementSchema), validate=validate.Length(max=100))
    target_price = fields.String(validate=validate.Length(max=200), allow_none=True)
    cautions = fields.List(fields.String(validate=validate.Length(min=1, max=500)), validate=validate.Length(max=50))
    special_requirements = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)), validate=validate.Length(max=100)
    )
    competitors = fields.List(fields.Nested(CompetitorSchema), validate=validate.Length(max=50))
    manual_tags = fields.List(fields.String(validate=validate.Length(min=1, max=60)), validate=validate.Length(max=30))
    custom_fields = fields.Dict(
        keys=fields.String(validate=validate.Length(max=64)),
        values=fields.Raw(allow_none=True),
        metadata={
            "description": "Checked against the fields plugins declare (the built-in "
            "default_fields: industry, purchase_cycle, payment_method, tariff_preference)."
        },
    )

    @validates_schema
    def something_to_change(self, data: dict[str, Any], **kwargs: Any) -> None:
        if len(data) == 1:
            raise ValidationError("Give at least one field to change.", field_name="_schema")


class GroupLinkSchema(Schema):
    """Link another archive into this one's group (a group's subsidiaries, seen together)."""

    class Meta:
        unknown = RAISE

    link = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"description": "The other archive."}
    )
    by = acting_user_field()
    name = fields.String(validate=NAME, metadata={"description": "The group's name, e.g. 'Acme Group'."})


class GroupLeaveSchema(Schema):
    class Meta:
        unknown = RAISE

    by = acting_user_field()


class GroupMemberSchema(OutputSchema):
    customer_id = fields.String(required=True)
    company = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    country_code = fields.String(allow_none=True, dump_default=None, metadata=COUNTRY_CODE)
    owner_id = fields.String(allow_none=True)
    stage = fields.String(required=True)


class GroupViewSchema(OutputSchema):
    """A group and every linked archive with its owner: a salesperson sees the whole group."""

    group = fields.Nested(GroupSchema, allow_none=True)
    members = fields.List(fields.Nested(GroupMemberSchema), required=True)
