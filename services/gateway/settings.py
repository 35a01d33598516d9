from marshmallow import Schema, fields, validate


class GatewaySettingsSchema(Schema):
    # How long an API call waits for a service before answering 503.
    rpc_timeout_seconds = fields.Float(required=True, validate=validate.Range(min=0.1))
