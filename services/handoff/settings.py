"""The handoff service's settings (BATON.handoff), loaded into domain values once at start-up: a
wrong rule name, department or step stops the service with a message naming the key."""

import logging
from datetime import timedelta
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from contracts.deals import ORDER_AMENDABLE
from services.handoff.domain.checklists import RULES, ChecklistPolicy
from services.handoff.domain.gates import StepSpec
from services.handoff.domain.handoffs import Deadline
from services.handoff.domain.kinds import (
    EACH_SIGNS,
    NOBODY_SIGNS,
    OWNER_UNCHANGED,
    RECEIVER_OWNS,
    Directory,
    KindSpec,
    Valuation,
)
from services.handoff.domain.quality_audit import QualityAuditPolicy
from services.handoff.domain.requirements import RequirementPolicy

log = logging.getLogger(__name__)

NAME = validate.Regexp(r"^[a-z][a-z0-9_]{0,63}\Z", error="Use lower-case letters, digits and _ (max 64).")
PHRASES = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)


def _known_rule(name):
    if name not in RULES:
        raise ValidationError(f"Unknown rule {name!r}; the rules are: {', '.join(sorted(RULES))}.")


RULE_NAMES = fields.List(fields.String(validate=_known_rule), required=True)
POSITIVE = validate.Range(min=0, min_inclusive=False)


class VagueNeedsSchema(Schema):
    zh = PHRASES
    en = PHRASES


class KindSchema(Schema):
    senders = fields.List(fields.String(), data_key="from", required=True, validate=validate.Length(min=1))
    receivers = fields.List(fields.String(), data_key="to", required=True, validate=validate.Length(min=1))
    checklist = RULE_NAMES
    min_receivers = fields.Integer(load_default=1, validate=validate.Range(min=1))
    max_receivers = fields.Integer(load_default=1, validate=validate.Range(min=1))
    signatures = fields.String(load_default=EACH_SIGNS, validate=validate.OneOf((EACH_SIGNS, NOBODY_SIGNS)))
    new_owner = fields.String(load_default=RECEIVER_OWNS, validate=validate.OneOf((RECEIVER_OWNS, OWNER_UNCHANGED)))
    sender_collaborates = fields.Boolean(load_default=False)
    info_pending = fields.Boolean(load_default=True)
    min_annual_value = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0))
    below_annual_value = fields.Float(load_default=None, allow_none=True, validate=POSITIVE)
    # A sender who names no receiver gets the pool's weighted round-robin choice (a screened lead).
    receiver_by_rotation = fields.Boolean(load_default=False)

    @validates_schema
    def receivers_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["min_receivers"] > data["max_receivers"]:
            raise ValidationError("min_receivers is more than max_receivers.", field_name="min_receivers")


class StepSchema(Schema):
    department = fields.String(required=True)
    after = fields.List(fields.String(), load_default=list)
    requires = fields.List(fields.String(validate=NAME), load_default=list)


class QualityAuditSettingsSchema(Schema):
    every_days = fields.Float(load_default=7, validate=POSITIVE)
    relaxed_every_days = fields.Float(load_default=28, validate=POSITIVE)
    passes_to_relax = fields.Integer(load_default=3, validate=validate.Range(min=1))
    sample_size = fields.Integer(load_default=10, validate=validate.Range(min=1))
    min_age_days = fields.Float(load_default=3, validate=validate.Range(min=0))
    checklist = RULE_NAMES
    check_every_seconds = fields.Integer(load_default=3600, validate=validate.Range(min=1))


class RequirementsSchema(Schema):
    order_fields = fields.List(
        fields.String(validate=validate.OneOf(ORDER_AMENDABLE)), load_default=lambda: list(ORDER_AMENDABLE)
    )
    date_fields = fields.List(fields.String(validate=NAME), load_default=lambda: ["delivery_date"])


