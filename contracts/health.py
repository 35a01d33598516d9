"""What an operator's tools read: each service's health and figures over RPC, and the gateway's
``/health`` and ``/ready`` answers. They carry no ids, names or secrets: only states and counts."""

from marshmallow import fields, validate

from contracts.base import OutputSchema

HEALTH_STATES = ("ok", "failing")
FIGURE_KINDS = ("gauge", "counter")


class CheckSchema(OutputSchema):
    status = fields.String(required=True, validate=validate.OneOf(HEALTH_STATES))
    reason = fields.String(
        allow_none=True, load_default=None, metadata={"description": "Why it is failing (null when ok)."}
    )


class QueueStateSchema(OutputSchema):
    name = fields.String(required=True, metadata={"description": "A queue the service consumes from."})
    messages = fields.Integer(
        allow_none=True, load_default=None, metadata={"description": "Messages waiting (null: the queue is missing)."}
    )
    consumers = fields.Integer(allow_none=True, load_default=None)


class ServiceHealthSchema(OutputSchema):
    """A service's answer to its ``health`` RPC (the answer itself proves the broker carries RPC)."""

    service = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(HEALTH_STATES), metadata={"description": "ok when every check is ok."}
    )
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(CheckSchema),
        required=True,
        metadata={
            "description": "store: a ping on the service's database; queues: a passive declare of each queue it "
            "consumes from (present, with a consumer)."
        },
    )
    queues = fields.List(fields.Nested(QueueStateSchema), required=True)


class PingSchema(OutputSchema):
    """A service's answer to ``ping``: it runs and takes RPC (nothing more is checked)."""

    service = fields.String(required=True)


class SampleSchema(OutputSchema):
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    value = fields.Float(required=True)


class FigureSchema(OutputSchema):
    """One metric family, as the Prometheus text format names it (a counter without ``_total``)."""

    name = fields.String(required=True, validate=validate.Regexp(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"))
    help = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(FIGURE_KINDS))
    samples = fields.List(fields.Nested(SampleSchema), required=True)


class ServiceFiguresSchema(OutputSchema):
    """A service's answer to its ``metrics`` RPC: figures counted in its own store, so every
    instance of the service gives the same."""

    service = fields.String(required=True)
    figures = fields.List(fields.Nested(FigureSchema), required=True)


class ServiceStateSchema(OutputSchema):
    status = fields.String(required=True, validate=validate.OneOf(HEALTH_STATES))
    reason = fields.String(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Why the service is failing: it did not answer in time, is not running, or a check failed."
        },
    )
    checks = fields.Dict(keys=fields.String(), values=fields.Nested(CheckSchema), required=True)


class HealthSchema(OutputSchema):
    """``GET /health``: 200 when every service answers healthy, 503 naming those that do not."""

    status = fields.String(
        required=True,
        validate=validate.OneOf(HEALTH_STATES),
        metadata={"description": "'ok' when every service is healthy, else 'failing'."},
    )
    services = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ServiceStateSchema),
        required=True,
        metadata={"description": "Each service (the gateway too) by name, with its checks."},
    )
    failing = fields.List(fields.String(), required=True, metadata={"description": "The services not healthy."})


class ReadySchema(OutputSchema):
    """``GET /ready``: 200 once the gateway can serve (its store answers, RPC over the broker works)."""

    status = fields.String(required=True, validate=validate.OneOf(("ready", "not_ready")))
    reasons = fields.List(fields.String(), required=True, metadata={"description": "Why not ready; empty when ready."})
