"""Signing in to the console: passwords, sessions that end when idle or at sign-out, and a limit
on failed sign-ins per user id and per address.

Hashing is memory-hard and slow on purpose, so it runs in a real thread (eventlet's tpool): one
sign-in must not stall every other request of the gateway for its tenth of a second.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from eventlet import tpool

from contracts.errors import Forbidden, TooManyAttempts, Unauthenticated
from services.gateway import passwords
from services.gateway.directory import Directory, Document
from services.gateway.leavers import may_sign_in, refusal
from services.gateway.users import existing_user, may_manage_tokens_of
from services.runtime.access import ADMIN, Actor

log = logging.getLogger(__name__)

WRONG = "The user id or password is wrong."


def sign_in(
    directory: Directory, settings: dict[str, Any], user_id: str, password: str, address: str | None, now: datetime
) -> tuple[str, Document]:
    """(token, user) for a right password of an active user; ``Unauthenticated`` otherwise, and
    ``TooManyAttempts`` once the user id or the address has failed too often lately."""
    keys = [f"user:{user_id}"] + ([f"address:{address}"] if address else [])
    _refuse_while_locked(directory, settings, keys, now)
    user = directory.user(user_id)
    credential = directory.credential(user_id) if user is not None else None
    if credential is None:
        tpool.execute(passwords.spend_a_check, password)
        right = False
    else:
        right = tpool.execute(passwords.verify_password, password, credential["hash"])
    if user is None or not right or not may_sign_in(user, now):
        for key in keys:
            directory.add_failure(key, now.timestamp())
        log.info("sign-in refused for %r from %s", user_id, address)
        raise Unauthenticated(WRONG if not right else refusal(user_id, user), {"reason": "sign_in"})
    directory.forget_failures(keys[0], now.timestamp() + 1)  # a success clears the user's count
    token, _ = directory.open_session(user_id, address, now, now + idle(settings))
    return token, user


def set_password(
    directory: Directory, actor: Actor | None, user_id: str, password: str, current_password: str | None, now: datetime
) -> dict[str, Any]:
    """Admins set anyone's password (and the CLI, acting as the system); a person changes their own
    only with the current one."""
    may_manage_tokens_of(actor, user_id)
    existing_user(directory, user_id)
    if actor is not None and actor.role != ADMIN:
        credential = directory.credential(user_id)
        if credential is not None and not tpool.execute(
            passwords.verify_password, current_password or "", credential["hash"]
        ):
            raise Forbidden("The current password is wrong.", {"fields": {"current_password": ["Wrong password."]}})
    stored = directory.set_credential(
        user_id, tpool.execute(passwords.hash_password, password), now, actor.user_id if actor else "system"
    )
    return {"user_id": user_id, "password_set_at": stored["set_at"]}


def sign_out(directory: Directory, token: str, now: datetime) -> bool:
    record = directory.session_by_secret(token)
    if record is None or record["ended_at"] is not None:
        return False
    directory.end_session(record, now)
    return True


def idle(settings: dict[str, Any]) -> timedelta:
    return timedelta(hours=settings["session_idle_hours"])


def _refuse_while_locked(directory, settings, keys, now):
    window = settings["sign_in_window_minutes"] * 60
    since = now.timestamp() - window
    for key in keys:
        # an address may be an office's shared one: it is allowed more failures than a user id
        allowed = settings["sign_in_failures_allowed" if key.startswith("user:") else "sign_in_failures_per_address"]
        recent = directory.failures_since(key, since, allowed)
        if len(recent) >= allowed:
            wait = max(1, int(recent[0]["at_epoch"] + window - now.timestamp()) + 1)
            log.info("sign-in refused for %s: %d failures within %g minutes", key, len(recent), window / 60)
            raise TooManyAttempts(
                f"Too many failed sign-ins; try again in {_minutes(wait)}.",
                {"retry_after_seconds": wait, "limit": allowed, "window_minutes": window / 60},
            )
        directory.forget_failures(key, since)


def _minutes(seconds):
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
