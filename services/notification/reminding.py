"""Scheduling and closing reminders without losing a concurrent change (a redelivered event, the
firing loop of another instance, a person's snooze): every write replaces one document guarded
by its version, re-reading and deciding again when the version moved."""
from services.notification.domain.reminders import CLOSED, OPEN, PENDING

MAX_WRITE_ATTEMPTS = 20
SCHEDULED, REPEATED, COLLAPSED, REOPENED = "scheduled", "repeated", "collapsed", "reopened"
MAX_OCCURRENCES_KEPT = 50


class ReminderBusy(Exception):
    """The reminder kept changing under us; the caller's event or request is retried."""


def change_reminder(reminders, reminder_id, change):
    """(before, after): after is None when ``change`` found nothing to change (or no reminder)."""
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        before = reminders.get(reminder_id)
        if before is None:
            return None, None
        after = change(before)
        if after is None or reminders.replace(after, before["version"]):
            return before, after
    raise ReminderBusy(f"reminder {reminder_id} changed {MAX_WRITE_ATTEMPTS} times in a row")


def schedule(reminders, new):
    """(stored reminder, outcome). A new cause schedules it; the same cause again (redelivery)
    changes nothing; another occurrence of an open reminder's cause collapses into it (counted,
    not notified twice); one of a closed reminder's cause opens it again."""
    stored, inserted = reminders.add(new)
    if inserted:
        return stored, SCHEDULED
    occurrence = new["occurrences"][0]
    outcome = {}

    def change(current):
        if occurrence in current["occurrences"]:
            outcome["o"] = REPEATED
            return None
        occurrences = (current["occurrences"] + [occurrence])[-MAX_OCCURRENCES_KEPT:]
        if current["status"] in OPEN:
            outcome["o"] = COLLAPSED
            return {**current, "occurrences": occurrences, "repeats": current.get("repeats", 0) + 1,
                    "version": current["version"] + 1}
        outcome["o"] = REOPENED
        return {**new, "occurrences": occurrences, "repeats": current.get("repeats", 0) + 1,
                "version": current["version"] + 1}

    before, after = change_reminder(reminders, new["_id"], change)
    return (after or before), outcome.get("o", REPEATED)


def close(reminders, closing, at, by="system"):
    """Close an open reminder (done or cancelled) with the reason; a closed one stays as it is."""
    def change(current):
        if current["status"] in CLOSED:
            return None
        return {**current, "status": closing.status, "closed_at": at, "closed_by": by, "close_reason": closing.reason,
                "lease_until": None, "version": current["version"] + 1}
    return change_reminder(reminders, closing.reminder_id, change)[1]


def close_all(reminders, closings, at, by="system"):
    return [after for closing in closings if (after := close(reminders, closing, at, by)) is not None]


def reopen_at(current, due_at, **extra):
    """The reminder pending again, to fire at ``due_at`` (a snooze, a moved follow-up)."""
    return {**current, "status": PENDING, "due_at": due_at, "fire_at": due_at, "lease_until": None,
            "version": current["version"] + 1, **extra}
