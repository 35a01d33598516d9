"""Answers the HTTP API gives of its own (not relayed from a service)."""
from marshmallow import fields

from contracts.base import OutputSchema


class HealthSchema(OutputSchema):
    status = fields.String(required=True, metadata={"description": "'ok' while the gateway answers."})


class ContractListSchema(OutputSchema):
    contracts = fields.List(fields.String(), required=True, metadata={
        "description": "File names of the published JSON Schemas, each served at /contracts/<name>."})
