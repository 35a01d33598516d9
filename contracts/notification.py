"""What people set and read about their notifications: preferences, snooze and done, the in-app
inbox, deliveries with their attempts, and the installed channels."""

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from contracts.access import acting_user_field
from contracts.base import OutputSchema
from contracts.paging import PageQuerySchema, page_schema

CLOCK = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d\Z", error="A time of day as HH:MM (24 h).")
CHANNEL = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}\Z", error="A channel name (lower case, digits, _).")
WHO = validate.Length(min=1, max=100)
REASON = validate.Length(min=1, max=500)
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed")
MAX_SNOOZE_MINUTES = 90 * 24 * 60


def known_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("Not an IANA time zone, e.g. Asia/Shanghai or Europe/Berlin.") from exc


class _Request(Schema):
    class Meta:
        unknown = RAISE


class QuietHoursSchema(_Request):
    start = fields.String(
        required=True, validate=CLOCK, metadata={"description": "Local time quiet hours begin, e.g. 22:00."}
    )
    end = fields.String(
        required=True,
        validate=CLOCK,
        metadata={"description": "Local time they end, e.g. 07:30 (next day when earlier than start)."},
    )


class PreferencesUpdateSchema(_Request):
    """What a person changes about how and when they are told; fields left out stay as they are."""

    time_zone = fields.String(
        validate=known_zone,
        metadata={"description": "An IANA time zone, e.g. Asia/Shanghai.", "json_schema": {"minLength": 1}},
    )
    quiet_hours = fields.Nested(
        QuietHoursSchema,
        allow_none=True,
        metadata={
            "description": "Nothing is sent in these hours; what falls due then goes out when they end. null: none."
        },
    )
    digest = fields.Boolean(
        metadata={"description": "One daily digest instead of a message per reminder (the inbox still gets each)."}
    )
    digest_at = fields.String(validate=CLOCK, metadata={"description": "Local time of the daily digest."})
    channels = fields.List(
        fields.String(validate=CHANNEL),
        validate=validate.Length(max=20),
        metadata={"description": "Channel names (GET /notification-channels), e.g. [inbox, email, webhook]."},
    )
    addresses = fields.Dict(
        keys=fields.String(validate=CHANNEL),
        values=fields.String(validate=validate.Length(max=2000)),
        metadata={"description": "Per channel: an email address, a webhook URL…"},
    )
    secrets = fields.Dict(
        keys=fields.String(validate=CHANNEL),
        values=fields.String(validate=validate.Length(min=16, max=200)),
        metadata={"description": "Per channel signing secrets (webhook HMAC); never shown again."},
    )

    @validates("channels")
    def no_repeats(self, value: list[str], **kwargs: Any) -> None:
        if len(set(value)) != len(value):
            raise ValidationError("A channel is listed twice.")


class PreferencesSchema(OutputSchema):
    user_id = fields.String(required=True)
    time_zone = fields.String(required=True)
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True)
    digest = fields.Boolean(required=True)
    digest_at = fields.String(required=True)
    channels = fields.List(fields.String(), required=True)
    addresses = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    secrets_set = fields.List(fields.String(), required=True, metadata={"description": "Channels with a secret set."})
    updated_at = fields.AwareDateTime(allow_none=True)


class FireSchema(_Request):
    now = fields.AwareDateTime(metadata={"description": "Fire as of this time (tests, replays); default now."})


