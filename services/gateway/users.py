"""Users, their departments and roles, and their API tokens: what admins do, and what each user
may do for themselves (see and revoke their own tokens)."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from contracts.errors import Conflict, Forbidden, NotFound
from contracts.events import dump_event
from services.gateway.directory import PENDING, Directory, Document
from services.runtime.access import ADMIN, Actor
from services.runtime.guarded import change_guarded

log = logging.getLogger(__name__)
MAX_PEOPLE = 10_000  # GET /people answers everyone at once: a company's staff, not its customers


def create_user(directory: Directory, user: Document, now: datetime) -> Document:
    stored, added = directory.add_user(
        {**user, "_id": user.pop("id"), "active": True, "created_at": now, "version": 0, "announce": PENDING}
    )
    if not added:
        raise Conflict(f"A user {stored['_id']} already exists.", {"id": stored["_id"]})
    return stored


def update_user(directory: Directory, user_id: str, changes: Document) -> Document:
    def change(user):
        changed = {**user, **changes, "announce": PENDING}
        if changed.get("role") in ("member", "manager") and not changed.get("department"):
            raise Conflict(f"A {changed['role']} belongs to a department.", {"department": None})
        if _is_active_admin(user) and not _is_active_admin(changed) and not directory.other_active_admins(user_id):
            # Nobody could then manage users or tokens again short of editing the store by hand.
            raise Conflict(
                f"{user_id} is the last active admin: make another user an active admin first.",
                {"user_id": user_id, "reason": "last_active_admin"},
            )
        return changed

    before, after = change_guarded(directory.user, directory.replace_user, user_id, change)
    if before is None:
        raise NotFound.of("user", user_id)
    assert after is not None  # ``change`` always answers the user changed
    return after


def _is_active_admin(user):
    return user.get("role") == ADMIN and bool(user.get("active"))


def announce(directory: Directory, dispatch: Callable[[str, Any], Any], user: Document, now: datetime) -> bool:
    """Publish user_saved for the user as stored; False if it could not go out yet (nobody
    subscribed, the broker away): the user stays pending and the timer tries again."""
    try:
        dispatch(
            "user_saved",
            dump_event(
                "user_saved",
                {
                    "user_id": user["_id"],
                    "name": user["name"],
                    "role": user["role"],
                    "department": user.get("department"),
                    "team": user.get("team"),
                    "active": user["active"],
                    "version": user["version"],
                    "at": now,
                },
            ),
        )
    except Exception as exc:  # whatever stops a publish, the pending mark keeps it for the timer
        log.warning("user_saved for %s not published yet (%s: %s); it is retried", user["_id"], type(exc).__name__, exc)
        return False
    directory.mark_announced(user)
    return True


def issue_token(directory: Directory, actor: Actor | None, user_id: str, label: str | None, now: datetime) -> Document:
    may_manage_tokens_of(actor, user_id)
    user = existing_user(directory, user_id)
    if not user["active"]:
        raise Conflict(f"User {user_id} is not active.", {"user_id": user_id})
    token, record = directory.issue(user_id, label, now)
    return {**record, "token": token}


def revoke_token(directory: Directory, actor: Actor | None, token_id: str, now: datetime) -> Document:
    record = directory.token(token_id)
    if record is None:
        raise NotFound.of("token", token_id)
    may_manage_tokens_of(actor, record["user_id"])
    if record["revoked_at"] is None:
        before, record = record, {**record, "revoked_at": now}
        directory.replace_token(record, before)
    return record


def tokens_of(directory: Directory, actor: Actor | None, user_id: str) -> list[Document]:
    may_manage_tokens_of(actor, user_id)
    existing_user(directory, user_id)
    return directory.tokens_of(user_id)


def may_manage_tokens_of(actor: Actor | None, user_id: str) -> None:
    """Admins manage every token; anyone else only their own."""
    if actor is not None and actor.role != ADMIN and actor.user_id != user_id:
        raise Forbidden.because(f"{actor.describe()} may manage only their own tokens.", user_id=user_id)


def existing_user(directory: Directory, user_id: str) -> Document:
    user = directory.user(user_id)
    if user is None:
        raise NotFound.of("user", user_id)
    return user
