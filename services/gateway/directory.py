"""Where the gateway keeps users and their API tokens.

A token is shown once, when issued; only its SHA-256 is stored (a token is 32 random bytes, so
a plain hash cannot be reversed by guessing). Revoking a token or deactivating its user stops
it within the authenticator's cache period.
"""
import hashlib
import secrets
import uuid

from pymongo import ASCENDING

from services.runtime.audit import Store
from services.runtime.mongo import insert_once

TOKEN_PREFIX = "bt_"
PENDING, DONE = "pending", "done"    # whether a user's latest version went out as user_saved


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def new_token():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class Directory(Store):
    def __init__(self, db):
        self.users = db.users
        self.tokens = db.api_tokens

    def ensure_indexes(self):
        self.tokens.create_index([("hash", ASCENDING)], unique=True)
        self.tokens.create_index([("user_id", ASCENDING)])
        self.users.create_index([("role", ASCENDING)])
        self.users.create_index([("announce", ASCENDING)])
        self._announce_users_from_before()

    def _announce_users_from_before(self):
        """Users saved before user_saved existed are announced once (the directory is small)."""
        for user in self.users.find({}):
            if "announce" not in user:
                self.users.replace_one({"_id": user["_id"], "version": user["version"]}, {**user, "announce": PENDING})

    # users
    def user(self, user_id):
        return self.users.find_one({"_id": user_id})

    def add_user(self, user):
        """(stored user, added?): a user id is taken once."""
        stored, added = insert_once(self.users, user)
        if added:
            self.audit.changed("user", None, stored)
        return stored, added

    def replace_user(self, user, before):
        replaced = self.users.replace_one({"_id": user["_id"], "version": before["version"]}, user).matched_count == 1
        if replaced:
            self.audit.changed("user", before, user)
        return replaced

    def unannounced_users(self, limit):
        """Users changed since they were last announced (user_saved not yet published)."""
        return list(self.users.find({"announce": PENDING}).limit(limit))

    def mark_announced(self, user):
        """False when the user changed again meanwhile: that change is announced in its turn."""
        return self.users.replace_one({"_id": user["_id"], "version": user["version"]},
                                      {**user, "announce": DONE}).matched_count == 1

    def page_of_users(self, limit, offset):
        total = self.users.count_documents({})
        return list(self.users.find({}).sort("_id", ASCENDING).skip(offset).limit(limit)), total

    # tokens
    def issue(self, user_id, label, now):
        """(the secret token, its stored record)."""
        token = new_token()
        record = {"_id": "tok_" + uuid.uuid4().hex[:16], "hash": token_hash(token), "user_id": user_id,
                  "label": label, "created_at": now, "revoked_at": None, "last_used_at": None}
        self.tokens.insert_one(record)
        self.audit.changed("token", None, {k: v for k, v in record.items() if k != "hash"})
        return token, record

    def token_by_secret(self, token):
        return self.tokens.find_one({"hash": token_hash(token)})

    def token(self, token_id):
        return self.tokens.find_one({"_id": token_id})

    def tokens_of(self, user_id):
        return list(self.tokens.find({"user_id": user_id}).sort("created_at", ASCENDING))

    def replace_token(self, record, before=None):
        self.tokens.replace_one({"_id": record["_id"]}, record)
        if before is not None:   # a revocation; "last used" is bookkeeping
            self.audit.changed("token", {k: v for k, v in before.items() if k != "hash"},
                               {k: v for k, v in record.items() if k != "hash"})
