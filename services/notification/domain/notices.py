"""What a person is told: a fired reminder (or a day's digest of them) as a notice, worded in
their time zone, with the original due time shown even when it fires late (after downtime), and
the customer called by its company name once notification knows it."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.notification.domain import Document
from services.notification.domain.reminders import PLANNED_KINDS

TITLES = {
    "first_touch": "First touch due",
    "second_touch": "Try again: no answer",
    "follow_up": "Follow-up due",
    "meeting_minutes": "Send the meeting minutes",
    "recycling_warning": "Customer about to return to the pool",
    "allocation_stalled": "Nobody can take a customer",
    "handoff_waiting": "Handoff waiting for you",
    "handoff_acceptance": "Handoff still waiting for your acceptance",
    "info_pending": "Pending handoff information overdue",
    "handoff_returned": "Handoff returned",
    "handoff_withdrawn": "Handoff withdrawn",
    "requirement_changed": "Requirement changed",
    "returned_to_pool": "Customer returned to the public pool",
    "owner_handoff": "Your customer is being handed to someone else",
}
DIGEST = "digest"
LATE_AFTER = timedelta(minutes=5)  # fired this much after its due time: say so


@dataclass(frozen=True)
class Preferences:
    """How and when one person is told. ``addresses`` and ``secrets`` are per channel name."""

    user_id: str
    time_zone: str
    quiet_start: time | None
    quiet_end: time | None
    digest: bool
    digest_at: time
    channels: tuple
    addresses: dict
    secrets: dict


def notice_id(reminder: Document) -> str:
    """One notice per reminder and firing time: a crash and retry re-files the same one, while a
    snoozed or reopened reminder fires anew."""
    return f"ntf_{reminder['_id']}_{reminder['fire_at']:%Y%m%dT%H%M%S}"


def notice_of(
    reminder: Document,
    preferences: Preferences,
    fired_at: datetime,
    digest_id: str | None = None,
    customer_name: str | None = None,
) -> Document:
    """``customer_name``: the customer's company name when known; the notice then calls the
    customer by it where the reminder's message names it by id."""
    zone = ZoneInfo(preferences.time_zone)
    due = reminder["due_at"].astimezone(zone)
    customer_id = reminder.get("customer_id")
    customer = customer_name or f"customer {customer_id}"
    body = named(reminder["message"], customer_id, customer_name)
    if reminder["kind"] in PLANNED_KINDS:  # the others tell of something that just happened
        body += f"\nDue {due:%Y-%m-%d %H:%M} ({preferences.time_zone})."
    if fired_at - reminder["fire_at"] > LATE_AFTER:
        body += f"\nSent late: it was due {due:%Y-%m-%d %H:%M} ({preferences.time_zone})."
    if reminder.get("repeats"):
        body += f"\nRaised {reminder['repeats'] + 1} times."
    return {
        "_id": notice_id(reminder),
        "user_id": reminder["user_id"],
        "reminder_id": reminder["_id"],
        "kind": reminder["kind"],
        "title": TITLES.get(reminder["kind"], reminder["kind"].replace("_", " ").capitalize())
        + (f": {customer}" if customer_id else ""),
        "body": body,
        "customer_id": customer_id,
        "due_at": reminder["due_at"],
        "fired_at": fired_at,
        "digest_id": digest_id,
        "items": [],
        # the reminder's facts (people, times, fields) for a client to word it in the reader's language
        "details": dict(reminder.get("details") or {}),
    }


def named(text: str, customer_id: str | None, customer_name: str | None) -> str:
    """``text`` with "customer <id>" (as the reminder rules write it) saying the company's name
    instead, when it is known."""
    if not (customer_id and customer_name):
        return text
    return re.sub(
        rf"\b([Cc]ustomer) {re.escape(customer_id)}(?![\w-]|\.\w)", lambda match: f"{match[1]} {customer_name}", text
    )


def digest_id_of(user_id: str, day: date) -> str:
    return f"dig_{user_id}_{day:%Y%m%d}"


