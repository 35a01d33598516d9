"""The business record of a customer: quotes, samples, orders, and stage changes.

Recording a step moves the customer along the stages of seed 004 (a quote makes it
``quoted``, a sample ``sample``, an order ``customer``); a later step never moves it back.
"""

from datetime import date
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from contracts.access import acting_user_field

CUSTOMER_STAGES = (
    "new_contact",
    "inquiry",
    "quoted",
    "sample",
    "negotiation",
    "customer",
    "lost",
    "invalid",
    "rejected",
    "dormant",
)
CURRENCY = validate.Regexp(r"^[A-Z]{3}\Z", error="An ISO 4217 code in capitals, e.g. USD.")
SIDE_STAGES_NEEDING_A_REASON = ("lost", "invalid", "rejected", "dormant")
ORDER_AMENDABLE = ("delivery_date", "payment_method")  # the order fields an agreed requirement may change


class QuoteSchema(Schema):
    """A price offered (报价: time, price, validity)."""

    class Meta:
        unknown = RAISE

    at = fields.AwareDateTime(required=True, metadata={"description": "When the quote was sent."})
    by = acting_user_field()
    product = fields.String(required=True, validate=validate.Length(min=1, max=300))
    unit_price = fields.Float(
        required=True, validate=validate.Range(min=0), metadata={"description": "Price fields are restricted by role."}
    )
    currency = fields.String(required=True, validate=CURRENCY)
    quantity = fields.Integer(validate=validate.Range(min=1))
    incoterm = fields.String(
        validate=validate.Length(max=20), metadata={"description": "e.g. FOB Ningbo, CIF Hamburg."}
    )
    valid_until = fields.AwareDateTime(allow_none=True)
    note = fields.String(validate=validate.Length(max=2000))


class SampleSchema(Schema):
    """A sample sent (样品: model, sent date, test period)."""

    class Meta:
        unknown = RAISE

    sent_at = fields.AwareDateTime(required=True)
    by = acting_user_field()
    model = fields.String(required=True, validate=validate.Length(min=1, max=300))
    quantity = fields.Integer(validate=validate.Range(min=1))
    test_days = fields.Integer(
        validate=validate.Range(min=0, max=365), metadata={"description": "The customer's test period."}
    )
    tracking = fields.String(validate=validate.Length(max=100))
    note = fields.String(validate=validate.Length(max=2000))


class OrderSchema(Schema):
    """An order placed (合作: amount, delivery date, payment method)."""

    class Meta:
        unknown = RAISE

    at = fields.AwareDateTime(required=True)
    by = acting_user_field()
    amount = fields.Float(required=True, validate=validate.Range(min=0))
    currency = fields.String(required=True, validate=CURRENCY)
    products = fields.List(fields.String(validate=validate.Length(min=1, max=300)), validate=validate.Length(max=100))
    delivery_date = fields.Date(allow_none=True)
    payment_method = fields.String(
        validate=validate.Length(max=100), metadata={"description": "e.g. 30% T/T deposit, 70% before shipment."}
    )
    note = fields.String(validate=validate.Length(max=2000))


def _recorded(schema, **kept_as):
    """The same record as the archive keeps it: with its id and when it was recorded."""
    return type(
        f"{schema.__name__.removesuffix('Schema')}RecordSchema",
        (schema,),
        {
            "Meta": type("Meta", (), {"unknown": EXCLUDE}),
            "id": fields.String(required=True),
            "by": fields.String(required=True),
            "recorded_at": fields.AwareDateTime(required=True),
            **kept_as,
        },
    )


QuoteRecordSchema = _recorded(QuoteSchema)
SampleRecordSchema = _recorded(SampleSchema)
# Documents have datetimes but no dates, so a delivery date is kept (and shown) as its ISO text.
OrderRecordSchema = _recorded(
    OrderSchema, delivery_date=fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD."})
)
DEAL_STEPS = {"quotes": QuoteSchema, "samples": SampleSchema, "orders": OrderSchema}


class StageChangeSchema(Schema):
    """Move a customer to a stage by hand; leaving the main path needs a reason (lost: why)."""

    class Meta:
        unknown = RAISE

    stage = fields.String(required=True, validate=validate.OneOf(CUSTOMER_STAGES))
    by = acting_user_field()
    reason = fields.String(validate=validate.Length(min=1, max=500))

    @validates_schema
    def reason_when_leaving(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("stage") in SIDE_STAGES_NEEDING_A_REASON and not (data.get("reason") or "").strip():
            raise ValidationError(f"A reason is required for stage {data['stage']!r}.", field_name="reason")


class OrderAmendmentSchema(Schema):
    """A change to an order an agreed requirement brings (handoff asks profile: "deliver 10 days
    earlier" moves the order's delivery date). Not a public route: handoff calls it as the system."""

    class Meta:
        unknown = RAISE

    field = fields.String(
        required=True, validate=validate.OneOf(ORDER_AMENDABLE), metadata={"description": "The order field changed."}
    )
    value = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "The new value (a delivery date as YYYY-MM-DD); null clears it."},
    )
    by = fields.String(required=True, validate=validate.Length(min=1, max=100))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    change_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"description": "The requirement change that brings it: asked twice, it is applied once."},
    )

    @validates_schema
    def date_is_a_date(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("field") == "delivery_date" and data.get("value") is not None:
            try:
                date.fromisoformat(data["value"])
            except ValueError as exc:
                raise ValidationError("A delivery date is YYYY-MM-DD.", field_name="value") from exc
