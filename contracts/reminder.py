"""Reminders: what the notification service keeps for each user."""
from marshmallow import RAISE, fields, validate

from contracts.base import OutputSchema
from contracts.paging import PageQuerySchema, page_schema

REMINDER_KINDS = ("first_touch", "second_touch", "follow_up", "meeting_minutes", "recycling_warning",
                  "allocation_stalled", "handoff_waiting", "handoff_acceptance", "info_pending", "handoff_returned",
                  "handoff_withdrawn", "requirement_changed", "regrade")
REMINDER_STATUSES = ("pending", "firing", "fired", "done", "cancelled")
OPEN_STATUSES = ("pending", "firing", "fired")


class ReminderSchema(OutputSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REMINDER_KINDS))
    user_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    customer_name = fields.String(allow_none=True, metadata={
        "description": "The customer's company name as notification knows it now (a rename shows at once); "
                       "null until profile has told it."})
    subject_id = fields.String(allow_none=True, metadata={"description": "The handoff or change it is about."})
    due_at = fields.AwareDateTime(required=True)
    fire_at = fields.AwareDateTime(metadata={
        "description": "When it fires: due_at, or later while snoozed or deferred to the end of quiet hours."})
    status = fields.String(required=True, validate=validate.OneOf(REMINDER_STATUSES), metadata={
        "description": "pending (waiting), fired (notified, still open), done, cancelled (made moot)."})
    message = fields.String(required=True)
    details = fields.Dict(keys=fields.String(), dump_default=dict)
    created_at = fields.AwareDateTime(required=True)
    fired_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    close_reason = fields.String(allow_none=True, metadata={"description": "What did it, e.g. 'contacted by alice (phone)…'."})
    snoozed_until = fields.AwareDateTime(allow_none=True)
    snooze_reason = fields.String(allow_none=True)
    repeats = fields.Integer(dump_default=0, metadata={"description": "Repeats of the same reason collapsed into it."})


class ReminderListQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    status = fields.String(load_default="open", validate=validate.OneOf(("open",) + REMINDER_STATUSES), metadata={
        "description": "open (pending, firing or fired; the default), or one status."})
    kind = fields.String(validate=validate.OneOf(REMINDER_KINDS))
    customer_id = fields.String(validate=validate.Length(min=1, max=100))


ReminderPageSchema = page_schema(ReminderSchema)
