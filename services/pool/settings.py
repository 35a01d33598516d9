"""The pool's settings (BATON.allocation and BATON.pool), loaded into domain values once at start."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from contracts.access import USER_ID
from services.pool.domain.claiming import ClaimLimits
from services.pool.domain.eligibility import RULES_BY_NAME
from services.pool.domain.recycling import RecyclingRules
from services.pool.guarding import PersonLock

# Salespeople are the gateway's users; their ids hold no "," (rotation keys join ids with it).
MEMBER_ID = USER_ID
GRADES = ("A", "B", "C")


class SalespersonSchema(Schema):
    id = fields.String(required=True, validate=MEMBER_ID)
    weight = fields.Integer(required=True, validate=validate.Range(min=0))
    department = fields.String(load_default="sales")
    role = fields.String(load_default="sales")
    markets = fields.List(fields.String(validate=validate.Length(equal=2)), load_default=list)
    grades = fields.List(fields.String(validate=validate.OneOf(GRADES)), load_default=list)


class AllocationSettingsSchema(Schema):
    team = fields.String(required=True, validate=MEMBER_ID)
    # Per-user settings, by user id: they apply only to users the directory has (never a person by themselves).
    salespeople = fields.List(fields.Nested(SalespersonSchema), load_default=list)
    # Users the admins add as members of this department (gateway's directory) become salespeople
    # too, with this weight until a manager or the conversion rate sets another.
    department = fields.String(load_default="sales")
    # New leads wait in marketing's screening queue (初筛) and reach sales by a checked handoff;
    # false: allocated on arrival.
    screening = fields.Boolean(load_default=True)
    new_salesperson_weight = fields.Integer(load_default=1, validate=validate.Range(min=0))
    # Weights follow each person's conversion rate over a window once they have enough customers
    # in it; until then (and when a manager overrides) the configured weight stands.
    weights_from_conversion = fields.Boolean(load_default=True)
    conversion_window_days = fields.Integer(load_default=90, validate=validate.Range(min=1))
    conversion_min_customers = fields.Integer(load_default=10, validate=validate.Range(min=1))
    weight_scale = fields.Integer(load_default=10, validate=validate.Range(min=1))
    min_weight = fields.Integer(load_default=1, validate=validate.Range(min=0))
    max_weight = fields.Integer(load_default=10, validate=validate.Range(min=1))
    recompute_weights_every_seconds = fields.Integer(load_default=3600, validate=validate.Range(min=1))
    # The built-in eligibility rules in force (plugins add more); leaving one out switches it off.
    rules = fields.List(fields.String(validate=validate.OneOf(list(RULES_BY_NAME))), load_default=list(RULES_BY_NAME))

    @post_load
    def rules_by_name(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {**data, "rules": tuple(RULES_BY_NAME[name] for name in data["rules"])}

    @validates("salespeople")
    def ids_are_unique(self, value: list[dict[str, Any]], **kwargs: Any) -> None:
        ids = [p["id"] for p in value]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValidationError(f"Salespeople listed twice: {', '.join(repeated)}.")


class ClaimLimitsSchema(Schema):
    per_day = fields.Integer(allow_none=True, validate=validate.Range(min=0), load_default=5)
    per_week = fields.Integer(allow_none=True, validate=validate.Range(min=0), load_default=20)
    per_month = fields.Integer(allow_none=True, validate=validate.Range(min=0), load_default=60)
    max_held = fields.Integer(allow_none=True, validate=validate.Range(min=0), load_default=200)
    release_protection_days = fields.Integer(validate=validate.Range(min=0), load_default=30)
    recycle_protection_days = fields.Integer(validate=validate.Range(min=0), load_default=15)


class PersonLockSchema(Schema):
    lease_seconds = fields.Float(load_default=10, validate=validate.Range(min=0, min_inclusive=False))
    wait_seconds = fields.Float(load_default=5, validate=validate.Range(min=0, min_inclusive=False))


class EarlyFactsSchema(Schema):
    tries = fields.Integer(load_default=10, validate=validate.Range(min=1))
    wait_seconds = fields.Float(load_default=0.2, validate=validate.Range(min=0))


class RecyclingSchema(Schema):
    no_follow_up_days = fields.Integer(load_default=15, validate=validate.Range(min=1))
    no_deal_days = fields.Integer(load_default=90, validate=validate.Range(min=1))
    warn_days_before = fields.Integer(load_default=3, validate=validate.Range(min=0))
    dormant_after_days = fields.Integer(load_default=180, validate=validate.Range(min=1))


class PoolSettingsSchema(Schema):
    time_zone = fields.String(load_default="Asia/Shanghai")
    week_starts_on = fields.Integer(load_default=0, validate=validate.Range(min=0, max=6))
    claim_limits = fields.Nested(ClaimLimitsSchema, load_default=dict)
    # role -> the limits it changes, e.g. {manager: {max_held: null}}
    role_limits = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)
    recycling = fields.Nested(RecyclingSchema, load_default=dict)
    sweep_every_seconds = fields.Integer(load_default=300, validate=validate.Range(min=1))
    sweep_batch = fields.Integer(load_default=1000, validate=validate.Range(min=1))
    rejected_review_days = fields.Integer(load_default=30, validate=validate.Range(min=1))
    person_lock = fields.Nested(PersonLockSchema, load_default=dict)
    early_facts = fields.Nested(EarlyFactsSchema, load_default=dict)

    @post_load
    def as_domain(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        try:
            data["claim_limits"] = ClaimLimits(**data["claim_limits"])
            data["person_lock"] = PersonLock(**data["person_lock"])
            data["recycling"] = RecyclingRules(**data["recycling"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return data
