"""Events between services: names in the past tense, each with its payload schema.

A dispatcher dumps the payload with the event's schema; a handler loads it with the same
schema, so both sides agree on one definition. Every event carries the id that makes its
handling idempotent (an inquiry, customer or reminder id).
"""
from marshmallow import fields

from contracts.base import OutputSchema
from contracts.inquiry import InquirySchema


class InquiryReceived(OutputSchema):
    """intake accepted an inquiry and stored it."""

    inquiry_id = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True)
    inquiry = fields.Nested(InquirySchema, required=True)


class CustomerCreated(OutputSchema):
    """profile opened a new archive from an inquiry."""

    customer_id = fields.String(required=True)
    inquiry_id = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    company = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    country_code = fields.String(load_default=None, allow_none=True, metadata={"description": "ISO 3166 alpha-2 when known."})
    intent_grade = fields.String(allow_none=True)
    requested_owner = fields.String(load_default=None, allow_none=True, metadata={
        "description": "A salesperson who filed it by hand and keeps it; otherwise the rotation decides."})
    needs_review = fields.Boolean(load_default=False, metadata={
        "description": "It may duplicate other archives; it waits unallocated until a person decides."})


class InquiryMatched(OutputSchema):
    """profile merged an inquiry into an existing archive."""

    customer_id = fields.String(required=True)
    inquiry_id = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    matched_on = fields.String(required=True, metadata={"description": "The matching key, e.g. 'email'."})


class CustomersMerged(OutputSchema):
    """profile merged one archive into another; the absorbed id is no longer a customer."""

    kept_id = fields.String(required=True)
    absorbed_id = fields.String(required=True)
    by = fields.String(required=True)
    merged_at = fields.AwareDateTime(required=True)


class CustomerAllocated(OutputSchema):
    """pool gave a customer an owner."""

    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)
    team = fields.String(required=True)
    allocated_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)


class CustomerUpdated(OutputSchema):
    """profile changed an archive: what other services filter and decide by, as it is now.
    ``version`` orders them: a handler ignores one older than what it has."""

    customer_id = fields.String(required=True)
    version = fields.Integer(required=True)
    company = fields.String(allow_none=True)
    country = fields.String(allow_none=True, metadata={"description": "ISO 3166 alpha-2 when known."})
    intent_grade = fields.String(allow_none=True)
    stage = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    last_contact_at = fields.AwareDateTime(allow_none=True, metadata={"description": "Latest inquiry or communication."})
    last_follow_up_at = fields.AwareDateTime(allow_none=True, metadata={"description": "Latest communication recorded."})
    has_open_need = fields.Boolean(required=True)
    deal_closed = fields.Boolean(required=True)


class CustomerReturned(OutputSchema):
    """pool took a customer from its owner (or moved it between pools): released, recycled,
    dormant, rejected or reactivated."""

    customer_id = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "public_pool, dormant or rejected."})
    previous_owner_id = fields.String(allow_none=True)
    reason = fields.String(required=True)
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class RecyclingWarned(OutputSchema):
    """pool warned an owner that a customer returns to the pool unless followed up."""

    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)
    reason = fields.String(required=True)
    due_at = fields.AwareDateTime(required=True, metadata={"description": "When it returns to the pool."})
    warned_at = fields.AwareDateTime(required=True)


class AllocationStalled(OutputSchema):
    """pool found nobody eligible for a customer: it waits in the pool and a manager is told."""

    customer_id = fields.String(required=True)
    team = fields.String(required=True)
    reasons = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                          metadata={"description": "Each salesperson and why they could not take it."})
    at = fields.AwareDateTime(required=True)


class ReminderScheduled(OutputSchema):
    """notification scheduled a reminder for a user."""

    reminder_id = fields.String(required=True)
    kind = fields.String(required=True)
    user_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    due_at = fields.AwareDateTime(required=True)
    scheduled_at = fields.AwareDateTime(required=True)


# event name -> (the service that dispatches it, its payload schema)
EVENTS = {
    "inquiry_received": ("intake", InquiryReceived),
    "customer_created": ("profile", CustomerCreated),
    "inquiry_matched": ("profile", InquiryMatched),
    "customers_merged": ("profile", CustomersMerged),
    "customer_updated": ("profile", CustomerUpdated),
    "customer_allocated": ("pool", CustomerAllocated),
    "customer_returned": ("pool", CustomerReturned),
    "recycling_warned": ("pool", RecyclingWarned),
    "allocation_stalled": ("pool", AllocationStalled),
    "reminder_scheduled": ("notification", ReminderScheduled),
}


def dump_event(name, payload):
    """The JSON-safe payload of event ``name`` (the handler side validates it on load)."""
    return EVENTS[name][1]().dump(payload)


def load_event(name, payload):
    """The payload of event ``name`` as Python values (datetimes parsed)."""
    return EVENTS[name][1]().load(payload)
