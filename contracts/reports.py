"""Reports for managers (and marketing): what each asks and answers.

Every report covers a period of calendar months, ``from`` and ``to`` as "YYYY-MM" (both
included); without them, the last ``BATON.reports.default_months`` months up to the current
one. Percentages are 0–100 with one decimal, and null where they would divide by zero.
"""

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from contracts.base import OutputSchema
from contracts.handoff import KIND, MeasuresSchema
from contracts.paging import ExportQuerySchema

# Years 1900-2999: a report for year 0000 (or 9999, whose month after overflows) is refused, not a crash.
MONTH = validate.Regexp(
    r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])\Z", error="A month as YYYY-MM between 1900-01 and 2999-12, e.g. 2026-03."
)
PLACE_KINDS = ("country", "region")


def _month_field(key, description):
    return fields.String(data_key=key, validate=MONTH, metadata={"description": description})


# --- what a report asks ------------------------------------------------------------------------


class PeriodQuerySchema(Schema):
    """The months a report covers."""

    class Meta:
        unknown = RAISE

    first = _month_field("from", "The first month (YYYY-MM); default: BATON.reports.default_months months up to 'to'.")
    last = _month_field("to", "The last month (YYYY-MM), included; default: the current month.")

    @validates_schema
    def in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("first") and data.get("last") and data["first"] > data["last"]:
            raise ValidationError(f"After 'to' ({data['last']}).", field_name="from")


class PlaceQuerySchema(PeriodQuerySchema):
    by = fields.String(
        load_default="country",
        validate=validate.OneOf(PLACE_KINDS),
        metadata={"description": "Count per ISO country, or per region (BATON.reports.regions)."},
    )


class DemandQuerySchema(PeriodQuerySchema):
    by = fields.String(
        load_default="region",
        validate=validate.OneOf(PLACE_KINDS),
        metadata={"description": "Shares of customers asking for each need per region, or per ISO country."},
    )


class HandoffTimelinessQuerySchema(PeriodQuerySchema):
    kind = fields.String(validate=KIND)


class PeriodExportQuerySchema(PeriodQuerySchema, ExportQuerySchema):
    """A report's period, and optionally a file format."""


class PlaceExportQuerySchema(PlaceQuerySchema, ExportQuerySchema):
    """A report's period and places, and optionally a file format."""


class DemandExportQuerySchema(DemandQuerySchema, ExportQuerySchema):
    """The demand report's period and places, and optionally a file format."""


class HandoffTimelinessExportQuerySchema(HandoffTimelinessQuerySchema, ExportQuerySchema):
    """The handoff report's period and kind, and optionally a file format."""


# --- what reports answer -----------------------------------------------------------------------


class PeriodAnswerSchema(OutputSchema):
    """The months a report covers."""

    first = fields.String(required=True, data_key="from")
    last = fields.String(required=True, data_key="to")


class MonthOnMonthSchema(OutputSchema):
    inquiries = fields.Integer(required=True)
    previous = fields.Integer(required=True, metadata={"description": "Inquiries the month before."})
    change = fields.Integer(required=True, metadata={"description": "This month minus the month before."})
    change_pct = fields.Float(
        allow_none=True,
        metadata={"description": "The change in % of the month before; null when the month before had none."},
    )


class PlaceMonthSchema(MonthOnMonthSchema):
    place = fields.String(
        allow_none=True,
        metadata={
            "description": "An ISO 3166 alpha-2 country code (null: no country known or recognised), or a region."
        },
    )
    name = fields.String(
        allow_none=True,
        metadata={"description": "The country's name in BATON.countries.display_language (when counted per country)."},
    )
    region = fields.String(
        allow_none=True,
        metadata={"description": "The country's region (when counted per country); null: in no region."},
    )


class MonthOfPlacesSchema(MonthOnMonthSchema):
    """One month, every place together and each place."""

    month = fields.String(required=True)
    places = fields.List(
        fields.Nested(PlaceMonthSchema),
        required=True,
        metadata={
            "description": "Most inquiries first; a place with none this month but some the month before is listed."
        },
    )


class InquiriesByPlaceReportSchema(PeriodAnswerSchema):
    """Inquiries received per country (or region) and month, with the month-on-month change."""

    by = fields.String(required=True)
    months = fields.List(fields.Nested(MonthOfPlacesSchema), required=True)


class ProductDemandSchema(OutputSchema):
    product = fields.String(required=True, metadata={"description": "As first written (compared without case)."})
    inquiries = fields.Integer(required=True)
    customers = fields.Integer(required=True)


class NeedShareSchema(OutputSchema):
    need = fields.String(required=True, metadata={"description": "A need of BATON.reports.needs, e.g. CE."})
    customers = fields.Integer(required=True, metadata={"description": "Customers who asked for it."})
    share_pct = fields.Float(allow_none=True, metadata={"description": "Of the customers who inquired there."})


