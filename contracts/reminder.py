"""Reminders: what the notification service keeps for each user."""
from marshmallow import RAISE, fields, validate

from contracts.base import OutputSchema
from contracts.paging import PageQuerySchema, page_schema

REMINDER_KINDS = ("first_touch",)
REMINDER_STATUSES = ("pending", "done", "cancelled")


class ReminderSchema(OutputSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REMINDER_KINDS))
    user_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    due_at = fields.AwareDateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf(REMINDER_STATUSES))
    message = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


class ReminderListQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    status = fields.String(load_default="pending", validate=validate.OneOf(REMINDER_STATUSES))


ReminderPageSchema = page_schema(ReminderSchema)
