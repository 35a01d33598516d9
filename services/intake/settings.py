from marshmallow import Schema, fields, validate


class IntakeSettingsSchema(Schema):
    # (The largest body, and what else an inquiry may be, is BATON.limits: services.runtime.input_limits.)
    # When a stored-but-unannounced inquiry is announced again, and how many per check.
    announce_retry_after_seconds = fields.Float(required=True, validate=validate.Range(min=0.1))
    announce_batch_size = fields.Integer(required=True, validate=validate.Range(min=1))
    # An inquiry stored as announced for which no customer was filed this long after is announced again, once.
    announce_confirmed_within_seconds = fields.Float(required=True, validate=validate.Range(min=1))
    # The most inquiries one POST /inquiries/batch (RPC submit_batch) takes.
    batch_max = fields.Integer(required=True, validate=validate.Range(min=1))
    # intake's AMQP consumer takes deliveries in batches, each stored with a fixed number of commands:
    # a batch is handed over at this many messages, or this long after its first one arrived.
    amqp_batch_max = fields.Integer(required=True, validate=validate.Range(min=1, max=10000))
    amqp_batch_wait_seconds = fields.Float(required=True, validate=validate.Range(min=0, max=10))
    # How many batches the broker may have delivered unacknowledged at once (prefetch = this × max).
    amqp_batches_in_flight = fields.Integer(required=True, validate=validate.Range(min=1, max=100))
