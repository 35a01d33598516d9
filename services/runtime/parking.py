"""Where an event goes that its handler failed on every time (``services.runtime.events``): kept
with the error in ``parked_events``, listed for admins, and handed to the handler again once the
cause is fixed.

A parked event's id is derived from the delivery it was (queue, body, the dispatch's call id),
so a delivery parked twice — the broker gave it again before the first ack — is kept once.
"""

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nameko.amqp.publish import get_producer
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider, SharedExtension
from pymongo import ASCENDING, DESCENDING, ReturnDocument

from contracts.errors import EXPECTED_ERRORS
from contracts.parked import (
    ParkedEventPageSchema,
    ParkedEventQuerySchema,
    RetryParkedResultSchema,
    RetryParkedSchema,
)
from services.runtime.access import Actor, require
from services.runtime.document_store import count
from services.runtime.health import note_retry
from services.runtime.mongo import DatabaseLease, insert_once
from services.runtime.queries import load_input, page_of
from services.runtime.queues import rpc

ATTEMPT_HEADER = "x-baton-attempt"  # which delivery of an event this is (1 when absent)
# A copy put straight on a queue (a retry, a parked message handed back) loses the routing key and
# message id it was first published with; a consumer that reads them (intake) keeps them here.
ROUTING_KEY_HEADER = "x-baton-routing-key"
MESSAGE_ID_HEADER = "x-baton-message-id"
PARKED_READERS = ("admin",)