def digest_of(digest: Document, notices: Sequence[Document], preferences: Preferences, at: datetime) -> Document | None:
    """One notice carrying a day's notices (those still worth telling), or None when none are."""
    if not notices:
        return None
    zone = ZoneInfo(preferences.time_zone)
    lines = [
        f"- {n['title']} (due {n['due_at'].astimezone(zone):%Y-%m-%d %H:%M}): {n['body'].splitlines()[0]}"
        for n in notices
    ]
    count = len(notices)
    return {
        "_id": f"ntf_{digest['_id']}",
        "user_id": digest["user_id"],
        "reminder_id": None,
        "kind": DIGEST,
        "title": f"Your Baton digest: {count} reminder{'s' if count != 1 else ''}",
        "body": "\n".join(lines),
        "customer_id": None,
        "due_at": digest["due_at"],
        "fired_at": at,
        "digest_id": None,
        "items": [n["_id"] for n in notices],
        "details": {},
    }


# --- the inbox's digests: many notices of one kind for one person within a short window ---------

INBOX_DIGEST = "inbox_digest"
GROUP_TITLES = {
    "first_touch": "{count} new customers assigned to you",
    "recycling_warning": "{count} customers about to return to the pool",
    "returned_to_pool": "{count} customers returned to the public pool",
    "handoff_waiting": "{count} handoffs waiting for you",
    "requirement_changed": "{count} requirement changes",
}
NAMES_IN_BODY = 50  # a digest's body lists this many companies; every notice stays in ``items``


def group_id_of(user_id: str, kind: str, fired_at: datetime, window: timedelta) -> str:
    """The digest a notice falls into: one per person, kind and window (windows counted from the
    epoch), so every instance and every retry names the same one."""
    seconds = int(window.total_seconds())
    start = datetime.fromtimestamp(int(fired_at.timestamp()) // seconds * seconds, UTC)
    return f"grp_{user_id}_{kind}_{start:%Y%m%dT%H%M}"


def inbox_digest(group_id: str, members: list, names: dict, stored: dict | None) -> dict:
    """The inbox entry standing for ``members`` (the inbox entries of the window, oldest first):
    their count, their customers (company names from ``names``, {customer id: name}) and their
    ids, so each stays reachable. ``stored``: the digest as stored; it never loses an item (a
    concurrent filing may have counted one this one did not see). Unread while any member is."""
    member_ids = [m["_id"] for m in members]
    items = list(dict.fromkeys([*(stored or {}).get("items", []), *member_ids]))
    latest = max(members, key=lambda m: m["fired_at"])
    kind = latest["kind"]
    customers = list(
        dict.fromkeys(
            [
                *((stored or {}).get("details") or {}).get("customer_ids", []),
                *(m["customer_id"] for m in members if m.get("customer_id")),
            ]
        )
    )
    grew = bool(set(items) - set((stored or {}).get("items", [])))
    companies = [names.get(c) or f"customer {c}" for c in customers]
    count = len(items)
    title = GROUP_TITLES.get(kind, "{count} notices: " + TITLES.get(kind, kind.replace("_", " "))).format(count=count)
    shown = companies[:NAMES_IN_BODY]
    body = ", ".join(shown) + (f" and {len(companies) - len(shown)} more" if len(companies) > len(shown) else "")
    return {
        "_id": group_id,
        "user_id": latest["user_id"],
        "kind": INBOX_DIGEST,
        "title": title,
        "body": body,
        "customer_id": None,
        "due_at": None,
        "fired_at": latest["fired_at"],
        "read": bool(stored and stored["read"]) and not grew,  # a new notice in it is news
        "read_at": (stored or {}).get("read_at"),
        "group_id": None,
        "grouped_in": None,
        "items": items,
        "details": {"of_kind": kind, "count": count, "customer_ids": customers},
    }


def with_customer_names(details: dict, names: dict) -> dict:
    """A digest's details with its customers named ({customer_id, customer_name}; the name None
    while not known), for a client to list and link them in the reader's language."""
    ids = details.get("customer_ids", [])
    return {
        **{k: v for k, v in details.items() if k != "customer_ids"},
        "customers": [{"customer_id": c, "customer_name": names.get(c)} for c in ids],
    }
