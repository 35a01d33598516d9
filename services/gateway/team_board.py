"""The team board: for each salesperson, figures the services already answer (reminders from
notification, handoffs waiting from handoff, claims from pool), asked as the caller — so what a
manager may see of whom stays each service's decision (a refusal leaves that figure null)."""

from collections.abc import Callable

from contracts.board import TeamBoardQuerySchema
from contracts.errors import Forbidden
from services.runtime.queries import load_input


def team_board(call: Callable, query: dict) -> dict:
    asked = load_input(TeamBoardQuerySchema, query)
    people = [
        p for p in call("pool", "list_salespeople")["items"] if p["active"] and asked.get("team") in (None, p["team"])
    ]
    return {"items": [_person(call, p) for p in people]}


def _person(call: Callable, person: dict) -> dict:
    user_id = person["id"]
    return {
        "user_id": user_id,
        "team": person["team"],
        "on_leave": person["on_leave"],
        "overdue_reminders": _allowed(
            lambda: call("notification", "list_reminders", user_id, {"status": "fired", "limit": 1})["total"]
        ),
        "open_reminders": _allowed(
            lambda: call("notification", "list_reminders", user_id, {"status": "open", "limit": 1})["total"]
        ),
        "handoffs_waiting": _allowed(
            lambda: call("handoff", "list_handoffs", {"awaiting": user_id, "limit": 1})["total"]
        ),
        "claims": _allowed(lambda: call("pool", "claim_allowance", user_id)),
    }


def _allowed(ask: Callable):
    try:
        return ask()
    except Forbidden:
        return None
