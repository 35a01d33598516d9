from marshmallow import Schema, fields, validate


class IntakeSettingsSchema(Schema):
    # Largest body kept; a bigger one is rejected (and its first bytes kept) instead of stored whole.
    max_body_bytes = fields.Integer(required=True, validate=validate.Range(1024, 15 * 1024 * 1024))
    # When a stored-but-unannounced inquiry is announced again, and how many per check.
    announce_retry_after_seconds = fields.Float(required=True, validate=validate.Range(min=0.1))
    announce_batch_size = fields.Integer(required=True, validate=validate.Range(min=1))
