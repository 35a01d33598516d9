from marshmallow import Schema, fields, validate


class GatewaySettingsSchema(Schema):
    # How long an API call waits for a service before answering 503.
    rpc_timeout_seconds = fields.Float(required=True, validate=validate.Range(min=0.1))
    # How long an Idempotency-Key's first answer is kept for retries.
    idempotency_keep_hours = fields.Float(required=True, validate=validate.Range(min=0.01))
    # Reverse proxies whose X-Forwarded-For is believed (sign-in limits count per client address).
    trusted_proxies = fields.List(fields.String(validate=validate.Length(min=1)), required=True)
    # The built web console served at / (relative paths: to the repository).
    console_dir = fields.String(required=True, validate=validate.Length(min=1))
