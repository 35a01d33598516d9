"""Reminders: what the notification service keeps for each user."""

from marshmallow import RAISE, fields, validate

from contracts.base import OutputSchema
from contracts.paging import PageQuerySchema, page_schema

REMINDER_KINDS = (
    "first_touch",
    "second_touch",
    "follow_up",
    "meeting_minutes",
    "recycling_warning",
    "allocation_stalled",
    "handoff_waiting",
    "handoff_acceptance",
    "info_pending",
    "handoff_returned",
    "handoff_withdrawn",
    "requirement_changed",
    "regrade",
    "returned_to_pool",
    "owner_handoff",
)
REMINDER_STATUSES = ("pending", "firing", "fired", "done", "cancelled")
OPEN_STATUSES = ("pending", "firing", "fired")


class ReminderSchema(OutputSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(REMINDER_KINDS))
    user_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    customer_name = fields.String(
        allow_none=True,
        metadata={
            "description": "The customer's company name as notification knows it now (a rename shows at once); "
            "null until profile has told it."
        },
    )
    subject_id = fields.String(allow_none=True, metadata={"description": "The handoff or change it is about."})
    due_at = fields.AwareDateTime(required=True)
    fire_at = fields.AwareDateTime(
        metadata={"description": "When it fires: due_at, or later while snoozed or deferred to the end of quiet hours."}
    )
    status = fields.String(
        required=True,
        validate=validate.OneOf(REMINDER_STATUSES),
        metadata={"description": "pending (waiting), fired (notified, still open), done, cancelled (made moot)."},
    )
    message = fields.String(required=True)
    details = fields.Dict(
        keys=fields.String(),
        dump_default=dict,
        metadata={
            "description": "What it is about, as data (people by user id, times in ISO 8601) for a client to word it in "
            "the reader's language and time zone; ``message`` is the same in English. Per kind: "
            "first_touch {}; second_touch {record_id, contact_at, method}; follow_up {why, last_contact_at, "
            "basis (planned, intent_grade, value_grade, active_stage, win_back), grade?, stage?, every_hours}; "
            "meeting_minutes {record_id, meeting_at, method}; regrade {graded_at, intent_grade, value_grade}; "
            "recycling_warning {returns_at, reason}; allocation_stalled {team, reasons, by_person: "
            "[{person, reasons}]}; handoff_waiting, handoff_acceptance, info_pending {handoff_id, kind, "
            "from_user, missing (checklist item names, comma-separated), info_pending, pending_until, "
            "submitted_at}; handoff_returned {handoff_id, kind, by, reasons}; handoff_withdrawn "
            "{handoff_id, kind, by, reason}; requirement_changed {field, before, after, by, note, source, "
            "order_id} (before, after and note null for a requirement named as a price; order_id: the "
            "order changed with it); returned_to_pool {returned_at, reason, by}; owner_handoff (the owner told that someone "
            "hands their customer to another) {handoff_id, kind, from_user, to_users, submitted_at}. "
            "Reminders made before a detail was added lack it."
        },
    )
    created_at = fields.AwareDateTime(required=True)
    fired_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    close_reason = fields.String(
        allow_none=True, metadata={"description": "What did it, e.g. 'contacted by alice (phone)…'."}
    )
    snoozed_until = fields.AwareDateTime(allow_none=True)
    snooze_reason = fields.String(allow_none=True)
    repeats = fields.Integer(dump_default=0, metadata={"description": "Repeats of the same reason collapsed into it."})


class ReminderListQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    status = fields.String(
        load_default="open",
        validate=validate.OneOf(("open",) + REMINDER_STATUSES),
        metadata={"description": "open (pending, firing or fired; the default), or one status."},
    )
    kind = fields.String(validate=validate.OneOf(REMINDER_KINDS))
    customer_id = fields.String(validate=validate.Length(min=1, max=100))


ReminderPageSchema = page_schema(ReminderSchema)
