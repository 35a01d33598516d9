"""Handoff checklists as services and the API show them."""
from marshmallow import fields

from contracts.base import OutputSchema

CHECKLIST_KINDS = ("marketing_to_sales",)


class ChecklistItemSchema(OutputSchema):
    name = fields.String(required=True)
    passed = fields.Boolean(required=True)
    reason = fields.String(required=True, metadata={"description": "What was found, or what is missing."})


class ChecklistSchema(OutputSchema):
    """A checklist evaluated over a customer's archive: every item, passed or not."""

    kind = fields.String(required=True)
    customer_id = fields.String(required=True)
    passed = fields.Boolean(required=True, metadata={"description": "True when every item passed."})
    items = fields.List(fields.Nested(ChecklistItemSchema), required=True)
