"""The configuration check: an admin's deploy/config.yaml, and whether each service would load it."""

from marshmallow import Schema, fields, validate

from contracts.base import OutputSchema

CHECK_STATUSES = ("ok", "errors", "unavailable")
# The gateway and the services, in the order the report lists them.
CHECKED_SERVICES = ("gateway", "intake", "profile", "handoff", "pool", "notification")


class ConfigurationCheckRequestSchema(Schema):
    yaml = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "The text of a deploy/config.yaml; ${VAR:default} is read as at start-up."},
    )


class SettingProblemSchema(OutputSchema):
    path = fields.String(
        required=True,
        metadata={"description": "The setting as the file spells it, e.g. BATON.pool.claim_limits.per_day."},
    )
    reason = fields.String(required=True, metadata={"description": "Why the service would refuse it."})


class ServiceCheckSchema(OutputSchema):
    service = fields.String(required=True, validate=validate.OneOf(CHECKED_SERVICES))
    status = fields.String(
        required=True,
        validate=validate.OneOf(CHECK_STATUSES),
        metadata={
            "description": "ok: it would load; errors: it would refuse to start; unavailable: it did not answer."
        },
    )
    errors = fields.List(fields.Nested(SettingProblemSchema), required=True)
    reason = fields.String(
        allow_none=True, load_default=None, metadata={"description": "Why an unavailable service gave no answer."}
    )


class ConfigurationCheckSchema(OutputSchema):
    ok = fields.Boolean(required=True, metadata={"description": "Every service answered and would load it."})
    services = fields.List(fields.Nested(ServiceCheckSchema), required=True)
