"""Answers the HTTP API gives of its own (not relayed from a service)."""

from marshmallow import fields

from contracts.base import OutputSchema


class HealthSchema(OutputSchema):
    status = fields.String(required=True, metadata={"description": "'ok' while the gateway answers."})


class ContractListSchema(OutputSchema):
    contracts = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "File names of the published JSON Schemas, each served at /contracts/<name>."},
    )


class PluginHealthSchema(OutputSchema):
    name = fields.String(required=True, metadata={"description": "The entry-point name it is enabled by."})
    hooks = fields.List(fields.String(), required=True, metadata={"description": "The hooks it implements."})
    problems = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "What a trial of its declarations found, naming the hook; empty when healthy."},
    )


class PluginListSchema(OutputSchema):
    plugins = fields.List(fields.Nested(PluginHealthSchema), required=True)
