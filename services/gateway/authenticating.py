"""Who is calling the HTTP API: a bearer token looked up in the directory, briefly cached.

Shared by every route of a gateway container. The cache keeps the hot path off the document
store; its period (``BATON.access.token_cache_seconds``) is how long a revoked token or a
deactivated user may still be served. Two kinds of token: API tokens (``bt_``) for integrations
and scripts, valid until revoked; console sessions (``bs_``), which end at sign-out or after
``BATON.access.session_idle_hours`` without a call.
"""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from nameko.extensions import DependencyProvider, SharedExtension

from contracts.errors import Unauthenticated
from services.gateway.directory import SESSION_PREFIX, Directory
from services.gateway.leavers import may_sign_in, refusal
from services.runtime.access import AccessSettingsSchema, Actor
from services.runtime.mongo import DatabaseLease
from services.runtime.settings import load_section

LAST_USED_EVERY = timedelta(minutes=10)  # how stale "last used" may be: not a write per request
SESSION_TOUCH_EVERY = timedelta(minutes=1)  # a session's idle clock is kept to the minute


class Authenticator(SharedExtension):
    def setup(self) -> None:
        self.settings = load_section(self.container.config, "access", AccessSettingsSchema)
        self.lease = DatabaseLease(self.container.config, self.container.service_name)
        # Its indexes are the gateway's MongoStore(Directory)'s, made when that sets up.
        self.directory = Directory(self.lease.database)
        self.cache: dict[str, tuple[Actor, float]] = {}  # token -> (actor, expires at)

    def stop(self) -> None:
        self.lease.release()

    def kill(self) -> None:
        self.lease.release()

    def actor_for(self, authorization: str | None) -> Actor:
        """The ``Actor`` a request's Authorization header names, or ``Unauthenticated``."""
        token = _bearer(authorization)
        cached = self.cache.get(token)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        actor = self._look_up(token)
        if len(self.cache) > 10_000:  # bounded: drop everything rather than track ages
            self.cache.clear()
        self.cache[token] = (actor, time.monotonic() + self.settings["token_cache_seconds"])
        return actor

    def forget(self, token: str) -> None:
        """A session just ended here: stop serving it at once, not after the cache period."""
        self.cache.pop(token, None)

    def _look_up(self, token):
        if token.startswith(SESSION_PREFIX):
            return self._session_actor(token)
        record = self.directory.token_by_secret(token)
        if record is None or record["revoked_at"] is not None:
            raise Unauthenticated("The API token is unknown or revoked.", {})
        user = self.directory.user(record["user_id"])
        now = datetime.now(UTC)
        if not may_sign_in(user, now):
            raise Unauthenticated(refusal(record["user_id"], user), {"user_id": record["user_id"]})
        if record["last_used_at"] is None or now - record["last_used_at"] > LAST_USED_EVERY:
            self.directory.replace_token({**record, "last_used_at": now})
        return _actor(user)

    def _session_actor(self, token):
        record = self.directory.session_by_secret(token)
        now = datetime.now(UTC)
        if record is None or record["ended_at"] is not None:
            raise Unauthenticated("You are signed out; sign in again.", {"reason": "signed_out"})
        if record["expires_at"] <= now:
            raise Unauthenticated(
                "The session expired after a while without use; sign in again.", {"reason": "session_expired"}
            )
        user = self.directory.user(record["user_id"])
        if not may_sign_in(user, now):
            raise Unauthenticated(refusal(record["user_id"], user), {"user_id": record["user_id"]})
        if now - record["last_used_at"] > SESSION_TOUCH_EVERY:
            self.directory.touch_session(record, now, now + timedelta(hours=self.settings["session_idle_hours"]))
        return _actor(user)


def _actor(user):
    return Actor(user["_id"], user["role"], user.get("department"), user.get("team"))


def _bearer(authorization):
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send an API token: 'Authorization: Bearer <token>'.", {})
    return token.strip()


class AuthenticatorAccess(DependencyProvider):
    """The routes' authenticator for a service's own code (sign-out drops a session from its cache)."""

    authenticator = Authenticator()

    def get_dependency(self, worker_ctx: Any) -> Authenticator:
        return self.authenticator
