"""Idempotency keys on every create: a request retried with the same ``Idempotency-Key`` gets the
first answer again, without doing the work twice.

The first request with a key records itself as in progress (one insert: two racing requests
cannot both win), runs, and stores its answer; a retry replays that answer (header
``Idempotent-Replay: true``). A key is the caller's own, per route; reusing one for a different
body is refused. Only a successful answer (2xx) is kept: a refused request (4xx) retried after its
data was fixed, or one that failed on our side (5xx), runs again.
Records are kept ``BATON.gateway.idempotency_keep_hours``.
"""

import hashlib
import time

from nameko.extensions import SharedExtension
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.gateway.settings import GatewaySettingsSchema
from services.runtime.mongo import DatabaseLease
from services.runtime.settings import load_section

HEADER = "Idempotency-Key"
PURGE_EVERY_SECONDS = 600


class Replay:
    """What a request with a key should do: run (``run``), or answer with a stored reply."""

    def __init__(
        self,
        record_id: str | None = None,
        status: int | None = None,
        body: str | None = None,
        conflict: str | None = None,
    ) -> None:
        self.record_id, self.status, self.body, self.conflict = record_id, status, body, conflict


class IdempotencyLog(SharedExtension):
    def setup(self) -> None:
        self.keep_seconds = (
            load_section(self.container.config, "gateway", GatewaySettingsSchema)["idempotency_keep_hours"] * 3600
        )
        self.lease = DatabaseLease(self.container.config, self.container.service_name)
        self.records = self.lease.database.idempotency_keys
        self.records.create_index([("expires_epoch", ASCENDING)])
        self.next_purge = 0.0

    def stop(self) -> None:
        self.lease.release()

    def kill(self) -> None:
        self.lease.release()

    def begin(self, user_id: str, method: str, url: str, key: str, body: bytes) -> Replay:
        """A ``Replay``: ``record_id`` set means run and then ``finish``; ``status`` set means
        answer with the stored reply; ``conflict`` set means refuse with that message."""
        self._purge_now_and_then()
        record_id = hashlib.sha256(f"{user_id}\0{method}\0{url}\0{key}".encode()).hexdigest()
        fingerprint = hashlib.sha256(body).hexdigest()
        try:
            self.records.insert_one(
                {
                    "_id": record_id,
                    "fingerprint": fingerprint,
                    "status": None,
                    "body": None,
                    "expires_epoch": int(time.time() + self.keep_seconds),
                }
            )
            return Replay(record_id=record_id)
        except DuplicateKeyError:
            stored = self.records.find_one({"_id": record_id})
        if stored is None:  # purged a moment ago: run it as new
            return self.begin(user_id, method, url, key, body)
        if stored["fingerprint"] != fingerprint:
            return Replay(conflict=f"This {HEADER} was used for a different request; use a new key.")
        if stored["status"] is None:
            return Replay(conflict=f"A request with this {HEADER} is still in progress; retry in a moment.")
        return Replay(status=stored["status"], body=stored["body"])

    def finish(self, record_id: str, status: int, body: str) -> None:
        if not 200 <= status < 300:
            self.records.delete_one({"_id": record_id})  # refused or failed: a retry may run it again
        else:
            self.records.replace_one(
                {"_id": record_id},
                {**(self.records.find_one({"_id": record_id}) or {}), "status": status, "body": body},
            )

    def _purge_now_and_then(self):
        now = time.time()
        if now >= self.next_purge:
            self.next_purge = now + PURGE_EVERY_SECONDS
            self.records.delete_many({"expires_epoch": {"$lt": int(now)}})
