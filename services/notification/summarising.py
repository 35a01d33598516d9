"""Each manager's daily team summary, made by the firing pass once their summary hour has come
(in their time zone): filed once a day (its id names manager and day) and delivered through
their channels like any notice."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.notification.domain.notices import Preferences
from services.notification.domain.reminders import PLANNED_KINDS, RECYCLING_WARNING
from services.notification.domain.summaries import manager_summary, summary_day, summary_id, team_of
from services.notification.domain.timing import parse_clock
from services.notification.firing import delivery_of
from services.notification.store import Outbox, Recipients, Reminders


def send_manager_summaries(
    outbox: Outbox,
    reminders: Reminders,
    recipients: Recipients,
    preferences_of: Callable[[str], Preferences],
    settings: dict[str, Any],
    now: datetime,
) -> int:
    """How many summaries were filed in this pass."""
    policy = settings["manager_summary"]
    if not policy["enabled"]:
        return 0
    filed = 0
    at_clock, within = parse_clock(policy["at"]), timedelta(days=policy["recycling_within_days"])
    for manager in recipients.active_managers():
        preferences = preferences_of(manager["_id"])
        day = summary_day(preferences.time_zone, at_clock, now)
        if day is None or outbox.notice(summary_id(manager["_id"], day)) is not None:
            continue
        team = team_of(manager, recipients.people_in(manager["department"]) if manager.get("department") else [])
        open_ = reminders.open_of_users(team, (*PLANNED_KINDS, RECYCLING_WARNING))
        names = reminders.customer_names(r["customer_id"] for r in open_)
        notice, added = outbox.add_notice(manager_summary(manager["_id"], day, open_, names, now, within))
        if added:
            for channel in preferences.channels:
                outbox.deliveries.add(delivery_of(notice, channel, now))
            filed += 1
    return filed
