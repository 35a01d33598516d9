"""Communication records (备注规范), as a salesperson records them and as the archive keeps them."""

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from contracts.access import acting_user_field

METHODS = ("phone", "email", "whatsapp", "wechat", "linkedin", "meeting", "video_call", "trade_show", "other")


class CommunicationSchema(Schema):
    """One contact with the customer: when, how, what happened, and what the customer said."""

    class Meta:
        unknown = RAISE

    at = fields.AwareDateTime(required=True, metadata={"description": "When it happened (ISO 8601 with offset)."})
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    by = acting_user_field("Who talked to the customer")
    summary = fields.String(
        required=True,
        validate=validate.Length(min=1, max=5000),
        metadata={
            "description": "Action and result: 'phone call, customer confirmed 500 pcs, asked for 10% off, quote sent'. "
            "Lines starting with 【特殊】 are special requirements."
        },
    )
    customer_words = fields.String(
        validate=validate.Length(max=5000), metadata={"description": "What the customer said, in their words."}
    )
    result = fields.String(
        validate=validate.Length(max=500), metadata={"description": "e.g. 'no answer', 'quote requested'."}
    )
    next_follow_up_at = fields.AwareDateTime(allow_none=True)


class CommunicationRecordSchema(CommunicationSchema):
    class Meta:
        unknown = EXCLUDE  # as kept on the archive: an output (see contracts.base)

    by = fields.String(required=True, metadata={"description": "Who talked to the customer."})
    id = fields.String(required=True)
    recorded_at = fields.AwareDateTime(required=True)
    recorded_after_minutes = fields.Integer(
        allow_none=True, dump_default=None, metadata={"description": "How long after it happened it was recorded."}
    )
    recorded_late = fields.Boolean(
        dump_default=False,
        metadata={
            "description": "Recorded later than the notes convention asks (BATON.communications.record_within_minutes)."
        },
    )
