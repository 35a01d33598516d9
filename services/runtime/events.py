"""Events: dispatch that refuses to lose one, and handlers that neither lose one nor loop on it.

A plain publish to an exchange with no bound queue vanishes: on a fresh broker the first
events can go out before their consumers have declared queues. Publishing ``mandatory``
makes such an event raise instead; the handler that dispatched it fails, its own message is
given again, and the (idempotent) handler announces again once the consumer is there.

A handler that fails is given its event again after a growing wait (``BATON.events``): most
failures are a moment's contention, such as a document another worker is still writing. After
``max_attempts`` the event is parked with its error (``services.runtime.parking``) and the queue
goes on: an event no handler can take never spins a service, and is never dropped.
"""

import logging
from typing import Any

import eventlet
from marshmallow import Schema, fields, validate
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventDispatcher, EventHandler

from contracts.errors import BatonError
from contracts.events import EVENTS
from services.runtime.parking import ATTEMPT_HEADER, ParkedEvents, delivery_key, republish
from services.runtime.queues import typed_queue
from services.runtime.settings import load_section

log = logging.getLogger(__name__)


class ReliableEventDispatcher(EventDispatcher):
    def __init__(self, **options: Any) -> None:
        options.setdefault("mandatory", True)
        super().__init__(**options)


class EventRetrySettingsSchema(Schema):
    max_attempts = fields.Integer(load_default=8, validate=validate.Range(1, 100))
    first_wait_seconds = fields.Float(load_default=0.05, validate=validate.Range(min=0))
    factor = fields.Float(load_default=2, validate=validate.Range(min=1))
    longest_wait_seconds = fields.Float(load_default=10, validate=validate.Range(min=0))


def wait_before(settings: dict[str, Any], attempt: int) -> float:
    """Seconds to wait before giving an event for the ``attempt``-th time (2, 3, …)."""
    return min(settings["first_wait_seconds"] * settings["factor"] ** (attempt - 2), settings["longest_wait_seconds"])


class RetriesThenParks:
    """Mixed into a nameko ``Consumer`` (an event handler, intake's raw consumer): a message whose
    worker failed is put back on its queue after a growing wait, with its attempt counted in a
    header, and parked with its error after ``max_attempts``; it is acknowledged either way, so
    nothing the handler cannot take is redelivered without bound."""

    parked = ParkedEvents()
    SETTINGS = ("events", EventRetrySettingsSchema)  # read at start (and by `baton config check`)
    # What the nameko Consumer this is mixed into provides.
    container: Any
    method_name: str
    queue: Any
    queue_consumer: Any

    def setup(self) -> None:
        super().setup()  # type: ignore[misc]  # the nameko Consumer this is mixed into
        self.queue = typed_queue(self.queue, self.container.config)  # BATON.amqp.queue_type
        self.retry = load_section(self.container.config, *self.SETTINGS)
        self.amqp_uri = self.container.config[AMQP_URI_CONFIG_KEY]

    def retry_headers(self, message: Any) -> dict:
        """Headers a retried copy carries besides the attempt (what the first delivery told)."""
        return dict(message.headers or {})

    def parked_kind(self, message: Any) -> str | None:
        """What the parked record lists it as (an event's type)."""
        return getattr(self, "event_type", None)

    def handle_message(self, body: Any, message: Any) -> None:
        # A worker that died with the message (a crash, a kill, memory) never answers; the broker
        # then gives it again, marked redelivered, with no attempt counted: those are counted in
        # the store, and a message that keeps killing its worker is parked instead of handled.
        if message.delivery_info.get("redelivered") and self._redelivered_too_often(message):
            return
        super().handle_message(body, message)  # type: ignore[misc]  # the nameko Consumer's

    def _redelivered_too_often(self, message) -> bool:
        try:
            times = self.parked.count_redelivery(delivery_key(self.queue.name, message))
            if times < self.retry["max_attempts"]:
                return False
            reason = f"Redelivered {times} times unanswered: its worker died handling it each time."
            parked_id = self.parked.park(
                self, message, reason, times, self.parked_kind(message), self.retry_headers(message)
            )
        except Exception:  # the store is not there: handle it as usual (a failure is retried)
            log.warning(
                "%s.%s: could not count a redelivery", self.container.service_name, self.method_name, exc_info=True
            )
            return False
        log.error(
            "%s.%s parked a %s message as %s: %s",
            self.container.service_name,
            self.method_name,
            self.parked_kind(message),
            parked_id,
            reason,
        )
        self.queue_consumer.ack_message(message)
        return True

    def handle_message_processed(self, message: Any, result: Any = None, exc_info: Any = None) -> None:
        if message.delivery_info.get("redelivered"):
            self._forget_redeliveries(message)
        if exc_info is None:
            return self.queue_consumer.ack_message(message)
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER) or 1)
        service, kind = self.container.service_name, self.parked_kind(message)
        try:
            if attempt < self.retry["max_attempts"]:
                eventlet.sleep(wait_before(self.retry, attempt + 1))
                republish(
                    self.amqp_uri,
                    self.queue.name,
                    message.body,
                    {**self.retry_headers(message), ATTEMPT_HEADER: attempt + 1},
                    message.content_type,
                    message.content_encoding,
                )
                self._count_retry(kind)
            else:
                parked_id = self.parked.park(
                    self, message, _reason(exc_info[1]), attempt, kind, self.retry_headers(message)
                )
                log.error(
                    "%s.%s gave up on a %s message after %d attempts; parked as %s: %s",
                    service,
                    self.method_name,
                    kind,
                    attempt,
                    parked_id,
                    _reason(exc_info[1]),
                )
        except Exception:
            # The broker or the store is not there: leave the message on its queue as it was, after
            # the longest wait (not in a tight loop while the store is down).
            log.exception(
                "%s.%s: could not retry or park a %s message; it is given again", service, self.method_name, kind
            )
            eventlet.sleep(self.retry["longest_wait_seconds"])
            return self.queue_consumer.requeue_message(message)
        self.queue_consumer.ack_message(message)

    def _count_retry(self, kind) -> None:
        try:
            self.parked.count_retry(self.method_name, kind)
        except Exception:  # a retry missing from /metrics is no reason to hold its message back
            log.warning("%s.%s: could not count a retry", self.container.service_name, self.method_name, exc_info=True)

    def _forget_redeliveries(self, message) -> None:
        try:
            self.parked.forget_redeliveries(delivery_key(self.queue.name, message))
        except Exception:  # a count left behind only makes a later crash loop park a little sooner
            log.warning(
                "%s.%s: could not forget a redelivery count",
                self.container.service_name,
                self.method_name,
                exc_info=True,
            )


class RetriedEventHandler(RetriesThenParks, EventHandler):
    """nameko's event handler, given its event again after a failure and parking it at last."""


event_handler = RetriedEventHandler.decorator


def on(event_type: str, **options: Any) -> Any:
    """Handle ``event_type`` (retried, then parked): the service that dispatches it is the one the
    contracts' events table names (``contracts.events.EVENTS``), so a handler says only the event.
    Its queue is the one ``event_handler(source, event_type)`` declares, named by source, event
    and handler as before."""
    try:
        source, _schema = EVENTS[event_type]
    except KeyError:
        raise ValueError(f"No event {event_type!r} in contracts.events.EVENTS.") from None
    return event_handler(source, event_type, **options)


def _reason(exc):
    if isinstance(exc, BatonError):
        return f"{type(exc).__name__}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"
