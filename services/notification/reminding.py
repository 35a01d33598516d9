"""Scheduling and closing reminders without losing a concurrent change (a redelivered event, the
firing loop of another instance, a person's snooze): every write replaces one document guarded
by its version, re-reading and deciding again when the version moved."""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.notification.domain import Document
from services.notification.domain.reminders import CANCELLED, CLOSED, DONE, OPEN, PENDING
from services.notification.domain.satisfying import Closing, closed
from services.notification.leasing import change_guarded
from services.notification.store import Reminders

SCHEDULED, REPEATED, COLLAPSED, REOPENED = "scheduled", "repeated", "collapsed", "reopened"
MAX_OCCURRENCES_KEPT = 50


def change_reminder(
    reminders: Reminders, reminder_id: str, change: Callable[[Document], Document | None]
) -> tuple[Document | None, Document | None]:
    """(before, after): after is None when ``change`` found nothing to change (or no reminder)."""
    return change_guarded(reminders.get, reminders.replace, reminder_id, change)


def schedule(reminders: Reminders, new: Document) -> tuple[Document, str]:
    """(stored reminder, outcome). A new cause schedules it; the same cause again (redelivery)
    changes nothing; another occurrence of an open reminder's cause collapses into it (counted,
    not notified twice); one of a closed reminder's cause opens it again."""
    stored, inserted = reminders.add(new)
    if inserted:
        return stored, SCHEDULED
    return _scheduled_again(reminders, new, stored)


def schedule_all(reminders: Reminders, news: list[Document]) -> list[tuple[Document, str]]:
    """``schedule`` for each of ``news``, in order, their first writes sent as one command: those
    new (the usual case) cost nothing more; one whose cause was scheduled before is decided as
    ``schedule`` decides it."""
    taken = reminders.add_all(news)
    return [
        _scheduled_again(reminders, new, None) if new["_id"] in taken else ({"version": 0, **new}, SCHEDULED)
        for new in news
    ]


def _scheduled_again(reminders: Reminders, new: Document, stored: Document | None) -> tuple[Document, str]:
    """(reminder, outcome) for ``new`` when a reminder of its id is stored (``stored`` as read, or None)."""
    occurrence = new["occurrences"][0]
    outcome = {}

    def change(current):
        if occurrence in current["occurrences"]:
            outcome["o"] = REPEATED
            return None
        occurrences = (current["occurrences"] + [occurrence])[-MAX_OCCURRENCES_KEPT:]
        if current["status"] in OPEN:
            outcome["o"] = COLLAPSED
            return {
                **current,
                "occurrences": occurrences,
                "repeats": current.get("repeats", 0) + 1,
            }
        outcome["o"] = REOPENED
        return {
            **new,
            "occurrences": occurrences,
            "repeats": current.get("repeats", 0) + 1,
        }

    before, after = change_guarded(reminders.get, reminders.replace, new["_id"], change, stored)
    return (after or before or stored or new), outcome.get("o", REPEATED)


def close(reminders: Reminders, closing: Closing, at: datetime, by: str = "system") -> Document | None:
    """Close an open reminder (done or cancelled) with the reason; a closed one stays as it is."""

    def change(current):
        return None if current["status"] in CLOSED else closed(current, closing, at, by)

    return change_reminder(reminders, closing.reminder_id, change)[1]


def close_all(reminders: Reminders, closings: Iterable[Closing], at: datetime, by: str = "system") -> list[Document]:
    return [after for closing in closings if (after := close(reminders, closing, at, by)) is not None]


def snooze(reminders: Reminders, reminder_id: str, request: Document, now: datetime) -> Document:
    """Fire again later (``until`` or ``minutes`` from now), with the reason if one is given (a
    recorded reason for not following up yet); only the person reminded may snooze."""
    until = request.get("until") or now + timedelta(minutes=request["minutes"])
    if until <= now:
        raise InvalidInput.from_messages({"until": ["Must be in the future."]}, what="snooze")

    def change(current):
        _check_owner(current, request["by"], "snooze")
        if current["status"] in CLOSED:
            raise Conflict(f"Reminder {reminder_id} is already {current['status']}.", {"status": current["status"]})
        return {
            **current,
            "status": PENDING,
            "fire_at": until,
            "snoozed_until": until,
            "snoozed_by": request["by"],
            "snooze_reason": request.get("reason"),
            "lease_until": None,
            "lease_token": None,
        }

    return _changed(reminders, reminder_id, change)


def mark_done(reminders: Reminders, reminder_id: str, request: Document, now: datetime) -> Document:
    """Done by hand (a done reminder stays done; a cancelled one cannot be done)."""

    def change(current):
        _check_owner(current, request["by"], "mark done")
        if current["status"] == DONE:
            return None
        if current["status"] == CANCELLED:
            raise Conflict(
                f"Reminder {reminder_id} was cancelled: {current.get('close_reason')}.", {"status": CANCELLED}
            )
        return {
            **current,
            "status": DONE,
            "closed_at": now,
            "closed_by": request["by"],
            "close_reason": request.get("note") or "marked done",
            "lease_until": None,
            "lease_token": None,
        }

    return _changed(reminders, reminder_id, change)


def _changed(reminders, reminder_id, change):
    before, after = change_reminder(reminders, reminder_id, change)
    if before is None:
        raise NotFound.of("reminder", reminder_id)
    return after or before


def _check_owner(reminder, by, what):
    if by != reminder["user_id"]:
        raise Forbidden.because(
            f"Only {reminder['user_id']}, whom it reminds, can {what} it.", user_id=reminder["user_id"]
        )
