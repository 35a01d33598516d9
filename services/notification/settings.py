from datetime import timedelta

from marshmallow import Schema, fields, post_load, validate

from services.notification.domain.reminders import ReminderPolicy


class ReminderSettingsSchema(Schema):
    first_touch_days = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))

    @post_load
    def as_policy(self, data, **kwargs):
        return ReminderPolicy(first_touch_within=timedelta(days=data["first_touch_days"]))
