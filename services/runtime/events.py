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

import eventlet
from marshmallow import Schema, fields, validate
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventDispatcher, EventHandler

from contracts.errors import BatonError
from services.runtime.parking import ATTEMPT_HEADER, ParkedEvents, republish
from services.runtime.settings import load_section

log = logging.getLogger(__name__)


class ReliableEventDispatcher(EventDispatcher):
    def __init__(self, **options):
        options.setdefault("mandatory", True)
        super().__init__(**options)


class EventRetrySettingsSchema(Schema):
    max_attempts = fields.Integer(load_default=8, validate=validate.Range(1, 100))
    first_wait_seconds = fields.Float(load_default=0.05, validate=validate.Range(min=0))
    factor = fields.Float(load_default=2, validate=validate.Range(min=1))
    longest_wait_seconds = fields.Float(load_default=10, validate=validate.Range(min=0))


def wait_before(settings, attempt):
    """Seconds to wait before giving an event for the ``attempt``-th time (2, 3, …)."""
    return min(settings["first_wait_seconds"] * settings["factor"] ** (attempt - 2), settings["longest_wait_seconds"])


class RetriedEventHandler(EventHandler):
    """nameko's event handler, given its event again after a failure and parking it at last."""

    parked = ParkedEvents()
    SETTINGS = ("events", EventRetrySettingsSchema)   # read at start (and by `baton config check`)

    def setup(self):
        super().setup()
        self.retry = load_section(self.container.config, *self.SETTINGS)
        self.amqp_uri = self.container.config[AMQP_URI_CONFIG_KEY]

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            return self.queue_consumer.ack_message(message)
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER) or 1)
        try:
            if attempt < self.retry["max_attempts"]:
                eventlet.sleep(wait_before(self.retry, attempt + 1))
                republish(self.amqp_uri, self.queue.name, message.body,
                          {**(message.headers or {}), ATTEMPT_HEADER: attempt + 1},
                          message.content_type, message.content_encoding)
            else:
                parked_id = self.parked.park(self, message, _reason(exc_info[1]), attempt)
                log.error("%s.%s gave up on a %s event after %d attempts; parked as %s: %s",
                          self.container.service_name, self.method_name, self.event_type, attempt, parked_id,
                          _reason(exc_info[1]))
        except Exception:
            # The broker or the store is not there: leave the event on its queue as it was, after
            # the longest wait (not in a tight loop while the store is down).
            log.exception("%s.%s: could not retry or park a %s event; it is given again",
                          self.container.service_name, self.method_name, self.event_type)
            eventlet.sleep(self.retry["longest_wait_seconds"])
            return self.queue_consumer.requeue_message(message)
        self.queue_consumer.ack_message(message)


event_handler = RetriedEventHandler.decorator


def _reason(exc):
    if isinstance(exc, BatonError):
        return f"{type(exc).__name__}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"
