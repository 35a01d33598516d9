"""Handoffs (移交) as people submit, sign and return them, and as services and the API show them:
checklists, packages, requirement changes, gated steps, measures and quality audits."""

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from contracts.access import acting_user_field
from contracts.base import OutputSchema
from contracts.deals import CURRENCY
from contracts.paging import PageQuerySchema, page_schema
from contracts.pool import EFFECTIVE_ON_ACCEPTANCE, LEAVING_EFFECTIVE, PERSON

HANDOFF_STATES = ("submitted", "info_pending", "resubmitted", "accepted", "returned", "withdrawn")
KIND = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}\Z", error="A handoff kind, e.g. marketing_to_sales.")
LINE = fields.String(validate=validate.Length(min=1, max=500))
TEXT = validate.Length(min=1, max=5000)
PEOPLE = validate.Length(min=1, max=20)


class _Request(Schema):
    class Meta:
        unknown = RAISE


# --- checklists -------------------------------------------------------------------------------


class ChecklistItemSchema(OutputSchema):
    name = fields.String(required=True)
    passed = fields.Boolean(required=True)
    reason = fields.String(required=True, metadata={"description": "What was found, or what is missing."})


class ChecklistSchema(OutputSchema):
    """A checklist evaluated over a customer's archive: every item, passed or not."""

    kind = fields.String(required=True)
    customer_id = fields.String(required=True)
    passed = fields.Boolean(required=True, metadata={"description": "True when every item passed."})
    items = fields.List(fields.Nested(ChecklistItemSchema), required=True)
    ready_at = fields.AwareDateTime(
        allow_none=True,
        dump_default=None,
        metadata={
            "description": "When it passed: the latest dated fact it rests on (a contact, the third record, an order)."
        },
    )


# --- the kinds -------------------------------------------------------------------------------


class AnnualValueRangeSchema(OutputSchema):
    currency = fields.String(required=True, metadata={"description": "BATON.handoff.value_currency."})
    at_least = fields.Float(allow_none=True, metadata={"description": "For customers buying at least this a year."})
    below = fields.Float(allow_none=True, metadata={"description": "For customers buying less than this a year."})


class HandoffKindSchema(OutputSchema):
    """A kind of handoff as configured (BATON.handoff.kinds)."""

    name = fields.String(required=True, metadata={"description": "e.g. sales_to_service."})
    from_ = fields.List(
        fields.String(),
        data_key="from",
        attribute="from",
        required=True,
        metadata={"description": "The departments that send it."},
    )
    to = fields.List(fields.String(), required=True, metadata={"description": "The departments receivers belong to."})
    min_receivers = fields.Integer(required=True)
    max_receivers = fields.Integer(required=True)
    each_signs = fields.Boolean(
        required=True, metadata={"description": "Every receiver signs; false: nobody does (the archive is synced)."}
    )
    changes_owner = fields.Boolean(
        required=True,
        metadata={"description": "A receiver (the new owner) owns the customer once accepted; false: the owner stays."},
    )
    sender_collaborates = fields.Boolean(
        required=True, metadata={"description": "The sender works on the customer beside the new owner once accepted."}
    )
    info_pending = fields.Boolean(
        required=True,
        metadata={"description": "May go through flagged info pending (信息待补全) when checklist items are missing."},
    )
    annual_value = fields.Nested(
        AnnualValueRangeSchema,
        allow_none=True,
        required=True,
        metadata={
            "description": "The customers' annual value the kind is for (the high-value team, the ordinary sync); "
            "null: any customer."
        },
    )
    checklist = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The checklist's item names, in order: the configured rules, then the plugins'."},
    )


class HandoffKindListSchema(OutputSchema):
    items = fields.List(fields.Nested(HandoffKindSchema), required=True)


# --- the package a sender writes --------------------------------------------------------------


