"""Parked events: an event a service's handler failed on every time it was given it. It is kept
with the error, and the queue goes on; an admin lists them and, once the cause is fixed, has the
service handle them again."""

from marshmallow import RAISE, Schema, fields, validate

from contracts.base import OutputSchema
from contracts.paging import PageQuerySchema, page_schema

# The services with event handlers: each answers for the events it parked.
EVENT_HANDLING_SERVICES = ("intake", "profile", "pool", "handoff", "notification")
PARKED_ID = validate.Regexp(r"^prk_[0-9a-f]{24}\Z", error="Not a parked event id.")


class ParkedEventSchema(OutputSchema):
    id = fields.String(required=True)
    service = fields.String(required=True, metadata={"description": "The service whose handler failed."})
    handler = fields.String(required=True, metadata={"description": "The handler (method) that failed."})
    source = fields.String(required=True, metadata={"description": "The service that dispatched the event."})
    event_type = fields.String(required=True)
    payload = fields.Raw(
        allow_none=True,
        metadata={"description": "The event as it was sent (its JSON, or its text when it was not JSON)."},
    )
    error = fields.String(required=True, metadata={"description": "Why the handler failed, the last time."})
    attempts = fields.Integer(required=True)
    parked_at = fields.AwareDateTime(required=True)


class ParkedEventQuerySchema(PageQuerySchema):
    class Meta:
        unknown = RAISE

    event_type = fields.String(validate=validate.Length(max=100))


ParkedEventPageSchema = page_schema(ParkedEventSchema)


class RetryParkedSchema(Schema):
    """Which parked events to hand to their handlers again: ``ids``, or every one (at most ``limit``)."""

    class Meta:
        unknown = RAISE

    ids = fields.List(fields.String(validate=PARKED_ID), validate=validate.Length(max=1000))
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 10_000))


class RetryParkedResultSchema(OutputSchema):
    retried = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Handed to their handlers again (one that fails again is parked again)."},
    )
