"""Where an event goes that its handler failed on every time (``services.runtime.events``): kept
with the error in ``parked_events``, listed for admins, and handed to the handler again once the
cause is fixed.

A parked event's id is derived from the delivery it was (queue, body, the dispatch's call id),
so a delivery parked twice — the broker gave it again before the first ack — is kept once.
"""
import hashlib
import json
from datetime import datetime, timezone

from nameko.amqp.publish import get_producer
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider, SharedExtension
from nameko.rpc import rpc
from pymongo import ASCENDING, DESCENDING

from contracts.errors import EXPECTED_ERRORS
from contracts.parked import (
    ParkedEventPageSchema, ParkedEventQuerySchema, RetryParkedResultSchema, RetryParkedSchema,
)
from services.runtime.access import require
from services.runtime.mongo import connect, insert_once
from services.runtime.queries import count, load_input, page_of

ATTEMPT_HEADER = "x-baton-attempt"     # which delivery of an event this is (1 when absent)
PARKED_READERS = ("admin",)


class ParkedEvents(SharedExtension):
    """One per service container. The client is made on first use: most services never park."""

    def setup(self):
        self.uri, self.client, self.collection = self.container.config["MONGO_URI"], None, None

    def _events(self):
        if self.collection is None:
            self.client = connect(self.uri)
            self.collection = self.client.get_default_database().parked_events
            self.collection.create_index([("service", ASCENDING), ("parked_at", DESCENDING)])
        return self.collection

    def stop(self):
        if self.client is not None:
            self.client.close()

    kill = stop

    def park(self, handler, message, error, attempts):
        """Keep ``message`` (a kombu message ``handler``, an event handler, failed on) with its error."""
        headers = {k: v for k, v in (message.headers or {}).items() if k != ATTEMPT_HEADER}
        body = message.body if isinstance(message.body, bytes) else message.body.encode("utf-8")
        identity = json.dumps([handler.queue.name, headers.get("nameko.call_id_stack")], default=str).encode()
        record = {
            "_id": "prk_" + hashlib.sha256(identity + b"\0" + body).hexdigest()[:24],
            "service": self.container.service_name, "handler": handler.method_name,
            "source": handler.source_service, "event_type": handler.event_type, "queue": handler.queue.name,
            "body": body.decode("utf-8", errors="replace"), "content_type": message.content_type,
            "content_encoding": message.content_encoding, "headers": json.loads(json.dumps(headers, default=str)),
            "error": error, "attempts": attempts, "parked_at": datetime.now(timezone.utc),
        }
        insert_once(self._events(), record)
        return record["_id"]

    def page(self, event_type=None, limit=50, offset=0):
        query = {"service": self.container.service_name}
        if event_type:
            query["event_type"] = event_type
        total = count(self._events(), query)
        return list(self._events().find(query).sort("parked_at", DESCENDING).skip(offset).limit(limit)), total

    def chosen(self, ids, limit):
        query = {"service": self.container.service_name}
        if ids is not None:
            query["_id"] = {"$in": list(ids)}
        return list(self._events().find(query).sort("parked_at", ASCENDING).limit(limit))

    def forget(self, parked_id):
        self._events().delete_one({"_id": parked_id})


class ParkedEventsDesk(DependencyProvider):
    """Hands workers the container's ``ParkedEvents``."""

    parked = ParkedEvents()

    def get_dependency(self, worker_ctx):
        return self.parked


def republish(amqp_uri, queue, body, headers, content_type, content_encoding):
    """Put an event's message straight onto one handler's queue (the default exchange routes by
    queue name), persistent, with the broker confirming it."""
    with get_producer(amqp_uri) as producer:
        producer.publish(body, exchange="", routing_key=queue, headers=headers, content_type=content_type,
                         content_encoding=content_encoding, delivery_mode=2, retry=True,
                         retry_policy={"max_retries": 3})   # then the caller leaves the event where it was


class Republisher(DependencyProvider):
    """``republish(queue, body, headers, content_type, content_encoding)`` for a worker."""

    def get_dependency(self, worker_ctx):
        uri = self.container.config[AMQP_URI_CONFIG_KEY]
        return lambda *args: republish(uri, *args)


def view(record):
    try:
        payload = json.loads(record["body"])
    except ValueError:
        payload = record["body"]
    return {**record, "id": record["_id"], "payload": payload}


class ParkedEventEntrypoints:
    """Mixed into a service with event handlers: admins list the events its handlers gave up on
    and have them handled again. The service needs ``caller``."""

    parked_events_desk = ParkedEventsDesk()
    republish = Republisher()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def parked_events(self, query=None):
        require(self.caller, PARKED_READERS, "read parked events")
        query = load_input(ParkedEventQuerySchema, query)
        records, total = self.parked_events_desk.page(**query)
        return ParkedEventPageSchema().dump(page_of([view(r) for r in records], total, query))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def retry_parked_events(self, request=None):
        """Publish the chosen parked events to their handlers' queues again, as first deliveries;
        each is forgotten once it is back on its queue (one that fails again is parked again)."""
        require(self.caller, PARKED_READERS, "retry parked events")
        request = load_input(RetryParkedSchema, request, what="retry request")
        retried = []
        for record in self.parked_events_desk.chosen(request.get("ids"), request["limit"]):
            self.republish(record["queue"], record["body"].encode("utf-8"), record["headers"],
                           record["content_type"], record["content_encoding"])
            self.parked_events_desk.forget(record["_id"])
            retried.append(record["_id"])
        return RetryParkedResultSchema().dump({"retried": retried})
