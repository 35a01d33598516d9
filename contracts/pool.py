"""Requests to the public pool (公海) and what it lists: claims, releases, rejections, search,
salespeople, and reassigning a leaver's customers."""

from marshmallow import RAISE, Schema, fields, validate

from contracts.access import MANAGERS, USER_ID, acting_user_field
from contracts.base import OutputSchema
from contracts.deals import CUSTOMER_STAGES
from contracts.ownership import POOL_STATES, OwnershipSchema
from contracts.paging import ExportQuerySchema, PageQuerySchema, page_schema, sort_field

PERSON = USER_ID
REASON = [validate.Length(min=1, error="A reason is required."), validate.Length(max=500)]


class _Request(Schema):
    class Meta:
        unknown = RAISE


class ClaimSchema(_Request):
    by = acting_user_field("The salesperson claiming")


class ReleaseSchema(_Request):
    by = acting_user_field()
    reason = fields.String(
        required=True,
        validate=REASON,
        metadata={"description": "Read by the next person who claims it, e.g. 'no answer to 4 mails since June'."},
    )


class RejectSchema(ReleaseSchema):
    """Reject a customer: off every list but the monthly review, and on the do-not-contact list."""


class ReactivateSchema(ReleaseSchema):
    """Bring a rejected, dormant or invalid customer back to the public pool (new price, new product…)."""


class InvalidLeadSchema(ReleaseSchema):
    """Mark a lead invalid (无效线索): out of the screening queue and every list, the reason kept
    (not target industry, contact left…). Not the do-not-contact list: that is for rejected customers."""


class ReceiverSchema(OutputSchema):
    """Who receives a screened lead: the weighted round-robin's choice among the eligible salespeople."""

    customer_id = fields.String(required=True)
    receiver = fields.String(required=True)


class CollaboratorChangeSchema(_Request):
    """Naming or removing a collaborator: who is the path's ``<user>``, never the body's."""

    by = acting_user_field()


class CollaboratorSchema(CollaboratorChangeSchema):
    """What pool's ``set_collaborator`` loads: the gateway adds ``user`` from the path."""

    user = fields.String(required=True, validate=PERSON)


class ContactStatusQuerySchema(_Request):
    customer_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)), required=True, validate=validate.Length(min=1, max=500)
    )


class ContactStatusSchema(OutputSchema):
    customer_id = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(POOL_STATES))
    do_not_contact = fields.Boolean(required=True)
    reason = fields.String(required=True)


class ContactStatusListSchema(OutputSchema):
    items = fields.List(
        fields.Nested(ContactStatusSchema),
        required=True,
        metadata={"description": "The customers the pool knows, in the order asked."},
    )
    # Named apart from Schema.unknown (marshmallow's option for unknown fields); read and sent as "unknown".
    unknown_ids = fields.List(
        fields.String(),
        required=True,
        attribute="unknown",
        data_key="unknown",
        metadata={
            "description": "The ids asked that name no customer the pool knows (a typo, or merged away), in the "
            "order asked: never left out silently."
        },
    )


# Who reads the do-not-contact list: marketing honours it in its campaigns, managers review it.
DO_NOT_CONTACT_READERS = ("marketing", *MANAGERS)


class DoNotContactQuerySchema(PageQuerySchema):
    """The do-not-contact list, or whether a customer found by email, domain or phone is on it.
    Each is read as profile matches customers (any case or spacing; a phone to E.164 with
    ``country`` as the hint for a local number); several given must all find the customer."""

    class Meta:
        unknown = RAISE

    email = fields.String(validate=validate.Length(min=1, max=320), metadata={"description": "e.g. Jane@Acme.de"})
    domain = fields.String(
        validate=validate.Length(min=1, max=320),
        metadata={
            "description": "A company's domain, website or any address at it: acme.de, https://www.acme.de/en, x@acme.de."
        },
    )
    phone = fields.String(
        validate=validate.Length(min=1, max=60),
        metadata={"description": "As written: +49 30 1234567, 0049-30-1234567, or 030 1234567 with country."},
    )
    country = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "The country (any spelling) a local phone number is read in."},
    )


class DoNotContactIdsSchema(PageQuerySchema):
    """pool's side of the do-not-contact list: every rejected customer, or those of ``customer_ids``."""

    class Meta:
        unknown = RAISE

    customer_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=500)
    )


class DoNotContactSchema(OutputSchema):
    customer_id = fields.String(required=True)
    company = fields.String(required=True, allow_none=True)
    country = fields.String(required=True, allow_none=True, metadata={"description": "As given."})
    country_code = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, metadata={"description": "Why it was rejected, as the person wrote it."})
    rejected_at = fields.AwareDateTime(required=True)
    rejected_by = fields.String(required=True)


