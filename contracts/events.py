"""Events between services: names in the past tense, each with its payload schema.

A dispatcher dumps the payload with the event's schema; a handler loads it with the same
schema, so both sides agree on one definition. Every event carries the id that makes its
handling idempotent (an inquiry, customer or reminder id).
"""

from typing import Any

from marshmallow import fields, validate

from contracts.base import OutputSchema
from contracts.inquiry import InquirySchema


class InquiryReceived(OutputSchema):
    """intake accepted an inquiry and stored it."""

    inquiry_id = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True)
    inquiry = fields.Nested(InquirySchema, required=True)


class CustomerSummary(OutputSchema):
    """What other services filter and decide by, read off an archive as it is now. ``version``
    orders summaries: a handler ignores one older than what it has."""

    customer_id = fields.String(required=True)
    version = fields.Integer(required=True)
    company = fields.String(allow_none=True)
    country = fields.String(
        allow_none=True, metadata={"description": "As given (a profile before country_code sent the ISO code here)."}
    )
    country_code = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "ISO 3166 alpha-2 when known (recognised from country)."},
    )
    intent_grade = fields.String(allow_none=True)
    value_grade = fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "A (core), B (potential), C (ordinary), D (low value) once the archive has one; "
            "it sets a follow-up cadence."
        },
    )
    graded_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "When a grade was last set (filing or by hand): the quarterly regrade counts from it."
        },
    )
    stage = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    last_contact_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Latest inquiry or communication."}
    )
    last_follow_up_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Latest communication recorded."}
    )
    has_open_need = fields.Boolean(required=True)
    deal_closed = fields.Boolean(required=True)


class CustomerCreated(OutputSchema):
    """profile opened a new archive from an inquiry."""

    customer_id = fields.String(required=True)
    inquiry_id = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    company = fields.String(allow_none=True)
    country = fields.String(allow_none=True, metadata={"description": "As given."})
    country_code = fields.String(
        load_default=None, allow_none=True, metadata={"description": "ISO 3166 alpha-2 when known."}
    )
    intent_grade = fields.String(allow_none=True)
    requested_owner = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "A salesperson who filed it by hand and keeps it; otherwise the rotation decides."},
    )
    needs_review = fields.Boolean(
        load_default=False,
        metadata={"description": "It may duplicate other archives; it waits unallocated until a person decides."},
    )
    allocate = fields.Boolean(
        load_default=True,
        metadata={
            "description": "false: the inquiry asked for the public pool; it waits there to be claimed, unallocated."
        },
    )
    summary = fields.Nested(
        CustomerSummary,
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The new archive as customer_updated would say it (its version, stage, tags, grades, "
            "last contact): no update follows the creation. Absent from a profile before it carried one."
        },
    )


class InquiryMatched(OutputSchema):
    """profile merged an inquiry into an existing archive."""

    customer_id = fields.String(required=True)
    inquiry_id = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    matched_on = fields.String(required=True, metadata={"description": "The matching key, e.g. 'email'."})
    allocate = fields.Boolean(
        load_default=True,
        metadata={
            "description": "false: the inquiry asked for the public pool; a dormant customer it brings back waits there."
        },
    )


class CustomersMerged(OutputSchema):
    """profile merged one archive into another; the absorbed id is no longer a customer."""

    kept_id = fields.String(required=True)
    absorbed_id = fields.String(required=True)
    by = fields.String(required=True)
    merged_at = fields.AwareDateTime(required=True)


class DuplicatesKeptApart(OutputSchema):
    """profile: a person decided two possibly duplicate archives are different companies (the pair
    is closed for good). A customer held unallocated for that review is placed now, unless it still
    waits for decisions on other possible duplicates."""

    decision_id = fields.String(
        required=True, metadata={"description": "The pair's id, the same whichever side was named: the decision's."}
    )
    customer_id = fields.String(required=True, metadata={"description": "The archive the decision was asked on."})
    other_id = fields.String(required=True, metadata={"description": "The archive it is kept apart from."})
    with_open_duplicates = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Those of the two that still have other open possible duplicates after this decision: "
            "they wait for those decisions too."
        },
    )
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True, metadata={"description": "When it was first decided."})


class CustomerAllocated(OutputSchema):
    """pool gave a customer an owner."""

    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)
    team = fields.String(required=True)
    allocated_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)
    allocation_id = fields.String(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Names this allocation, the same when it is announced again: what reminders and timeline "
            "entries it causes are keyed by (absent from a pool older than it)."
        },
    )
    previous_owner_id = fields.String(
        allow_none=True,
        metadata={
            "description": "Who owned it until this allocation; null: nobody (a new or pooled customer). Absent "
            "from a pool older than it."
        },
    )


class CustomerUpdated(CustomerSummary):
    """profile changed an archive: what other services filter and decide by, as it is now.
    ``version`` orders them: a handler ignores one older than what it has."""