class OutstandingPaymentSchema(_Request):
    amount = fields.Float(required=True, validate=validate.Range(min=0))
    currency = fields.String(required=True, validate=CURRENCY)
    due_date = fields.Date(allow_none=True)
    note = fields.String(validate=validate.Length(max=500))


class RepairCaseSchema(_Request):
    """An after-sales case: which order, what is wrong, where (客户地址 + 订单号 + 故障情况)."""

    order_id = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "An order on the archive."}
    )
    fault = fields.String(validate=TEXT)
    address = fields.String(validate=validate.Length(min=1, max=500))


class PackageSchema(_Request):
    """What the sender adds to what the archive already says (移交清单). Special requirements and
    cautions written here are added to the archive too."""

    pain_points = fields.List(LINE, validate=validate.Length(max=50))
    solution = fields.String(validate=TEXT, metadata={"description": "The solution offered."})
    open_items = fields.List(
        LINE,
        validate=validate.Length(max=50),
        metadata={"description": "What is not done yet: unfinished needs, promised follow-ups."},
    )
    no_open_items = fields.Boolean(metadata={"description": "The sender states nothing is open."})
    outstanding_payments = fields.List(fields.Nested(OutstandingPaymentSchema), validate=validate.Length(max=50))
    special_requirements = fields.List(LINE, validate=validate.Length(max=50))
    no_special_requirements = fields.Boolean()
    cautions = fields.List(
        LINE,
        validate=validate.Length(max=50),
        metadata={"description": "Communication taboos (沟通禁忌), e.g. 'dislikes hard discount pitches'."},
    )
    no_cautions = fields.Boolean()
    expected_annual_value = fields.Float(
        validate=validate.Range(min=0),
        metadata={"description": "What the customer is expected to buy in a year, in the configured value currency."},
    )
    case = fields.Nested(RepairCaseSchema)
    notes = fields.String(validate=TEXT)


# --- what people do ---------------------------------------------------------------------------


class SubmitSchema(_Request):
    """Hand a customer over. Refused with the missing items when the checklist fails, unless
    ``info_pending`` asks for it to go through flagged 信息待补全 with a deadline."""

    kind = fields.String(required=True, validate=KIND)
    customer_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    by = acting_user_field("The sender")
    to = fields.List(
        fields.String(validate=PERSON),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={
            "description": "The receivers; for a team handoff, every member (each must acknowledge). Left out for a "
            "kind whose receiver the pool's weighted round-robin chooses (marketing_to_sales: a "
            "screened lead goes to whoever's turn it is)."
        },
    )
    new_owner = fields.String(
        validate=PERSON,
        metadata={"description": "Who owns the customer once accepted, among the receivers (default: the first)."},
    )
    package = fields.Nested(PackageSchema, load_default=dict)
    info_pending = fields.Boolean(
        load_default=False,
        metadata={
            "description": "If checklist items are missing, submit anyway flagged 'info pending' until pending_until."
        },
    )
    pending_until = fields.AwareDateTime(metadata={"description": "Default: the configured number of days."})


class ResubmitSchema(_Request):
    by = acting_user_field()
    package = fields.Nested(PackageSchema, metadata={"description": "Replaces the package; default: the one returned."})
    to = fields.List(
        fields.String(validate=PERSON),
        validate=PEOPLE,
        metadata={
            "description": "Other receivers (e.g. the one who returned it was the wrong person); default: the same."
        },
    )
    new_owner = fields.String(validate=PERSON)
    info_pending = fields.Boolean(load_default=False)
    pending_until = fields.AwareDateTime()


class InfoCompletionSchema(_Request):
    """The sender completed what an info-pending handoff lacked (the archive, or the package given here)."""

    by = acting_user_field()
    package = fields.Nested(PackageSchema)


class SignSchema(_Request):
    by = acting_user_field("The receiver signing")
    note = fields.String(validate=validate.Length(max=2000))