class SnoozeSchema(_Request):
    by = acting_user_field("Who snoozes (the person reminded)")
    until = fields.AwareDateTime(metadata={"description": "Fire again at this time…"})
    minutes = fields.Integer(
        validate=validate.Range(min=1, max=MAX_SNOOZE_MINUTES),
        metadata={"description": "…or this many minutes from now."},
    )
    reason = fields.String(validate=REASON, metadata={"description": "e.g. 'customer travelling, call next week'."})

    @validates_schema
    def one_time(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("until" in data) == ("minutes" in data):
            raise ValidationError("Give either until or minutes.", "until")


class DoneSchema(_Request):
    by = acting_user_field("Who marks it done (the person reminded)")
    note = fields.String(validate=REASON)


class InboxQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    unread = fields.Boolean(load_default=False, metadata={"description": "Only entries not yet read."})
    digest = fields.String(
        validate=validate.Length(min=1, max=300),
        metadata={
            "description": "The entries a digest entry (kind inbox_digest) stands for, instead of the inbox as shown."
        },
    )


class InboxEntrySchema(OutputSchema):
    id = fields.String(required=True)
    user_id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    customer_id = fields.String(allow_none=True)
    customer_name = fields.String(
        allow_none=True,
        metadata={
            "description": "The customer's company name as notification knows it now (a rename shows at once); "
            "null when there is no customer or its name is not known yet."
        },
    )
    due_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "The original due time, even when sent late."}
    )
    fired_at = fields.AwareDateTime(required=True)
    read = fields.Boolean(required=True)
    read_at = fields.AwareDateTime(allow_none=True)
    details = fields.Dict(
        keys=fields.String(),
        dump_default=dict,
        metadata={
            "description": "The reminder's details, as on GET /reminders/<id> (people by id, times in ISO 8601, "
            "e.g. requirement_changed {field, before, after, by}): what a client words the entry "
            "from in the reader's language and time zone. {} for a notice without a reminder. "
            "An inbox_digest: {of_kind, count, customers: [{customer_id, customer_name}]}; a "
            "manager_summary: {day, overdue: [{user_id, count}], recycling: [{customer_id, "
            "customer_name, owner_id, returns_at}], within_days}."
        },
    )
    # read from item_ids: a dict without the key would give marshmallow its bound method dict.items
    items = fields.List(
        fields.String(),
        attribute="item_ids",
        dump_default=list,
        metadata={
            "description": "An inbox_digest's entries (many notices of one kind within a short window), each "
            "still readable: GET /users/<id>/inbox?digest=<this id>. [] otherwise."
        },
    )
    grouped_in = fields.String(allow_none=True, metadata={"description": "The digest entry that lists this one."})


InboxPageSchema = page_schema(InboxEntrySchema)


class ReadSchema(_Request):
    by = acting_user_field("Who read it")


class AttemptSchema(OutputSchema):
    at = fields.AwareDateTime(required=True)
    ok = fields.Boolean(required=True)
    error = fields.String(allow_none=True)
    receipt = fields.String(allow_none=True)
    permanent = fields.Boolean(allow_none=True)


class DeliverySchema(OutputSchema):
    id = fields.String(required=True)
    notice_id = fields.String(required=True)
    user_id = fields.String(required=True)
    channel = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(DELIVERY_STATUSES),
        metadata={"description": "pending (next attempt at next_attempt_at), sending, delivered, failed (for good)."},
    )
    attempts = fields.List(fields.Nested(AttemptSchema), required=True)
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    failed_at = fields.AwareDateTime(allow_none=True)
    receipt = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)


class DeliveryQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    user_id = fields.String(validate=WHO)
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    channel = fields.String(validate=CHANNEL)


DeliveryPageSchema = page_schema(DeliverySchema)


class ChannelSchema(OutputSchema):
    name = fields.String(required=True)
    description = fields.String(required=True)
    needs_address = fields.Boolean(required=True)
    digestible = fields.Boolean(
        required=True, metadata={"description": "False: takes every notice at once, even in digest mode."}
    )


class ChannelListSchema(OutputSchema):
    channels = fields.List(fields.Nested(ChannelSchema), required=True)
    broken_plugins = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Channel plugins that failed to declare themselves, with why."},
    )


class WebhookItemSchema(OutputSchema):
    id = fields.String(required=True, metadata={"description": "The notice id: the same on every retry."})
    user_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "A reminder kind (contracts.reminder) or 'digest'."})
    title = fields.String(required=True)
    body = fields.String(required=True)
    customer_id = fields.String(allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True, metadata={"description": "When it was due, even if sent late."})
    fired_at = fields.AwareDateTime(required=True)


class WebhookNotificationSchema(WebhookItemSchema):
    """What the webhook channel POSTs, signed: X-Baton-Signature is sha256=HMAC-SHA256(secret,
    '<X-Baton-Timestamp>.<raw body>'); X-Baton-Delivery repeats ``id``."""

    event = fields.String(required=True, validate=validate.Equal("baton.notification"))
    items = fields.List(
        fields.Nested(WebhookItemSchema),
        required=True,
        metadata={"description": "A digest's notices; empty otherwise."},
    )
