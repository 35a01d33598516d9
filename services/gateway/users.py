"""Users, their departments and roles, and their API tokens: what admins do, and what each user
may do for themselves (see and revoke their own tokens)."""

import logging

from contracts.errors import Conflict, Forbidden, NotFound
from contracts.events import dump_event
from services.gateway.directory import PENDING
from services.runtime.access import ADMIN
from services.runtime.guarded import change_guarded

log = logging.getLogger(__name__)
MAX_PEOPLE = 10_000  # GET /people answers everyone at once: a company's staff, not its customers


def create_user(directory, user, now):
    stored, added = directory.add_user(
        {**user, "_id": user.pop("id"), "active": True, "created_at": now, "version": 0, "announce": PENDING}
    )
    if not added:
        raise Conflict(f"A user {stored['_id']} already exists.", {"id": stored["_id"]})
    return stored


def update_user(directory, user_id, changes):
    def change(user):
        changed = {**user, **changes, "version": user["version"] + 1, "announce": PENDING}
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
    return after


def _is_active_admin(user):
    return user.get("role") == ADMIN and bool(user.get("active"))


def announce(directory, dispatch, user, now):
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


def issue_token(directory, actor, user_id, label, now):
    may_manage_tokens_of(actor, user_id)
    user = existing_user(directory, user_id)
    if not user["active"]:
        raise Conflict(f"User {user_id} is not active.", {"user_id": user_id})
    token, record = directory.issue(user_id, label, now)
    return {**record, "token": token}


def revoke_token(directory, actor, token_id, now):
    record = directory.token(token_id)
    if record is None:
        raise NotFound.of("token", token_id)
    may_manage_tokens_of(actor, record["user_id"])
    if record["revoked_at"] is None:
        before, record = record, {**record, "revoked_at": now}
        directory.replace_token(record, before)
    return record


def tokens_of(directory, actor, user_id):
    may_manage_tokens_of(actor, user_id)
    existing_user(directory, user_id)
    return directory.tokens_of(user_id)


def may_manage_tokens_of(actor, user_id):
    """Admins manage every token; anyone else only their own."""
    if actor is not None and actor.role != ADMIN and actor.user_id != user_id:
        raise Forbidden.because(f"{actor.describe()} may manage only their own tokens.", user_id=user_id)


def existing_user(directory, user_id):
    user = directory.user(user_id)
    if user is None:
        raise NotFound.of("user", user_id)
    return user
