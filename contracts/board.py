"""The team board for managers: per salesperson, what needs their attention now — each figure as
the service that owns it answers it (no rule of its own)."""

from marshmallow import RAISE, Schema, fields, validate

from contracts.base import OutputSchema
from contracts.pool import ClaimAllowanceSchema


class TeamBoardQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    team = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "Only this sales team's people; default: every salesperson the caller may see."},
    )


class PersonBoardSchema(OutputSchema):
    user_id = fields.String(required=True)
    team = fields.String(required=True)
    on_leave = fields.Boolean(required=True)
    overdue_reminders = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Reminders past their due time and not done (notification's fired ones); null: not yours "
            "to see."
        },
    )
    open_reminders = fields.Integer(allow_none=True, metadata={"description": "Pending or fired."})
    handoffs_waiting = fields.Integer(
        allow_none=True, metadata={"description": "Handoffs waiting for their signature."}
    )
    claims = fields.Nested(
        ClaimAllowanceSchema,
        allow_none=True,
        metadata={"description": "Claims used and left today, this week and this month, and customers held (pool)."},
    )


class TeamBoardSchema(OutputSchema):
    """Every active salesperson (of ``team``), by id."""

    items = fields.List(fields.Nested(PersonBoardSchema), required=True)