class PlaceNeedsSchema(OutputSchema):
    place = fields.String(
        allow_none=True,
        metadata={
            "description": "An ISO 3166 alpha-2 country code (null: no country known or recognised), or a region."
        },
    )
    name = fields.String(
        allow_none=True,
        metadata={"description": "The country's name in BATON.countries.display_language (when counted per country)."},
    )
    customers = fields.Integer(required=True, metadata={"description": "Customers who inquired in the period."})
    needs = fields.List(
        fields.Nested(NeedShareSchema),
        required=True,
        metadata={"description": "Every configured need, most asked first."},
    )


class DemandReportSchema(PeriodAnswerSchema):
    """The products most asked for, and the share of customers asking for each need
    ("80% of EU customers ask for CE"), overall and per region or country."""

    by = fields.String(required=True)
    customers = fields.Integer(required=True, metadata={"description": "Customers who inquired in the period."})
    products = fields.List(
        fields.Nested(ProductDemandSchema),
        required=True,
        metadata={"description": "At most BATON.reports.top_products, most inquiries first."},
    )
    needs = fields.List(fields.Nested(NeedShareSchema), required=True)
    places = fields.List(fields.Nested(PlaceNeedsSchema), required=True)


class FollowUpFiguresSchema(OutputSchema):
    samples = fields.Integer(
        required=True,
        metadata={"description": "Customers whose first sample after their first quote was sent in the period."},
    )
    average_days = fields.Float(allow_none=True, metadata={"description": "First quote → that sample, in days."})
    median_days = fields.Float(allow_none=True)
    waiting = fields.Integer(
        required=True, metadata={"description": "Customers first quoted in the period with no sample sent yet."}
    )


class SalespersonFollowUpSchema(FollowUpFiguresSchema):
    salesperson = fields.String(required=True, metadata={"description": "Who made the first quote."})


class FollowUpReportSchema(PeriodAnswerSchema):
    """Follow-up efficiency: time from a customer's first quote to its first sample, per salesperson."""

    people = fields.List(fields.Nested(SalespersonFollowUpSchema), required=True)
    overall = fields.Nested(FollowUpFiguresSchema, required=True)


class ConversionFiguresSchema(OutputSchema):
    opened = fields.Integer(required=True, metadata={"description": "Customers first opened in the period."})
    converted = fields.Integer(required=True, metadata={"description": "Of those, customers with an order (so far)."})
    rate_pct = fields.Float(allow_none=True)


class CampaignConversionSchema(ConversionFiguresSchema):
    campaign = fields.String(allow_none=True, metadata={"description": "null: no campaign given."})


class ChannelConversionSchema(ConversionFiguresSchema):
    channel = fields.String(required=True)
    campaigns = fields.List(fields.Nested(CampaignConversionSchema), required=True)


class ConversionReportSchema(PeriodAnswerSchema):
    """Conversion by lead source (the monthly review): customers opened in the period per source
    channel and campaign, and how many of them became customers (an order)."""

    channels = fields.List(fields.Nested(ChannelConversionSchema), required=True)
    total = fields.Nested(ConversionFiguresSchema, required=True)


class HandoffTimelinessReportSchema(PeriodAnswerSchema, MeasuresSchema):
    """The handoff measures (GET /measures/handoffs) over the period's months."""


class ReasonCountSchema(OutputSchema):
    reason = fields.String(
        required=True, metadata={"description": "Reasons differing only in letter case or spacing count as one."}
    )
    count = fields.Integer(required=True)


class StageReasonSchema(ReasonCountSchema):
    stage = fields.String(
        required=True, metadata={"description": "One of BATON.reports.lost_stages (lost, invalid, rejected)."}
    )


class LostReasonsSchema(PeriodAnswerSchema):
    """Customers moved to a lost stage in the period, per stage and reason (profile)."""

    total = fields.Integer(required=True)
    reasons = fields.List(fields.Nested(StageReasonSchema), required=True)


class RejectedReasonsSchema(PeriodAnswerSchema):
    """Customers rejected in the pool in the period and rejected still, per reason (pool)."""

    total = fields.Integer(required=True)
    reasons = fields.List(fields.Nested(ReasonCountSchema), required=True)


class LostAndRejectedReportSchema(PeriodAnswerSchema):
    """Why customers were lost: stage changes with their reasons, and rejections in the pool."""

    lost = fields.Nested(LostReasonsSchema, required=True)
    rejected_in_pool = fields.Nested(RejectedReasonsSchema, required=True)


class StageCountsSchema(OutputSchema):
    """Customers the caller sees, in all and at each stage now (the dashboard's funnel)."""

    total = fields.Integer(required=True)
    stages = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, metadata={"description": "Stage -> customers."}
    )


# --- filling in report facts for archives opened before they existed ------------------------------


class BackfillRequestSchema(Schema):
    """One batch of archives (or holdings), in id order after ``after``."""

    class Meta:
        unknown = RAISE

    after = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=2000))


class BackfillResultSchema(OutputSchema):
    examined = fields.Integer(required=True)
    written = fields.Integer(required=True, metadata={"description": "Documents written now (not there before)."})
    next_after = fields.String(allow_none=True, metadata={"description": "Ask again with after=this; null: done."})
