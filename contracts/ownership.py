"""Who owns a customer, as the pool service records it."""
from marshmallow import Schema, fields


class OwnershipSchema(Schema):
    customer_id = fields.String(required=True)
    owner_id = fields.String(required=True)
    team = fields.String(required=True)
    allocated_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, metadata={"description": "How the owner was chosen."})
