"""The team board: for each salesperson, figures the services already answer (reminders from
notification, handoffs waiting from handoff, claims from pool), asked as the caller — so what a
manager may see of whom stays each service's decision (a refusal leaves that figure null). One
call per service for the whole team, not one per person and figure."""

from collections.abc import Callable
from typing import Any

from contracts.board import TeamBoardQuerySchema
from services.runtime.queries import load_input


def team_board(call: Callable[..., Any], query: dict[str, Any]) -> dict[str, Any]:
    asked = load_input(TeamBoardQuerySchema, query)
    people = [
        p for p in call("pool", "list_salespeople")["items"] if p["active"] and asked.get("team") in (None, p["team"])
    ]
    ids = [p["id"] for p in people]
    reminders = call("notification", "reminder_totals", ids) if ids else {}
    waiting = call("handoff", "awaiting_totals", ids) if ids else {}
    claims = call("pool", "claim_allowances", ids) if ids else {}
    return {"items": [_person(p, reminders, waiting, claims) for p in people]}


def _person(person: dict[str, Any], reminders: dict, waiting: dict, claims: dict) -> dict[str, Any]:
    user_id = person["id"]
    seen = reminders.get(user_id)
    return {
        "user_id": user_id,
        "team": person["team"],
        "on_leave": person["on_leave"],
        "overdue_reminders": seen["fired"] if seen is not None else None,
        "open_reminders": seen["open"] if seen is not None else None,
        "handoffs_waiting": waiting.get(user_id),
        "claims": claims.get(user_id),
    }
