"""What running on a cluster changes: ``BATON.amqp`` (the type of the queues services declare) and
``BATON.mongo`` (the write and read concerns of every service's database).

Both sections are optional and their defaults keep a single machine's behaviour: classic queues,
and whatever concerns the server (or the URI) gives, as on the embedded store. A cluster sets
``queue_type: quorum`` (queues replicated over the RabbitMQ nodes) and ``write_concern: majority``
(a write is answered once most members of the replica set hold it). A wrong value stops a service
at start-up naming the key, and ``baton config check`` reports it (``cluster_problems``).

No pymongo: the command line and unit tests read it as it is.
"""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from services.runtime.settings import ConfigurationError

QUEUE_TYPES = ("classic", "quorum")
READ_CONCERNS = ("local", "available", "majority", "linearizable")


class AmqpSettingsSchema(Schema):
    # classic: one node holds each queue (today's behaviour). quorum: each durable queue a service
    # consumes (its RPC queue, its event handlers' queues, intake's inquiries) is replicated over
    # the cluster's nodes (Raft); nameko's RPC reply queues stay classic (they are per caller).
    queue_type = fields.String(load_default="classic", validate=validate.OneOf(QUEUE_TYPES))
    # Quorum queues only: x-delivery-limit, how often the broker gives one message before dropping
    # it. null: the broker's default (none on RabbitMQ 3.x, 20 on 4.x). Baton parks a message its
    # handlers cannot take after BATON.events.max_attempts itself.
    delivery_limit = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


def _write_concern(value):
    """1, 2 … (members), 0 (unacknowledged is refused), "majority" or a replica-set tag."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError("must be a number of members (1, 2 …), 'majority' or a tag name")
    if isinstance(value, int) and value < 1:
        raise ValidationError("must be at least 1: unacknowledged writes (0) could be lost unseen")
    if isinstance(value, str) and not value.strip():
        raise ValidationError("must not be empty")
    return value


class WriteConcernField(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        return _write_concern(value)


class MongoSettingsSchema(Schema):
    # w of every service's writes: null leaves it to the URI (?w=…) or the server (as today);
    # "majority" on a replica set: a write is answered once most members have it.
    write_concern = WriteConcernField(load_default=None, allow_none=True)
    # wtimeout: how long a write waits for its members before failing (null: no bound).
    write_timeout_ms = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    # j: wait for the journal (null: the server's default).
    journal = fields.Boolean(load_default=None, allow_none=True)
    # The read concern level of every service's reads (null: the server's default, "local").
    read_concern = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(READ_CONCERNS))


def _section(config: dict, name: str, schema_cls: type[Schema]) -> dict[str, Any]:
    raw = (config.get("BATON") or {}).get(name)
    try:
        return schema_cls().load(raw or {})
    except ValidationError as error:
        raise ClusterSettingsError(f"config: BATON.{name} is invalid: {error.messages}") from error


class ClusterSettingsError(ConfigurationError):
    pass


def amqp_settings(config: dict) -> dict[str, Any]:
    """``BATON.amqp`` loaded, defaults filled in (a missing section is all defaults)."""
    return _section(config, "amqp", AmqpSettingsSchema)


def mongo_settings(config: dict) -> dict[str, Any]:
    """``BATON.mongo`` loaded, defaults filled in (a missing section is all defaults)."""
    return _section(config, "mongo", MongoSettingsSchema)


def queue_arguments(config: dict) -> dict[str, Any]:
    """The arguments a durable, shared queue is declared with ({} for classic queues)."""
    settings = amqp_settings(config)
    if settings["queue_type"] != "quorum":
        return {}
    arguments: dict[str, Any] = {"x-queue-type": "quorum"}
    if settings["delivery_limit"] is not None:
        arguments["x-delivery-limit"] = settings["delivery_limit"]
    return arguments


def cluster_problems(config: dict) -> list[str]:
    """One line per ``BATON.amqp`` or ``BATON.mongo`` setting a service would refuse to start with."""
    problems = []
    for load in (amqp_settings, mongo_settings):
        try:
            load(config)
        except ClusterSettingsError as error:
            problems.append(str(error))
    return problems