class ParkedEvents(SharedExtension):
    """One per service container, in the service's own database through the process's shared
    client. The collection is opened on first use: most services never park."""

    def setup(self) -> None:
        self.lease: DatabaseLease | None = None
        self.database: Any = None
        self.collection: Any = None

    def _events(self) -> Any:
        if self.collection is None:
            self.lease = DatabaseLease(self.container.config, self.container.service_name)
            self.database = self.lease.database
            self.collection = self.database.parked_events
            self.collection.create_index([("service", ASCENDING), ("parked_at", DESCENDING)])
        return self.collection

    def stop(self) -> None:
        if self.lease is not None:
            self.lease.release()

    kill = stop

    def count_redelivery(self, key: str) -> int:
        """Count one more time the broker gave delivery ``key`` again unanswered (its worker died,
        or it was put back); returns how many times so far."""
        self._events()
        record = self.database.redeliveries.find_one_and_update(
            {"_id": key},
            {"$inc": {"count": 1}, "$set": {"service": self.container.service_name, "last_at": datetime.now(UTC)}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return record["count"]

    def count_retry(self, handler: str, kind: str | None) -> None:
        """One more retry of ``handler``'s messages (``baton_handler_retries_total`` in /metrics)."""
        self._events()
        note_retry(self.database, self.container.service_name, handler, kind)

    def forget_redeliveries(self, key: str) -> None:
        self._events()
        self.database.redeliveries.delete_one({"_id": key})

    def park(
        self,
        handler: Any,
        message: Any,
        error: str,
        attempts: int,
        kind: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        """Keep ``message`` (a kombu message ``handler``, a consumer, failed on) with its error;
        ``kind``: what it is listed as (an event's type, an inquiry's routing key); ``headers``:
        what a retry hands back with it (the message's own by default)."""
        headers = {
            k: v for k, v in (message.headers if headers is None else headers or {}).items() if k != ATTEMPT_HEADER
        }
        body = message.body if isinstance(message.body, bytes) else message.body.encode("utf-8")
        cause = [handler.queue.name, headers.get("nameko.call_id_stack")]
        if headers.get(MESSAGE_ID_HEADER):  # two messages alike but for their ids are two
            cause.append(headers[MESSAGE_ID_HEADER])
        identity = json.dumps(cause, default=str).encode()
        text = body.decode("utf-8", errors="replace")
        record = {
            "_id": "prk_" + hashlib.sha256(identity + b"\0" + body).hexdigest()[:24],
            "service": self.container.service_name,
            "handler": handler.method_name,
            "source": getattr(handler, "source_service", None),
            "event_type": kind,
            "queue": handler.queue.name,
            "body": text,
            "content_type": message.content_type,
            # bytes that are not UTF-8 are kept exactly too, so a retry hands back what was sent
            "body_base64": None if text.encode("utf-8") == body else base64.b64encode(body).decode("ascii"),
            "content_encoding": message.content_encoding,
            "headers": json.loads(json.dumps(headers, default=str)),
            "error": error,
            "attempts": attempts,
            "parked_at": datetime.now(UTC),
        }
        insert_once(self._events(), record)
        return record["_id"]

    def page(self, event_type: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        query = {"service": self.container.service_name}
        if event_type:
            query["event_type"] = event_type
        total = count(self._events(), query)
        return list(self._events().find(query).sort("parked_at", DESCENDING).skip(offset).limit(limit)), total

    def chosen(self, ids: list[str] | None, limit: int) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"service": self.container.service_name}
        if ids is not None:
            query["_id"] = {"$in": list(ids)}
        return list(self._events().find(query).sort("parked_at", ASCENDING).limit(limit))

    def forget(self, parked_id: str) -> None:
        self._events().delete_one({"_id": parked_id})


class ParkedEventsDesk(DependencyProvider):
    """Hands workers the container's ``ParkedEvents``."""

    parked = ParkedEvents()

    def get_dependency(self, worker_ctx: Any) -> ParkedEvents:
        return self.parked


def delivery_key(queue: str, message: Any) -> str:
    """The same for every delivery of one message to one queue (and differing per retry attempt)."""
    headers = message.headers or {}
    cause = [
        queue,
        message.properties.get("message_id"),
        *(str(headers.get(name)) for name in ("nameko.call_id_stack", MESSAGE_ID_HEADER, ATTEMPT_HEADER)),
    ]
    body = message.body if isinstance(message.body, bytes) else str(message.body).encode("utf-8", "surrogatepass")
    return "dlv_" + hashlib.sha256(json.dumps(cause, default=str).encode() + b"\0" + body).hexdigest()[:24]


def republish(
    amqp_uri: str,
    queue: str,
    body: bytes | str,
    headers: dict[str, Any],
    content_type: str | None,
    content_encoding: str | None,
) -> None:
    """Put an event's message straight onto one handler's queue (the default exchange routes by
    queue name), persistent, with the broker confirming it."""
    with get_producer(amqp_uri) as producer:
        producer.publish(
            body,
            exchange="",
            routing_key=queue,
            headers=headers,
            content_type=content_type,
            content_encoding=content_encoding,
            delivery_mode=2,
            retry=True,
            retry_policy={"max_retries": 3},
        )  # then the caller leaves the event where it was


class Republisher(DependencyProvider):
    """``republish(queue, body, headers, content_type, content_encoding)`` for a worker."""

    def get_dependency(self, worker_ctx: Any) -> Callable[..., None]:
        uri = self.container.config[AMQP_URI_CONFIG_KEY]
        return lambda *args: republish(uri, *args)


def view(record: dict[str, Any]) -> dict[str, Any]:
    try:
        payload = json.loads(record["body"])
    except (ValueError, RecursionError):  # not JSON, or hostile JSON: shown as the text it is
        payload = record["body"]
    return {**record, "id": record["_id"], "payload": payload}


class ParkedEventEntrypoints:
    """Mixed into a service with event handlers: admins list the events its handlers gave up on
    and have them handled again. The service needs ``caller``."""

    parked_events_desk = ParkedEventsDesk()
    republish = Republisher()
    caller: Actor | None

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def parked_events(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        require(self.caller, PARKED_READERS, "read parked events")
        query = load_input(ParkedEventQuerySchema, query)
        records, total = self.parked_events_desk.page(**query)
        return ParkedEventPageSchema().dump(page_of([view(r) for r in records], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def retry_parked_events(self, request: dict[str, Any] | None = None) -> dict[str, Any]:
        """Publish the chosen parked events to their handlers' queues again, as first deliveries;
        each is forgotten once it is back on its queue (one that fails again is parked again)."""
        require(self.caller, PARKED_READERS, "retry parked events")
        request = load_input(RetryParkedSchema, request, what="retry request")
        retried = []
        for record in self.parked_events_desk.chosen(request.get("ids"), request["limit"]):
            body = base64.b64decode(record["body_base64"]) if record.get("body_base64") else record["body"].encode()
            self.republish(record["queue"], body, record["headers"], record["content_type"], record["content_encoding"])
            self.parked_events_desk.forget(record["_id"])
            retried.append(record["_id"])
        return RetryParkedResultSchema().dump({"retried": retried})
