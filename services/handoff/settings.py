from marshmallow import Schema, fields, post_load, validate

from services.handoff.domain.checklists import ChecklistPolicy


class HandoffSettingsSchema(Schema):
    vague_phrases = fields.List(fields.String(validate=validate.Length(min=1)), required=True)

    @post_load
    def as_policy(self, data, **kwargs):
        return ChecklistPolicy(vague_phrases=tuple(p.lower() for p in data["vague_phrases"]))
