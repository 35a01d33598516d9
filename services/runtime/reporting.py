"""What every service's reports share: who may read them, and the period a report covers.

A period is a range of calendar months ("YYYY-MM", both included) in the time zone of
``BATON.reports``; asked without one, a report covers the last ``default_months`` months up to
the current one, and never more than ``max_months``. Each service reads that section with
``ReportPeriodSettingsSchema`` (profile adds keys of its own), so one setting decides the months
of every report.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from contracts.errors import InvalidInput
from services.runtime.access import Actor, require
from services.runtime.document_store import LAST_MOMENT
from services.runtime.queries import load_input
from services.runtime.report_rules import month_of, month_start, months_from, shifted


@dataclass(frozen=True)
class Period:
    """Months ``first`` to ``last`` (both included): ``since`` is when the first starts and
    ``until`` when the month after the last starts (UTC)."""

    first: str
    last: str
    since: datetime
    until: datetime

    @property
    def months(self) -> list[str]:
        return months_from(self.first, self.last)

    @property
    def month_before(self) -> str:
        return shifted(self.first, -1)

    @property
    def last_moment(self) -> datetime:
        """The last second in the period, for ranges that include their end."""
        return self.until - LAST_MOMENT

    def answer(self, **figures: Any) -> dict[str, Any]:
        """A report's answer: its period and its figures."""
        return {"first": self.first, "last": self.last, **figures}


def report_query(
    caller: Actor | None,
    readers: Collection[str],
    schema_cls: type[Schema],
    query: dict[str, Any] | None,
    settings: dict[str, Any],
    now: datetime,
) -> tuple[dict[str, Any], Period]:
    """(the query loaded with ``schema_cls``, its ``Period``), once ``caller`` is one of ``readers``."""
    require(caller, readers, "read this report")
    loaded = load_input(schema_cls, query)
    return loaded, period_of(loaded, settings, now)


def period_of(query: dict[str, Any], settings: dict[str, Any], now: datetime) -> Period:
    """The ``Period`` a report query asks for (``from``/``to`` loaded as ``first``/``last``).
    Raises ``InvalidInput`` naming the field when it is upside down or longer than allowed."""
    zone = settings["zone"]
    last = query.get("last") or month_of(now, zone)
    first = query.get("first") or shifted(last, 1 - settings["default_months"])
    if first > last:
        raise InvalidInput.from_messages({"from": [f"After 'to' ({last})."]})
    if len(months_from(first, last)) > settings["max_months"]:
        raise InvalidInput.from_messages({"from": [f"A report covers at most {settings['max_months']} months."]})
    return Period(first, last, month_start(first, zone), month_start(shifted(last, 1), zone))


class ReportPeriodSettingsSchema(Schema):
    """``BATON.reports`` as far as periods go (the other keys are profile's)."""

    class Meta:
        unknown = EXCLUDE

    time_zone = fields.String(load_default="Asia/Shanghai")
    default_months = fields.Integer(load_default=6, validate=validate.Range(min=1))
    max_months = fields.Integer(load_default=36, validate=validate.Range(min=1))

    @validates_schema
    def consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        try:
            ZoneInfo(data["time_zone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f"Unknown time zone {data['time_zone']!r}.", field_name="time_zone") from exc
        if data["default_months"] > data["max_months"]:
            raise ValidationError("More than max_months.", field_name="default_months")

    @post_load
    def with_zone(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {**data, "zone": ZoneInfo(data["time_zone"])}


# The longest month: a span of ``max_months`` months is at most this many days long.
_MONTH_DAYS = 31


def check_span(since: datetime | None, until: datetime | None, settings: dict, now: datetime) -> None:
    """A period given by moments (``since``/``until``, either may be left to its default) that is
    upside down or longer than ``max_months`` months is refused, naming ``since``."""
    end = until or now
    if since is None:
        return
    if since > end:
        raise InvalidInput.from_messages({"since": [f"After 'until' ({end.isoformat()})."]})
    if end - since > timedelta(days=_MONTH_DAYS * settings["max_months"]):
        raise InvalidInput.from_messages({"since": [f"A period covers at most {settings['max_months']} months."]})
