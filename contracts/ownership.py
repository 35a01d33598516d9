"""Who owns a customer, as the pool service records it: state, owner, collaborators, why."""

from marshmallow import fields, validate

from contracts.base import OutputSchema

# screening: a new lead waiting for marketing's screening (初筛), owned by nobody; invalid: a lead
# marketing found invalid (无效线索), out of the queue and of every list.
POOL_STATES = ("owned", "public_pool", "dormant", "rejected", "screening", "invalid")


class OwnershipSchema(OutputSchema):
    customer_id = fields.String(required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf(POOL_STATES),
        metadata={
            "description": "owned; public_pool (公海, claimable); dormant (休眠, no contact for long); rejected; screening (waiting "
            "for marketing's screening); invalid (an invalid lead)."
        },
    )
    owner_id = fields.String(allow_none=True, metadata={"description": "None unless owned."})
    collaborators = fields.List(fields.String(), dump_default=list)
    team = fields.String(allow_none=True)
    allocated_at = fields.AwareDateTime(allow_none=True, metadata={"description": "When the current owner got it."})
    reason = fields.String(
        required=True, metadata={"description": "How the owner was chosen, or why it is in the pool."}
    )
    since = fields.AwareDateTime(allow_none=True, metadata={"description": "When it entered its state."})
    by = fields.String(allow_none=True, metadata={"description": "Who changed it last (a person, or 'pool')."})
