from marshmallow import Schema, fields, validate


class MatchingSettingsSchema(Schema):
    min_name_similarity = fields.Integer(required=True, validate=validate.Range(0, 100))
    merge_name_similarity = fields.Integer(required=True, validate=validate.Range(0, 100))
    max_name_block = fields.Integer(required=True, validate=validate.Range(min=1))


class CommunicationSettingsSchema(Schema):
    unanswered_phrases = fields.List(fields.String(validate=validate.Length(min=1)), required=True)