class HandoffSettingsSchema(Schema):
    vague_needs = fields.Nested(VagueNeedsSchema, required=True)
    min_communications = fields.Integer(load_default=3, validate=validate.Range(min=1))
    max_communication_gap_days = fields.Float(load_default=7, validate=POSITIVE)
    no_progress_phrases = PHRASES
    # Leads are screened by marketing before sales (BATON.allocation.screening): "screening_recorded"
    # asks for the screening; without it, a lead never screened passes that item.
    screening_required = fields.Boolean(load_default=True)
    info_pending_days = fields.Float(load_default=3, validate=POSITIVE)
    max_info_pending_days = fields.Float(load_default=30, validate=POSITIVE)
    value_currency = fields.String(load_default="CNY", validate=validate.Length(equal=3))
    exchange_rates = fields.Dict(
        keys=fields.String(validate=validate.Length(equal=3)), values=fields.Float(validate=POSITIVE), load_default=dict
    )
    departments = fields.Dict(keys=fields.String(validate=NAME), values=fields.List(fields.String()), required=True)
    kinds = fields.Dict(keys=fields.String(validate=NAME), values=fields.Nested(KindSchema), required=True)
    steps = fields.Dict(keys=fields.String(validate=NAME), values=fields.Nested(StepSchema), load_default=dict)
    quality_audit = fields.Nested(QualityAuditSettingsSchema, required=True)
    announce_retry_after_seconds = fields.Float(load_default=5, validate=POSITIVE)
    requirements = fields.Nested(RequirementsSchema, load_default=lambda: RequirementsSchema().load({}))

    @pre_load
    def read_the_old_quality_audit_key(self, data: Any, **kwargs: Any) -> Any:
        """``audit``, the quality audit's key before it was renamed (it read like the audit trail's),
        is still read for one release when ``quality_audit`` is not given."""
        if not isinstance(data, dict) or "audit" not in data:
            return data
        data = dict(data)
        old = data.pop("audit")
        if "quality_audit" in data:
            log.warning("config: BATON.handoff.audit is ignored: BATON.handoff.quality_audit is given")
        else:
            data["quality_audit"] = old
            log.warning("config: BATON.handoff.audit is deprecated: rename it to BATON.handoff.quality_audit")
        return data

    @validates_schema
    def names_agree(self, data: dict[str, Any], **kwargs: Any) -> None:
        departments = set(data.get("departments", {}))
        people = [p for members in data.get("departments", {}).values() for p in members]
        if repeated := sorted({p for p in people if people.count(p) > 1}):
            raise ValidationError(f"In more than one department: {', '.join(repeated)}.", field_name="departments")
        for name, kind in data.get("kinds", {}).items():
            if unknown := sorted((set(kind["senders"]) | set(kind["receivers"])) - departments):
                raise ValidationError(f"Unknown departments: {', '.join(unknown)}.", field_name=f"kinds.{name}")
        for name, step in data.get("steps", {}).items():
            if step["department"] not in departments:
                raise ValidationError(f"Unknown department {step['department']!r}.", field_name=f"steps.{name}")
            if unknown := sorted(set(step["after"]) - set(data["steps"])):
                raise ValidationError(f"Unknown steps: {', '.join(unknown)}.", field_name=f"steps.{name}")

    @post_load
    def as_policy(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        vague = tuple(data["vague_needs"]["zh"]) + tuple(p.lower() for p in data["vague_needs"]["en"])
        quality_audit = data["quality_audit"]
        return {
            "checklist": ChecklistPolicy(
                vague,
                data["min_communications"],
                timedelta(days=data["max_communication_gap_days"]),
                tuple(data["no_progress_phrases"]),
                data["screening_required"],
            ),
            "kinds": {
                name: KindSpec(
                    name,
                    tuple(k["senders"]),
                    tuple(k["receivers"]),
                    tuple(k["checklist"]),
                    k["min_receivers"],
                    k["max_receivers"],
                    k["signatures"],
                    k["new_owner"],
                    k["sender_collaborates"],
                    k["info_pending"],
                    k["min_annual_value"],
                    k["below_annual_value"],
                    k["receiver_by_rotation"],
                )
                for name, k in data["kinds"].items()
            },
            "directory": Directory({d: tuple(people) for d, people in data["departments"].items()}),
            "valuation": Valuation(data["value_currency"], dict(data["exchange_rates"])),
            "deadline": Deadline(data["info_pending_days"], data["max_info_pending_days"]),
            "steps": {
                name: StepSpec(name, s["department"], tuple(s["after"]), tuple(s["requires"]))
                for name, s in data["steps"].items()
            },
            "quality_audit": QualityAuditPolicy(
                tuple(quality_audit["checklist"]),
                timedelta(days=quality_audit["every_days"]),
                timedelta(days=quality_audit["relaxed_every_days"]),
                quality_audit["passes_to_relax"],
                quality_audit["sample_size"],
                timedelta(days=quality_audit["min_age_days"]),
            ),
            "quality_audit_check_every": timedelta(seconds=quality_audit["check_every_seconds"]),
            "announce_retry_after": timedelta(seconds=data["announce_retry_after_seconds"]),
            "requirements": RequirementPolicy(
                tuple(data["requirements"]["order_fields"]), tuple(data["requirements"]["date_fields"])
            ),
        }