class CustomerReturned(OutputSchema):
    """pool took a customer from its owner (or moved it between pools): released, recycled,
    dormant, rejected or reactivated."""

    customer_id = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "public_pool, dormant or rejected."})
    previous_owner_id = fields.String(allow_none=True)
    reason = fields.String(required=True)
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class CollaboratorsChanged(OutputSchema):
    """pool named or removed a collaborator of a customer: the full list as it is now."""

    customer_id = fields.String(required=True)
    collaborators = fields.List(fields.String(), required=True)
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
    department = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "The department allocating (its managers are told)."},
    )
    reasons = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Each salesperson and why they could not take it."},
    )
    at = fields.AwareDateTime(required=True)


class StatedRequirementSchema(OutputSchema):
    """A requirement a 【特殊】 line states: "【特殊】needs 110V" is voltage 110V."""

    field = fields.String(required=True, metadata={"description": "e.g. voltage, plug_type, certification."})
    value = fields.String(required=True, metadata={"description": "e.g. 110V, Type A, CE, UL; a date YYYY-MM-DD."})
    line = fields.String(required=True, metadata={"description": "The line it was read from, without the marker."})


class CommunicationRecorded(OutputSchema):
    """profile recorded a contact with the customer (notes convention). Reminders move on it:
    a first touch is done, an unanswered one asks for a second, a meeting asks for minutes."""

    customer_id = fields.String(required=True)
    record_id = fields.String(required=True)
    owner_id = fields.String(allow_none=True, metadata={"description": "The customer's owner when it was recorded."})
    at = fields.AwareDateTime(required=True, metadata={"description": "When the contact happened."})
    recorded_at = fields.AwareDateTime(required=True)
    method = fields.String(
        required=True, metadata={"description": "phone, email, meeting… (contracts.communication.METHODS)"}
    )
    by = fields.String(required=True)
    result = fields.String(allow_none=True, metadata={"description": "e.g. 'no answer', 'quote requested'."})
    answered = fields.Boolean(
        required=True,
        metadata={
            "description": "False when the result says the customer did not answer (no answer, 未回复, voicemail…)."
        },
    )
    next_follow_up_at = fields.AwareDateTime(allow_none=True)
    stated_requirements = fields.List(
        fields.Nested(StatedRequirementSchema),
        load_default=list,
        metadata={
            "description": "Structured requirements its 【特殊】 lines state (voltage, plug_type, certification, "
            "packaging, delivery_date): handoff records them as agreed requirements."
        },
    )


def _attempt():
    # Consumers tell a resubmission (and what follows it) from the first round by this.
    return fields.Integer(
        load_default=1, metadata={"description": "Which submission of the handoff: 1, then 2 after the first return…"}
    )


class HandoffSubmitted(OutputSchema):
    """handoff: a sender handed a customer to receivers; they must accept (sign) or return it."""

    handoff_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "marketing_to_sales, sales_to_service, …"})
    customer_id = fields.String(required=True)
    from_user = fields.String(required=True)
    to_users = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Who must accept; for a team handoff every member must acknowledge."},
    )
    info_pending = fields.Boolean(
        required=True,
        metadata={
            "description": "Submitted with checklist items missing (信息待补全), to be completed by pending_until."
        },
    )
    pending_until = fields.AwareDateTime(allow_none=True)
    missing = fields.List(fields.String(), required=True, metadata={"description": "Checklist items that failed."})
    submitted_at = fields.AwareDateTime(required=True)
    attempt = _attempt()
    owner_id = fields.String(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The customer's owner when the handoff would give it to someone else and the owner is "
            "not the sender (they are told); else null."
        },
    )


class HandoffInfoCompleted(OutputSchema):
    """handoff: the items an info-pending handoff was missing are now filled in."""

    handoff_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    attempt = _attempt()


class HandoffAccepted(OutputSchema):
    """handoff: a receiver signed. ``complete`` once every required receiver has; only then does
    ``new_owner_id`` (if any) take the customer over."""

    handoff_id = fields.String(required=True)
    kind = fields.String(required=True)
    customer_id = fields.String(required=True)
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    complete = fields.Boolean(required=True)
    from_user = fields.String(required=True)
    new_owner_id = fields.String(allow_none=True, metadata={"description": "Who owns the customer once complete."})
    collaborators = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "Who works on the customer beside its owner once complete (e.g. the sender, a team)."},
    )
    to_departments = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "The departments that now hold part of the customer (e.g. service after a deal)."},
    )
    attempt = _attempt()


class HandoffWithdrawn(OutputSchema):
    """handoff: the sender (or a manager) took back a handoff not yet accepted; nobody waits for it."""

    handoff_id = fields.String(required=True)
    kind = fields.String(required=True)
    customer_id = fields.String(required=True)
    by = fields.String(required=True)
    from_user = fields.String(required=True)
    to_users = fields.List(fields.String(), required=True, metadata={"description": "The receivers, who are told."})
    reason = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    attempt = _attempt()


