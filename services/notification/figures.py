"""notification's figures for /metrics (``services.runtime.health``): reminders due and overdue,
deliveries by channel and result."""

from datetime import timedelta

from contracts.notification import DELIVERY_STATUSES
from services.notification.store import epoch
from services.runtime.health import Tally

TOLD = ("firing", "fired")  # fired to its person (or being fired), not yet done nor cancelled


def reminders_figures(tally: Tally) -> list[dict]:
    """Due: its time has come and it is not done (fired, or still waiting to be fired: a firing
    backlog). Overdue: still open ``overdue_after_hours`` after it fell due."""
    now = epoch(tally.now)
    waiting = tally.count("reminders", {"status": "pending", "wake_epoch": {"$lte": now}})
    told = sum(tally.count("reminders", {"status": status}) for status in TOLD)
    overdue_before = tally.now - timedelta(hours=tally.settings["overdue_after_hours"])
    overdue = sum(tally.count("reminders", {"status": status, "due_at": {"$lte": overdue_before}}) for status in TOLD)
    overdue += tally.count("reminders", {"status": "pending", "wake_epoch": {"$lte": epoch(overdue_before)}})
    return [
        tally.figure(
            "baton_reminders_due",
            "Open reminders whose time has come, by whether they were fired yet",
            [({"state": "fired"}, told), ({"state": "waiting_to_fire"}, waiting)],
        ),
        tally.figure(
            "baton_reminders_overdue", "Open reminders still not done long after they fell due", [({}, overdue)]
        ),
    ]


def deliveries_figure(tally: Tally) -> dict:
    samples = [
        ({"channel": channel, "result": status}, tally.count("deliveries", {"channel": channel, "status": status}))
        for channel in tally.values("deliveries", "channel")
        for status in DELIVERY_STATUSES
    ]
    return tally.figure("baton_deliveries", "Notice deliveries by channel and result", samples)


FIGURES = (reminders_figures, deliveries_figure)