class WithdrawalSchema(_Request):
    """The sender (or a manager) takes back a handoff not yet accepted; the receivers are told."""

    by = acting_user_field()
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Why (wrong receiver, receiver away, deal changed…); the receivers read it."},
    )


class ReturnSchema(_Request):
    by = acting_user_field()
    reasons = fields.List(
        LINE,
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "What is missing or wrong; the sender reads these."},
    )


class LeaverHandoverSchema(_Request):
    """A salesperson leaves: pool chooses a successor for every customer they own; each successor
    receives a handoff with the package to sign. Nothing changes owner until the successor signs,
    unless the person is already gone (effective now)."""

    by = acting_user_field("The manager")
    to = fields.String(
        validate=PERSON,
        allow_none=True,
        metadata={"description": "A successor; without one, each customer goes by the allocation rules."},
    )
    packages = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.Nested(PackageSchema),
        load_default=dict,
        metadata={"description": "customer id -> what the leaver adds (open items…)."},
    )
    pending_until = fields.AwareDateTime(metadata={"description": "Deadline for what the packages still lack."})
    sign_in_until = fields.AwareDateTime(
        metadata={
            "description": "When the leaver's sign-in ends (their last day); it ends earlier, at once, when their last "
            "customer has moved. Without it: when their last customer has moved."
        }
    )
    effective = fields.String(
        validate=validate.OneOf(LEAVING_EFFECTIVE),
        load_default=EFFECTIVE_ON_ACCEPTANCE,
        metadata={
            "description": "on_acceptance: the leaver keeps each customer until its "
            "successor signs (serving notice). now: the customers move at once (the "
            "person is gone) and the successors sign for the packages after."
        },
    )


# --- what the service shows -------------------------------------------------------------------


class AcknowledgementSchema(OutputSchema):
    user = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    note = fields.String(allow_none=True)


class ReturnRecordSchema(OutputSchema):
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    reasons = fields.List(fields.String(), required=True)
    attempt = fields.Integer(required=True)


class HistoryEntrySchema(OutputSchema):
    at = fields.AwareDateTime(required=True)
    action = fields.String(
        required=True, metadata={"description": "submitted, resubmitted, info_completed, signed, accepted, returned."}
    )
    by = fields.String(required=True)
    attempt = fields.Integer(required=True)
    note = fields.String(required=True)
    missing = fields.List(fields.String(), dump_default=list)


class PackageViewSchema(OutputSchema):
    """The package as the receiver reads it: the archive at submission plus what the sender wrote.
    Prices (orders' and outstanding payments' amounts, the annual values, agreed requirements named
    as prices) are null for callers who may not see them (BATON.access.price_readers)."""

    customer = fields.Dict(required=True, metadata={"description": "company, country, city, website, contacts."})
    stage = fields.String(allow_none=True)
    intent_grade = fields.String(allow_none=True)
    core_needs = fields.List(fields.String(), required=True)
    pain_points = fields.List(fields.String(), required=True)
    solution = fields.String(allow_none=True)
    quotes = fields.List(fields.Dict(), required=True)
    special_requirements = fields.List(fields.String(), required=True)
    cautions = fields.List(fields.String(), required=True)
    traits = fields.List(fields.Dict(), required=True)
    competitors = fields.List(fields.String(), required=True)
    open_items = fields.List(fields.String(), required=True)
    outstanding_payments = fields.List(fields.Dict(), required=True)
    orders = fields.List(fields.Dict(), required=True)
    deal_closed = fields.Boolean(required=True)
    agreed_requirements = fields.Dict(
        keys=fields.String(),
        values=fields.String(allow_none=True),
        required=True,
        metadata={"description": "null: a price the caller may not see."},
    )
    recent_communications = fields.List(fields.Dict(), required=True)
    case = fields.Dict(allow_none=True)
    expected_annual_value = fields.Float(allow_none=True)
    annual_value = fields.Dict(allow_none=True, metadata={"description": "For value kinds: value, currency, note."})
    notes = fields.String(allow_none=True)
    stated_none = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "What the sender states there is none of (no_special_requirements, no_cautions, no_open_items)."
        },
    )


