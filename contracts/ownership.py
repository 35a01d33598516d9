"""Who owns a customer, as the pool service records it."""
from marshmallow import fields

from contracts.base import OutputSchema


class OwnershipSchema(OutputSchema):
    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)
    team = fields.String(required=True)
    allocated_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, metadata={"description": "How the owner was chosen."})
