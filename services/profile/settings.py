from marshmallow import Schema, fields, validate


class MatchingSettingsSchema(Schema):
    min_name_similarity = fields.Integer(required=True, validate=validate.Range(0, 100))
    merge_name_similarity = fields.Integer(required=True, validate=validate.Range(0, 100))
    max_name_block = fields.Integer(required=True, validate=validate.Range(min=1))