class DoNotContactPageSchema(page_schema(DoNotContactSchema)):  # type: ignore[misc]  # a class made at import
    """Customers marketing must not contact (rejected: 拒绝往来), most recently rejected first."""

    found = fields.List(
        fields.String(),
        metadata={
            "description": "Asked by email, domain or phone: the customers those found, on the list or not (empty: "
            "no customer has them). Absent for the whole list."
        },
    )


CLAIM_PERIODS = ("day", "week", "month")


class ClaimPeriodSchema(OutputSchema):
    period = fields.String(
        required=True,
        validate=validate.OneOf(CLAIM_PERIODS),
        metadata={
            "description": "A calendar period in the company's time zone (BATON.pool.time_zone); a week starts on "
            "BATON.pool.week_starts_on."
        },
    )
    used = fields.Integer(required=True, metadata={"description": "Claims counted in this period so far."})
    limit = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The most this person may claim in the period (their role's limit); null: no limit."},
    )
    remaining = fields.Integer(
        required=True, allow_none=True, metadata={"description": "limit - used, never below 0; null: no limit."}
    )
    resets_at = fields.AwareDateTime(
        required=True,
        metadata={
            "description": "When the next period starts and its count begins again (in the company's time zone)."
        },
    )


class ClaimAllowanceSchema(OutputSchema):
    """What a salesperson may still claim from the public pool: the limits and counts the claim
    rule itself applies. A claim needs a remaining claim in every period and held below max_held."""

    user_id = fields.String(required=True)
    limits = fields.List(
        fields.Nested(ClaimPeriodSchema),
        required=True,
        metadata={"description": "The day, the week and the month, in that order."},
    )
    held = fields.Integer(required=True, metadata={"description": "Customers they own now."})
    max_held = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The most customers they may hold (their role's cap); null: no cap."},
    )


class SweepSchema(_Request):
    now = fields.AwareDateTime(metadata={"description": "Sweep as of this time (tests, replays); default now."})


class SweepResultSchema(OutputSchema):
    warned = fields.Integer(required=True)
    returned = fields.Integer(required=True)
    dormant = fields.Integer(required=True)


class PoolQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    state = fields.String(load_default="public_pool", validate=validate.OneOf(POOL_STATES))
    owner_id = fields.String(validate=PERSON)
    country = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Any spelling: a name in a market's language (Germany, Deutschland, 德国), an ISO alpha-2 or "
            "alpha-3 code (DE, DEU) or a trade form; matched on its country_code. 400 naming country when "
            "no country has that spelling."
        },
    )
    grade = fields.String(validate=validate.OneOf(("A", "B", "C")))
    stage = fields.String(validate=validate.OneOf(CUSTOMER_STAGES))
    tag = fields.String(
        validate=validate.Length(max=60),
        metadata={"description": "A country in any spelling finds its ISO code's tag too."},
    )
    reason = fields.String(
        validate=validate.Length(max=100),
        metadata={
            "description": "Why it is in the pool: released, recycled, reactivated, nobody eligible… (prefix match)."
        },
    )
    last_contact_before = fields.AwareDateTime()
    last_contact_after = fields.AwareDateTime()
    sort = sort_field(("since", "company", "contact_clock"), "-since")


class PoolExportQuerySchema(PoolQuerySchema, ExportQuerySchema):
    """The pool search's filters, and optionally a file format (every matching entry)."""


class PoolEntrySchema(OwnershipSchema):
    company = fields.String(allow_none=True)
    country = fields.String(
        allow_none=True, metadata={"description": "As given (an ISO code for holdings from before country_code)."}
    )
    country_code = fields.String(
        allow_none=True,
        dump_default=None,
        metadata={"description": "ISO 3166-1 alpha-2 recognised from country; null: none given, or not recognised."},
    )
    intent_grade = fields.String(allow_none=True)
    stage = fields.String(allow_none=True)
    tags = fields.List(fields.String(), dump_default=list)
    last_contact_at = fields.AwareDateTime(allow_none=True)


PoolPageSchema = page_schema(PoolEntrySchema)


class ScreeningHandOverSchema(OutputSchema):
    handoff_id = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "submitted, info_pending, resubmitted or returned."})
    to_users = fields.List(fields.String(), required=True)
    submitted_at = fields.AwareDateTime(required=True)


