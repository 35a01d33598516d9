from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from services.pool.domain.rotation import Member

# Member ids become field names in the rotation document: no "." or "$".
MEMBER_ID = validate.Regexp(r"^[A-Za-z0-9_-]{1,64}\Z", error="Use letters, digits, _ and - (max 64).")


class SalespersonSchema(Schema):
    id = fields.String(required=True, validate=MEMBER_ID)
    weight = fields.Integer(required=True, validate=validate.Range(min=0))


class AllocationSettingsSchema(Schema):
    team = fields.String(required=True, validate=MEMBER_ID)
    salespeople = fields.List(fields.Nested(SalespersonSchema), required=True)

    @validates("salespeople")
    def ids_are_unique(self, value, **kwargs):
        ids = [p["id"] for p in value]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValidationError(f"Salespeople listed twice: {', '.join(repeated)}.")

    @post_load
    def as_members(self, data, **kwargs):
        return {"team": data["team"], "members": tuple(Member(p["id"], p["weight"]) for p in data["salespeople"])}
