"""A manager's daily summary of their team: who has how many overdue reminders, and which
customers return to the public pool within a few days (from pool's warnings) — one entry a day,
named by the manager and the day, so every instance and every retry files the same one."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.notification.domain.reminders import PLANNED_KINDS, RECYCLING_WARNING

MANAGER_SUMMARY = "manager_summary"
RECYCLING_SHOWN = 50  # customers named in the body; the details list them all


def summary_id(manager_id: str, day: date) -> str:
    return f"ntf_summary_{manager_id}_{day:%Y%m%d}"


def summary_day(time_zone: str, at_clock: time, now: datetime) -> date | None:
    """The manager's local day once its summary hour (``at_clock``, local) has come; None before."""
    local = now.astimezone(ZoneInfo(time_zone))
    return local.date() if local.time().replace(tzinfo=None) >= at_clock else None


def team_of(manager: dict, people: list) -> list:
    """Whom a manager's summary covers: the other people of their department, of their team when
    they manage one (the user directory's documents {_id, role, department, team, active})."""
    return sorted(
        p["_id"]
        for p in people
        if p["_id"] != manager["_id"]
        and p["role"] != "manager"
        and p.get("department") == manager.get("department")
        and (not manager.get("team") or p.get("team") == manager["team"])
    )


def is_overdue(reminder: dict, now: datetime) -> bool:
    return reminder["kind"] in PLANNED_KINDS and reminder["due_at"] < now


def returns_soon(reminder: dict, now: datetime, within: timedelta) -> datetime | None:
    """When a warned customer returns to the pool, if within ``within`` of ``now`` (else None)."""
    if reminder["kind"] != RECYCLING_WARNING:
        return None
    returns_at = (
        datetime.fromisoformat(reminder["details"]["returns_at"]) if reminder["details"].get("returns_at") else None
    )
    return returns_at if returns_at is not None and returns_at <= now + within else None


def manager_summary(
    manager_id: str, day: date, open_reminders: list, names: dict, now: datetime, within: timedelta
) -> dict:
    """The summary notice from the team's open reminders (``names``: {customer id: company})."""
    overdue: dict = {}
    recycling = []
    for reminder in open_reminders:
        if is_overdue(reminder, now):
            overdue[reminder["user_id"]] = overdue.get(reminder["user_id"], 0) + 1
        if (returns_at := returns_soon(reminder, now, within)) is not None:
            customer = reminder["customer_id"]
            recycling.append(
                {
                    "customer_id": customer,
                    "customer_name": names.get(customer),
                    "owner_id": reminder["user_id"],
                    "returns_at": returns_at.isoformat(),
                }
            )
    recycling = sorted({r["customer_id"]: r for r in recycling}.values(), key=lambda r: r["returns_at"])
    people = sorted(overdue.items(), key=lambda item: (-item[1], item[0]))
    days = f"{within.total_seconds() / 86400:g}"
    lines = [
        f"Overdue reminders: {', '.join(f'{person} {count}' for person, count in people)}."
        if people
        else "No overdue reminders."
    ]
    if recycling:
        lines.append(
            f"Returning to the public pool within {days} days: "
            + ", ".join(
                f"{r['customer_name'] or 'customer ' + r['customer_id']} ({r['owner_id']}, {r['returns_at'][:10]})"
                for r in recycling[:RECYCLING_SHOWN]
            )
            + (f" and {len(recycling) - RECYCLING_SHOWN} more" if len(recycling) > RECYCLING_SHOWN else "")
            + "."
        )
    else:
        lines.append(f"No customer returns to the public pool within {days} days.")
    total = sum(overdue.values())
    return {
        "_id": summary_id(manager_id, day),
        "user_id": manager_id,
        "reminder_id": None,
        "kind": MANAGER_SUMMARY,
        "title": f"Team summary {day:%Y-%m-%d}: {total} overdue, {len(recycling)} returning to the pool soon",
        "body": "\n".join(lines),
        "customer_id": None,
        "due_at": None,
        "fired_at": now,
        "digest_id": None,
        "items": [],
        "details": {
            "day": day.isoformat(),
            "within_days": within.total_seconds() / 86400,
            "overdue": [{"user_id": person, "count": count} for person, count in people],
            "recycling": recycling,
        },
    }