class HandoffSchema(OutputSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True)
    customer_id = fields.String(required=True)
    from_user = fields.String(required=True)
    submitted_by = fields.String(required=True)
    to_users = fields.List(fields.String(), required=True)
    new_owner_id = fields.String(allow_none=True, metadata={"description": "Owner once accepted; None: unchanged."})
    collaborators = fields.List(fields.String(), required=True, metadata={"description": "Added once accepted."})
    state = fields.String(required=True, validate=validate.OneOf(HANDOFF_STATES))
    attempt = fields.Integer(required=True, metadata={"description": "1, then 2 after the first return…"})
    info_pending = fields.Boolean(required=True)
    pending_until = fields.AwareDateTime(allow_none=True)
    overdue = fields.Boolean(required=True, metadata={"description": "Info pending past its deadline."})
    info_completed_at = fields.AwareDateTime(allow_none=True)
    info_completed_late = fields.Boolean(required=True)
    missing = fields.List(fields.String(), required=True)
    checklist = fields.List(fields.Nested(ChecklistItemSchema), required=True)
    acknowledgements = fields.List(fields.Nested(AcknowledgementSchema), required=True)
    awaiting = fields.List(fields.String(), required=True, metadata={"description": "Receivers yet to sign."})
    returns = fields.List(fields.Nested(ReturnRecordSchema), required=True)
    history = fields.List(fields.Nested(HistoryEntrySchema), required=True)
    package = fields.Nested(PackageViewSchema, required=True)
    departments = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), required=True)
    ready_at = fields.AwareDateTime(allow_none=True)
    submitted_at = fields.AwareDateTime(required=True)
    last_submitted_at = fields.AwareDateTime(required=True)
    accepted_at = fields.AwareDateTime(allow_none=True)


class BriefingEntrySchema(OutputSchema):
    at = fields.AwareDateTime(required=True)
    kind = fields.String(required=True)
    summary = fields.String(required=True)
    actor = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "profile (the archive's timeline) or handoff."})
    details = fields.Dict(
        keys=fields.String(),
        dump_default=dict,
        metadata={
            "description": "What the summary says as data (people by user id, times in ISO 8601; never prices), as on "
            "the archive's timeline; handoff steps {kind, action, by, from, to, note}, requirement_changed "
            "{field, before, after, by, note, source, priced}, step_started {step, department, by}."
        },
    )


class BriefingSchema(HandoffSchema):
    """The receiver's first view: the handoff and its package, with the customer's whole timeline."""

    timeline = fields.List(fields.Nested(BriefingEntrySchema), required=True)


class HandoffListQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    customer_id = fields.String(validate=validate.Length(max=100))
    from_user = fields.String(validate=PERSON)
    to_user = fields.String(validate=PERSON, metadata={"description": "Handoffs this person receives."})
    awaiting = fields.String(validate=PERSON, metadata={"description": "Handoffs waiting for this person's signature."})
    kind = fields.String(validate=KIND)
    state = fields.String(validate=validate.OneOf(HANDOFF_STATES))
    overdue = fields.Boolean(metadata={"description": "true: info pending past its deadline."})


# A list under a path that names whom it is about: that filter is the path's, not the query's.
class CustomerHandoffQuerySchema(HandoffListQuerySchema):
    class Meta(HandoffListQuerySchema.Meta):
        exclude = ("customer_id",)


class WaitingHandoffQuerySchema(HandoffListQuerySchema):
    class Meta(HandoffListQuerySchema.Meta):
        exclude = ("awaiting",)


class SentHandoffQuerySchema(HandoffListQuerySchema):
    class Meta(HandoffListQuerySchema.Meta):
        exclude = ("from_user",)


HandoffPageSchema = page_schema(HandoffSchema)