class HandoffReturned(OutputSchema):
    """handoff: a receiver returned the handoff to its sender with reasons (退回)."""

    handoff_id = fields.String(required=True)
    kind = fields.String(required=True)
    customer_id = fields.String(required=True)
    by = fields.String(required=True)
    from_user = fields.String(required=True, metadata={"description": "The sender, who is told."})
    reasons = fields.List(fields.String(), required=True)
    at = fields.AwareDateTime(required=True)
    attempt = _attempt()


class RequirementChanged(OutputSchema):
    """handoff: a requirement changed (e.g. delivery 10 days earlier); every department holding
    part of the customer is told once."""

    change_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    field = fields.String(required=True, metadata={"description": "e.g. 'delivery_date', 'voltage'."})
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    notify_users = fields.List(fields.String(), required=True)
    note = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "Why, in the words of whoever recorded it (e.g. 'customer asked on WhatsApp')."},
    )
    source = fields.String(allow_none=True, load_default=None, metadata={"description": "Where it was said."})
    order_id = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "The order changed with it (a field orders carry)."},
    )
    owner_id = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "The customer's owner: their managers are told too."},
    )


class StepStarted(OutputSchema):
    """handoff: a department started a step of the customer (production, shipping…) once its gate
    was open."""

    customer_id = fields.String(required=True)
    step = fields.String(required=True, metadata={"description": "The step's name (BATON.handoff.steps)."})
    department = fields.String(required=True)
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class LeaverSignInEnds(OutputSchema):
    """handoff: a leaver's sign-in ends — once their last customer has moved, or at the date the
    manager gave. The gateway refuses their sessions and tokens from ``at`` on."""

    user_id = fields.String(required=True)
    at = fields.AwareDateTime(required=True, metadata={"description": "From when they may no longer sign in."})
    reason = fields.String(required=True, metadata={"description": "last_customer_moved or date_given."})
    by = fields.String(required=True, metadata={"description": "The manager who handed the leaver's customers over."})


class ReminderScheduled(OutputSchema):
    """notification scheduled a reminder for a user."""

    reminder_id = fields.String(required=True)
    kind = fields.String(required=True)
    user_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    due_at = fields.AwareDateTime(required=True)
    scheduled_at = fields.AwareDateTime(required=True)


class ReminderUpdated(OutputSchema):
    """notification: a person marked a customer's reminder done or snoozed it (the timeline's
    reminder bookkeeping)."""

    reminder_id = fields.String(required=True)
    kind = fields.String(required=True)
    user_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    change = fields.String(required=True, validate=validate.OneOf(("done", "snoozed")))
    by = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(allow_none=True, load_default=None, metadata={"description": "Snoozed until."})
    note = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "The note of a done reminder or the reason of a snooze."},
    )


class UserSaved(OutputSchema):
    """gateway: a user was created or changed in the directory (the whole user, so a service that
    missed an earlier change still ends up right). Services keep what they need of it: pool its
    salespeople, handoff who is in which department."""

    user_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "member, manager, admin or integration."})
    department = fields.String(allow_none=True, load_default=None)
    team = fields.String(allow_none=True, load_default=None)
    active = fields.Boolean(required=True)
    version = fields.Integer(required=True, metadata={"description": "Later changes have higher versions."})
    at = fields.AwareDateTime(required=True)


# event name -> (the service that dispatches it, its payload schema)
EVENTS = {
    "inquiry_received": ("intake", InquiryReceived),
    "customer_created": ("profile", CustomerCreated),
    "inquiry_matched": ("profile", InquiryMatched),
    "customers_merged": ("profile", CustomersMerged),
    "duplicates_kept_apart": ("profile", DuplicatesKeptApart),
    "customer_updated": ("profile", CustomerUpdated),
    "customer_allocated": ("pool", CustomerAllocated),
    "customer_returned": ("pool", CustomerReturned),
    "recycling_warned": ("pool", RecyclingWarned),
    "collaborators_changed": ("pool", CollaboratorsChanged),
    "allocation_stalled": ("pool", AllocationStalled),
    "communication_recorded": ("profile", CommunicationRecorded),
    "handoff_submitted": ("handoff", HandoffSubmitted),
    "handoff_info_completed": ("handoff", HandoffInfoCompleted),
    "handoff_accepted": ("handoff", HandoffAccepted),
    "handoff_returned": ("handoff", HandoffReturned),
    "handoff_withdrawn": ("handoff", HandoffWithdrawn),
    "requirement_changed": ("handoff", RequirementChanged),
    "leaver_sign_in_ends": ("handoff", LeaverSignInEnds),
    "step_started": ("handoff", StepStarted),
    "reminder_scheduled": ("notification", ReminderScheduled),
    "reminder_updated": ("notification", ReminderUpdated),
    "user_saved": ("gateway", UserSaved),
}


def dump_event(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The JSON-safe payload of event ``name`` (the handler side validates it on load)."""
    return EVENTS[name][1]().dump(payload)


def load_event(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload of event ``name`` as Python values (datetimes parsed)."""
    return EVENTS[name][1]().load(payload)
