"""Where the gateway keeps users and their API tokens.

A token is shown once, when issued; only its SHA-256 is stored (a token is 32 random bytes, so
a plain hash cannot be reversed by guessing). Revoking a token or deactivating its user stops
it within the authenticator's cache period.
"""

import hashlib
import secrets
import uuid
from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from services.runtime.audit import Store
from services.runtime.document_store import count
from services.runtime.mongo import insert_once

TOKEN_PREFIX = "bt_"
SESSION_PREFIX = "bs_"  # a console session's token: expires when idle, ends at sign-out
PENDING, DONE = "pending", "done"  # whether a user's latest version went out as user_saved

Document = dict[str, Any]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str = TOKEN_PREFIX) -> str:
    return prefix + secrets.token_urlsafe(32)


def _without_secret(record, secret="hash"):
    return {k: v for k, v in record.items() if k != secret}


class Directory(Store):
    def __init__(self, db: Any) -> None:
        self.users = db.users
        self.tokens = db.api_tokens
        self.credentials = db.credentials
        self.sessions = db.sessions
        self.failures = db.sign_in_failures

    def ensure_indexes(self) -> None:
        self.tokens.create_index([("hash", ASCENDING)], unique=True)
        self.tokens.create_index([("user_id", ASCENDING)])
        self.sessions.create_index([("hash", ASCENDING)], unique=True)
        self.sessions.create_index([("user_id", ASCENDING)])
        # failed sign-ins by key ("user:<id>" or "address:<ip>") and time (epoch seconds: the
        # embedded store serves ranges on numbers from an index, not on datetimes)
        self.failures.create_index([("key", ASCENDING), ("at_epoch", ASCENDING)])
        self.users.create_index([("role", ASCENDING)])
        self.users.create_index([("announce", ASCENDING)])
        self._announce_users_from_before()

    def _announce_users_from_before(self):
        """Users saved before user_saved existed are announced once (the directory is small)."""
        for user in self.users.find({}):
            if "announce" not in user:
                self.users.replace_one({"_id": user["_id"], "version": user["version"]}, {**user, "announce": PENDING})

    # users
    def user(self, user_id: str) -> Document | None:
        return self.users.find_one({"_id": user_id})

    def add_user(self, user: Document) -> tuple[Document, bool]:
        """(stored user, added?): a user id is taken once."""
        stored, added = insert_once(self.users, user)
        if added:
            self.audit.changed("user", None, stored)
        return stored, added

    def replace_user(self, user: Document, before: Document) -> bool:
        replaced = self.users.replace_one({"_id": user["_id"], "version": before["version"]}, user).matched_count == 1
        if replaced:
            self.audit.changed("user", before, user)
        return replaced

    def other_active_admins(self, user_id: str) -> int:
        """How many active admins there are besides ``user_id``."""
        return count(self.users, {"role": "admin", "active": True, "_id": {"$ne": user_id}})

    def unannounced_users(self, limit: int) -> list[Document]:
        """Users changed since they were last announced (user_saved not yet published)."""
        return list(self.users.find({"announce": PENDING}).limit(limit))

    def mark_announced(self, user: Document) -> bool:
        """False when the user changed again meanwhile: that change is announced in its turn."""
        return (
            self.users.replace_one(
                {"_id": user["_id"], "version": user["version"]}, {**user, "announce": DONE}
            ).matched_count
            == 1
        )

    def page_of_users(self, limit: int, offset: int) -> tuple[list[Document], int]:
        total = count(self.users, {})
        return list(self.users.find({}).sort("_id", ASCENDING).skip(offset).limit(limit)), total

    def people(self, limit: int) -> list[Document]:
        """Everyone's id, name, role, department, team and status, by id (a company's staff)."""
        fields = {"name": 1, "role": 1, "department": 1, "team": 1, "active": 1}
        return list(self.users.find({}, fields).sort("_id", ASCENDING).limit(limit))

    # passwords: kept apart from the user, so no user read or audit entry carries a hash
    def credential(self, user_id: str) -> Document | None:
        return self.credentials.find_one({"_id": user_id})

    def has_password(self, user_id: str) -> bool:
        return self.credentials.find_one({"_id": user_id}, {"_id": 1}) is not None

    def set_credential(self, user_id: str, password_hash: str, now: datetime, by: str) -> Document:
        before = self.credential(user_id)
        record = {"_id": user_id, "hash": password_hash, "set_at": now, "set_by": by}
        self.credentials.replace_one({"_id": user_id}, record, upsert=True)
        self.audit.changed("credential", before and _without_secret(before), _without_secret(record))
        return record

    # console sessions
    def open_session(
        self, user_id: str, address: str | None, now: datetime, expires_at: datetime
    ) -> tuple[str, Document]:
        """(the secret token, its stored record)."""
        token = new_token(SESSION_PREFIX)
        record = {
            "_id": "ses_" + uuid.uuid4().hex[:16],
            "hash": token_hash(token),
            "user_id": user_id,
            "address": address,
            "created_at": now,
            "last_used_at": now,
            "expires_at": expires_at,
            "ended_at": None,
        }
        self.sessions.insert_one(record)
        self.audit.changed("session", None, _without_secret(record))
        return token, record

    def session_by_secret(self, token: str) -> Document | None:
        return self.sessions.find_one({"hash": token_hash(token)})

    def touch_session(self, record: Document, now: datetime, expires_at: datetime) -> None:
        """Bookkeeping (not audited): the session was used, so its idle clock restarts."""
        self.sessions.replace_one({"_id": record["_id"]}, {**record, "last_used_at": now, "expires_at": expires_at})

    def end_session(self, record: Document, now: datetime) -> Document:
        ended = {**record, "ended_at": now}
        self.sessions.replace_one({"_id": record["_id"]}, ended)
        self.audit.changed("session", _without_secret(record), _without_secret(ended))
        return ended

    # failed sign-ins
    def failures_since(self, key: str, since_epoch: float, limit: int) -> list[Document]:
        """The failures of ``key`` at or after ``since_epoch``, oldest first, at most ``limit``."""
        return list(
            self.failures.find({"key": key, "at_epoch": {"$gte": since_epoch}}).sort("at_epoch", ASCENDING).limit(limit)
        )

    def add_failure(self, key: str, at_epoch: float) -> None:
        self.failures.insert_one({"_id": "fail_" + uuid.uuid4().hex, "key": key, "at_epoch": at_epoch})

    def forget_failures(self, key: str, before_epoch: float) -> None:
        """Failures that can no longer count (older than the window), or a user's after a success."""
        self.failures.delete_many({"key": key, "at_epoch": {"$lt": before_epoch}})

    # tokens
    def issue(self, user_id: str, label: str | None, now: datetime) -> tuple[str, Document]:
        """(the secret token, its stored record)."""
        token = new_token()
        record = {
            "_id": "tok_" + uuid.uuid4().hex[:16],
            "hash": token_hash(token),
            "user_id": user_id,
            "label": label,
            "created_at": now,
            "revoked_at": None,
            "last_used_at": None,
        }
        self.tokens.insert_one(record)
        self.audit.changed("token", None, _without_secret(record))
        return token, record

    def token_by_secret(self, token: str) -> Document | None:
        return self.tokens.find_one({"hash": token_hash(token)})

    def token(self, token_id: str) -> Document | None:
        return self.tokens.find_one({"_id": token_id})

    def tokens_of(self, user_id: str) -> list[Document]:
        return list(self.tokens.find({"user_id": user_id}).sort("created_at", ASCENDING))

    def replace_token(self, record: Document, before: Document | None = None) -> None:
        self.tokens.replace_one({"_id": record["_id"]}, record)
        if before is not None:  # a revocation; "last used" is bookkeeping
            self.audit.changed("token", _without_secret(before), _without_secret(record))