class LeavingResultSchema(OutputSchema):
    leaver = fields.String(required=True)
    reassignment_id = fields.String(required=True, metadata={"description": "pool's record of what moved where."})
    handoffs = fields.List(fields.Nested(HandoffSchema), required=True)
    effective = fields.String(required=True, metadata={"description": "on_acceptance or now, as asked."})
    unassigned = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Customers nobody was eligible for, with no handoff: they wait in the pool (now) or stay "
            "with the leaver (on acceptance)."
        },
    )
    waiting = fields.List(
        fields.String(),
        load_default=list,
        dump_default=list,
        metadata={
            "description": "Customers with another owner-changing handoff open: the leaver keeps them until it is "
            "settled, then asks again."
        },
    )
    sign_in_ends_at = fields.AwareDateTime(
        allow_none=True,
        dump_default=None,
        metadata={
            "description": "When the leaver's sign-in ends, once known: the date given, or now when their last customer "
            "has moved; null while they still hold customers (it ends when the last one moves)."
        },
    )


# --- agreed requirements and gated steps ------------------------------------------------------


class RequirementSetSchema(_Request):
    """Record or change an agreed requirement ("voltage": "110V"; "delivery_date": "2026-05-10"). A
    field the orders carry (BATON.handoff.requirements.order_fields: delivery_date, payment_method)
    changes the order it concerns too, so gates, checklists and packages read the new value."""

    value = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "null clears it. A date (BATON.handoff.requirements.date_fields) is YYYY-MM-DD. Give value "
            "or shift_days."
        },
    )
    shift_days = fields.Integer(
        validate=validate.Range(min=-3650, max=3650),
        metadata={"description": "For a date: move it this many days from its current value (-10: ten days earlier)."},
    )
    order_id = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "The order the change concerns (default: the latest order, for a field orders carry)."
        },
    )
    by = acting_user_field()
    note = fields.String(
        validate=validate.Length(max=2000), metadata={"description": "e.g. 'deliver 10 days earlier'."}
    )
    source = fields.String(validate=validate.Length(max=100), metadata={"description": "Where it was said: whatsapp…"})

    @validates_schema
    def value_or_shift(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("value" in data) == ("shift_days" in data):
            raise ValidationError("Give either value or shift_days.", field_name="value")
        if data.get("shift_days") == 0:
            raise ValidationError("Moving a date by 0 days changes nothing.", field_name="shift_days")


class AgreedValueSchema(OutputSchema):
    value = fields.String(allow_none=True)
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    note = fields.String(allow_none=True)
    source = fields.String(allow_none=True)


class RequirementChangeSchema(OutputSchema):
    id = fields.String(required=True)
    field = fields.String(required=True)
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    note = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    order_id = fields.String(
        allow_none=True,
        dump_default=None,
        metadata={"description": "The order changed with it (a field orders carry), if any."},
    )
    source_id = fields.String(
        allow_none=True,
        dump_default=None,
        metadata={"description": "What it was read from: the contact record whose 【特殊】 line stated it."},
    )
    notified = fields.List(fields.String(), required=True)


class RequirementsSchema(OutputSchema):
    customer_id = fields.String(required=True)
    fields_ = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(AgreedValueSchema),
        data_key="fields",
        attribute="fields",
        required=True,
    )
    changes = fields.List(fields.Nested(RequirementChangeSchema), required=True)


class StepStartSchema(_Request):
    by = acting_user_field()


class StepStartedSchema(OutputSchema):
    by = fields.String(required=True)
    department = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class StepSchema(OutputSchema):
    step = fields.String(required=True)
    department = fields.String(required=True)
    after = fields.List(fields.String(), required=True)
    requires = fields.List(fields.String(), required=True)
    open = fields.Boolean(required=True, metadata={"description": "True when it may start."})
    missing_fields = fields.List(fields.String(), required=True)
    missing_steps = fields.List(fields.String(), required=True)
    reasons = fields.List(fields.String(), required=True)
    started = fields.Nested(StepStartedSchema, allow_none=True)