class ScreeningEntrySchema(OutputSchema):
    """A lead in marketing's screening queue (GET /screening): what a screener reads first."""

    customer_id = fields.String(required=True)
    company = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    country_code = fields.String(allow_none=True)
    channel = fields.String(allow_none=True, metadata={"description": "The source channel it first came through."})
    campaign = fields.String(allow_none=True)
    initial_behaviour = fields.String(allow_none=True)
    inquiry_id = fields.String(allow_none=True)
    inquiry_text = fields.String(allow_none=True, metadata={"description": "The first inquiry's message, as written."})
    needs = fields.List(fields.String(), dump_default=list)
    possible_duplicates = fields.List(
        fields.String(),
        dump_default=list,
        metadata={"description": "Archives sharing matching keys with it: check them before handing it to sales."},
    )
    screening = fields.Dict(
        allow_none=True,
        dump_default=None,
        metadata={"description": "The screening recorded so far (POST /customers/<id>/screening), or null."},
    )
    hand_over = fields.Nested(
        ScreeningHandOverSchema,
        allow_none=True,
        dump_default=None,
        metadata={
            "description": "Its marketing → sales handoff not yet accepted (the lead is the receiver's once they "
            "sign; a returned one waits for marketing), or null."
        },
    )
    arrived_at = fields.AwareDateTime(required=True, metadata={"description": "When it entered the queue."})


ScreeningPageSchema = page_schema(ScreeningEntrySchema)


class RejectedEntrySchema(PoolEntrySchema):
    """A rejected customer on the monthly review list."""

    review_due_at = fields.AwareDateTime(required=True)
    new_inquiry = fields.Boolean(required=True, metadata={"description": "It wrote to us again since rejection."})


RejectedPageSchema = page_schema(RejectedEntrySchema)


class SalespersonSchema(OutputSchema):
    id = fields.String(required=True)
    team = fields.String(required=True)
    department = fields.String(required=True)
    role = fields.String(required=True)
    markets = fields.List(fields.String(), required=True, metadata={"description": "ISO codes; empty: every market."})
    grades = fields.List(fields.String(), required=True, metadata={"description": "Intent grades; empty: every grade."})
    on_leave = fields.Boolean(required=True)
    active = fields.Boolean(required=True, metadata={"description": "False once they have left."})
    weight = fields.Integer(required=True, metadata={"description": "The weight the rotation uses now."})
    computed_weight = fields.Integer(allow_none=True, metadata={"description": "From their conversion rate."})
    weight_override = fields.Integer(allow_none=True, metadata={"description": "Set by a manager; wins when set."})
    conversion_rate = fields.Float(allow_none=True)
    held = fields.Integer(required=True)


class SalespeopleSchema(OutputSchema):
    items = fields.List(fields.Nested(SalespersonSchema), required=True)


class WeightsSchema(OutputSchema):
    weights = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(allow_none=True),
        required=True,
        metadata={
            "description": "Each salesperson's weight from conversion; null with too few customers in the window."
        },
    )


class SalespersonUpdateSchema(_Request):
    by = acting_user_field()
    on_leave = fields.Boolean()
    weight_override = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100))
    markets = fields.List(fields.String(validate=validate.Length(equal=2)), validate=validate.Length(max=250))
    grades = fields.List(fields.String(validate=validate.OneOf(("A", "B", "C"))), validate=validate.Length(max=3))
    role = fields.String(validate=validate.Length(min=1, max=50))


EFFECTIVE_NOW, EFFECTIVE_ON_ACCEPTANCE = "now", "on_acceptance"  # when a leaver's customers move
LEAVING_EFFECTIVE = (EFFECTIVE_NOW, EFFECTIVE_ON_ACCEPTANCE)


class LeavingSchema(_Request):
    """A salesperson leaves: every customer they own moves, in one operation, with a record."""

    by = acting_user_field()
    to = fields.String(
        validate=PERSON,
        allow_none=True,
        metadata={"description": "A named successor; without one, each customer goes by the allocation rules."},
    )
    effective = fields.String(
        validate=validate.OneOf(LEAVING_EFFECTIVE),
        load_default=EFFECTIVE_NOW,
        metadata={
            "description": "now: the customers move at once (the person is gone). on_acceptance: successors are "
            "chosen, and each customer moves when its successor signs the handoff (serving notice)."
        },
    )


class MovedCustomerSchema(OutputSchema):
    customer_id = fields.String(required=True)
    to = fields.String(
        allow_none=True,
        metadata={
            "description": "None: nobody was eligible; it waits in the pool (effective now) or stays with the leaver "
            "(on acceptance)."
        },
    )
    effective = fields.String(
        validate=validate.OneOf(LEAVING_EFFECTIVE),
        load_default=EFFECTIVE_NOW,
        dump_default=EFFECTIVE_NOW,
        metadata={"description": "now: moved; on_acceptance: goes when its successor signs."},
    )


class ReassignmentSchema(OutputSchema):
    id = fields.String(required=True)
    leaver = fields.String(required=True)
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    to = fields.String(allow_none=True)
    moved = fields.List(fields.Nested(MovedCustomerSchema), required=True)
