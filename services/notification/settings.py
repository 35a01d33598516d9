"""notification's settings: BATON.reminders (the follow-up SOP's numbers) and BATON.notification
(firing, delivery, recipients' defaults, channels), loaded into domain values once at start."""

from datetime import timedelta
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from contracts.notification import CLOCK, QuietHoursSchema, known_zone
from services.notification.domain.reminders import ReminderPolicy
from services.notification.domain.timing import RetryPolicy

POSITIVE = validate.Range(min=0, min_inclusive=False)
GRADES = ("A", "B", "C", "D")


def _check_manager_ids(value):
    if any(not people for people in value.values()):
        raise ValidationError("Every team listed needs at least one manager.")


def _days(value):
    return None if value is None else timedelta(days=value)


class CadenceSchema(Schema):
    # days between follow-ups per grade; null: no cadence for that grade
    intent = fields.Dict(
        keys=fields.String(validate=validate.OneOf(GRADES)),
        values=fields.Float(allow_none=True, validate=POSITIVE),
        load_default=dict,
    )
    value = fields.Dict(
        keys=fields.String(validate=validate.OneOf(GRADES)),
        values=fields.Float(allow_none=True, validate=POSITIVE),
        load_default=dict,
    )
    lost_win_back_days = fields.Float(allow_none=True, validate=POSITIVE, load_default=None)


class ReminderSettingsSchema(Schema):
    first_touch_days = fields.Float(required=True, validate=POSITIVE)
    second_touch_days = fields.Float(load_default=7, validate=POSITIVE)
    update_every_days = fields.Float(load_default=3, validate=POSITIVE)
    active_stages = fields.List(fields.String(), load_default=lambda: ["inquiry", "quoted", "sample", "negotiation"])
    silent_stages = fields.List(fields.String(), load_default=lambda: ["invalid", "rejected", "dormant"])
    cadence = fields.Nested(CadenceSchema, load_default=lambda: CadenceSchema().load({}))
    minutes_within_hours = fields.Float(load_default=24, validate=POSITIVE)
    meeting_methods = fields.List(fields.String(), load_default=lambda: ["meeting"])
    minutes_methods = fields.List(fields.String(), load_default=lambda: ["email"])
    handoff_accept_within_hours = fields.Float(load_default=24, validate=POSITIVE)
    regrade_every_days = fields.Float(load_default=90, allow_none=True, validate=POSITIVE)
    managers = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), load_default=dict, validate=_check_manager_ids
    )

    @post_load
    def as_policy(self, data: dict[str, Any], **kwargs: Any) -> ReminderPolicy:
        cadence = data["cadence"]
        return ReminderPolicy(
            first_touch_within=_days(data["first_touch_days"]),
            second_touch_after=_days(data["second_touch_days"]),
            update_every=_days(data["update_every_days"]),
            active_stages=tuple(data["active_stages"]),
            silent_stages=tuple(data["silent_stages"]),
            intent_cadence={g: _days(d) for g, d in cadence["intent"].items() if d is not None},
            value_cadence={g: _days(d) for g, d in cadence["value"].items() if d is not None},
            win_back_every=_days(cadence["lost_win_back_days"]),
            minutes_within=timedelta(hours=data["minutes_within_hours"]),
            meeting_methods=tuple(data["meeting_methods"]),
            minutes_methods=tuple(data["minutes_methods"]),
            handoff_accept_within=timedelta(hours=data["handoff_accept_within_hours"]),
            regrade_every=_days(data["regrade_every_days"]),
            managers={team: tuple(people) for team, people in data["managers"].items()},
        )


class RetrySchema(Schema):
    max_attempts = fields.Integer(load_default=6, validate=validate.Range(min=1, max=50))
    first_wait_seconds = fields.Float(load_default=30, validate=POSITIVE)
    factor = fields.Float(load_default=2, validate=validate.Range(min=1))
    longest_wait_seconds = fields.Float(load_default=3600, validate=POSITIVE)

    @post_load
    def as_policy(self, data: dict[str, Any], **kwargs: Any) -> RetryPolicy:
        return RetryPolicy(
            data["max_attempts"],
            timedelta(seconds=data["first_wait_seconds"]),
            data["factor"],
            timedelta(seconds=data["longest_wait_seconds"]),
        )


class RecipientDefaultsSchema(Schema):
    """What a person who has set nothing gets."""

    time_zone = fields.String(load_default="Asia/Shanghai")
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True, load_default=None)
    digest = fields.Boolean(load_default=False)
    digest_at = fields.String(load_default="08:30", validate=CLOCK)
    channels = fields.List(fields.String(), load_default=lambda: ["inbox"])

    @validates("time_zone")
    def zone_exists(self, value: str, **kwargs: Any) -> None:
        known_zone(value)


class NotificationSettingsSchema(Schema):
    # Fire on the service's own timer (off only for tests that drive fire_due with their own clock).
    fire_on_timer = fields.Boolean(load_default=True)
    batch = fields.Integer(load_default=500, validate=validate.Range(min=1))
    max_batches = fields.Integer(load_default=20, validate=validate.Range(min=1))
    lease_seconds = fields.Float(load_default=120, validate=POSITIVE)
    retry = fields.Nested(RetrySchema, load_default=lambda: RetrySchema().load({}))
    defaults = fields.Nested(RecipientDefaultsSchema, load_default=lambda: RecipientDefaultsSchema().load({}))
    channels = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)
    # the inbox's digests: this many notices of one kind for one person within the window are one entry
    digest_window_minutes = fields.Integer(load_default=60, validate=validate.Range(min=1, max=24 * 60))
    digest_min_count = fields.Integer(load_default=5, validate=validate.Range(min=2))
    manager_summary = fields.Nested(
        lambda: ManagerSummarySchema(), load_default=lambda: ManagerSummarySchema().load({})
    )


class ManagerSummarySchema(Schema):
    """Each manager's daily summary of their team: overdue reminders per person, and the customers
    that return to the public pool within ``recycling_within_days``."""

    enabled = fields.Boolean(load_default=True)
    at = fields.String(
        load_default="08:00", validate=CLOCK, metadata={"description": "Local time, the manager's zone."}
    )
    recycling_within_days = fields.Float(load_default=3, validate=POSITIVE)