class StepsSchema(OutputSchema):
    customer_id = fields.String(required=True)
    steps = fields.List(fields.Nested(StepSchema), required=True)


# --- measures and quality audits ----------------------------------------------------------------------


class QualityAuditRunSchema(_Request):
    now = fields.AwareDateTime(metadata={"description": "Quality audit as of this time (tests, replays); default now."})


class MeasuresQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    since = fields.AwareDateTime(metadata={"description": "Handoffs submitted from (default: 90 days ago)."})
    until = fields.AwareDateTime(metadata={"description": "… until (default: now)."})
    kind = fields.String(validate=KIND)


class DurationSchema(OutputSchema):
    count = fields.Integer(required=True)
    mean = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)


class PersonMeasuresSchema(OutputSchema):
    name = fields.String(required=True, metadata={"description": "A person, or a department."})
    department = fields.String(metadata={"description": "For people."})
    sent = fields.Integer(required=True)
    returned = fields.Integer(required=True, metadata={"description": "Of those sent, returned at least once."})
    return_rate = fields.Float(allow_none=True)
    refused = fields.Integer(required=True, metadata={"description": "Submissions refused by the checklist."})
    ready_to_submit_hours = fields.Nested(DurationSchema, required=True)
    received = fields.Integer(required=True)
    signed = fields.Integer(required=True)
    returns_made = fields.Integer(required=True)
    submit_to_sign_hours = fields.Nested(DurationSchema, required=True)


class KindMeasuresSchema(OutputSchema):
    kind = fields.String(required=True)
    handoffs = fields.Integer(required=True)
    return_rate = fields.Float(allow_none=True)
    submit_to_accept_hours = fields.Nested(DurationSchema, required=True)


class MissingCountSchema(OutputSchema):
    item = fields.String(required=True)
    count = fields.Integer(required=True)


class MeasuresSchema(OutputSchema):
    """Handoff timeliness (ready → submitted by senders, submitted → signed by receivers),
    return rates and the most common missing items."""

    since = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(required=True)
    kind = fields.String(allow_none=True)
    handoffs = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    returned = fields.Integer(required=True)
    return_rate = fields.Float(allow_none=True)
    refused = fields.Integer(required=True)
    info_pending = fields.Integer(required=True)
    overdue = fields.List(fields.String(), required=True, metadata={"description": "Info pending past the deadline."})
    info_completed_late = fields.Integer(required=True)
    people = fields.List(fields.Nested(PersonMeasuresSchema), required=True)
    departments = fields.List(fields.Nested(PersonMeasuresSchema), required=True)
    kinds = fields.List(fields.Nested(KindMeasuresSchema), required=True)
    missing_items = fields.List(fields.Nested(MissingCountSchema), required=True)


class SampledRecordSchema(OutputSchema):
    customer_id = fields.String(required=True)
    passed = fields.Boolean(required=True)
    missing = fields.List(fields.String(), required=True)
    reasons = fields.List(fields.String(), required=True)


class QualityAuditSchema(OutputSchema):
    """One person's quality audit: the records sampled, those returned for missing required fields."""

    id = fields.String(required=True)
    person = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    due_at = fields.AwareDateTime(required=True)
    sampled = fields.Integer(required=True)
    passed = fields.Boolean(required=True)
    records = fields.List(fields.Nested(SampledRecordSchema), required=True)
    returned = fields.List(fields.String(), required=True, metadata={"description": "Records to fill in."})
    passes_in_a_row = fields.Integer(required=True)
    relaxed = fields.Boolean(required=True, metadata={"description": "Audited less often after passes in a row."})
    next_at = fields.AwareDateTime(required=True)


class QualityAuditQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    person = fields.String(validate=PERSON)
    passed = fields.Boolean()


QualityAuditPageSchema = page_schema(QualityAuditSchema)
