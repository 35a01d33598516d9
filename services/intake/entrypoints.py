"""An AMQP entrypoint that hands the handler the message exactly as published.

nameko's ``consume`` decodes bodies before the handler runs; a body that is not valid JSON
then fails inside kombu, is redelivered forever and blocks the queue. Integrations are not
ours to trust, so this consumer skips decoding and passes the raw bytes, the routing key and
the ``message_id`` on; the handler decides (bad input is stored as rejected, it never raises).

A handler that fails all the same (the store is down, a bug) is not requeued at once, which
spun at a hundred deliveries a second: like an event handler (``RetriesThenParks``), the message
is given again after a growing wait, ``BATON.events.max_attempts`` times in all, then parked with
its error. A retried or parked copy goes straight to the queue, so it carries the routing key and
message id it was published with in headers, and is received exactly as the first delivery.
"""

from collections.abc import Iterable
from functools import partial
from typing import Any

from nameko.messaging import Consumer, QueueConsumer

from contracts.topology import INQUIRY_EXCHANGE
from services.runtime.events import RetriesThenParks
from services.runtime.parking import MESSAGE_ID_HEADER, ROUTING_KEY_HEADER


class RawQueueConsumer(QueueConsumer):
    def get_consumers(self, consumer_cls: Any, channel: Any) -> Iterable[Any]:
        for provider in self._providers:
            consumer = consumer_cls(
                queues=[provider.queue],
                on_message=partial(self._on_raw_message, provider),
            )
            consumer.qos(prefetch_count=self.prefetch_count)
            self._consumers[provider] = consumer
        return self._consumers.values()

    def _on_raw_message(self, provider: Any, message: Any) -> None:
        self.handle_message(provider, None, message)


def delivery_of(message: Any) -> dict[str, Any]:
    """What the handler is given: the bytes, and the routing key and message id as first published."""
    headers = message.headers or {}
    return {
        "body": message.body if isinstance(message.body, bytes) else str(message.body).encode(),
        "routing_key": headers.get(ROUTING_KEY_HEADER) or message.delivery_info.get("routing_key"),
        "message_id": message.properties.get("message_id") or headers.get(MESSAGE_ID_HEADER),
        "content_type": message.content_type,
    }


class RawConsumer(RetriesThenParks, Consumer):
    queue_consumer = RawQueueConsumer()
    source_service = INQUIRY_EXCHANGE  # what a parked message is listed as coming from

    def handle_message(self, body: Any, message: Any) -> None:
        super().handle_message(delivery_of(message), message)

    def retry_headers(self, message: Any) -> dict[str, Any]:
        delivery = delivery_of(message)
        return {
            **(message.headers or {}),
            ROUTING_KEY_HEADER: delivery["routing_key"],
            MESSAGE_ID_HEADER: delivery["message_id"],
        }

    def parked_kind(self, message: Any) -> str | None:
        return delivery_of(message)["routing_key"]


consume_raw = RawConsumer.decorator
