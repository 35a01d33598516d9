"""An AMQP entrypoint that hands the handler the message exactly as published.

nameko's ``consume`` decodes bodies before the handler runs; a body that is not valid JSON
then fails inside kombu, is redelivered forever and blocks the queue. Integrations are not
ours to trust, so this consumer skips decoding and passes the raw bytes, the routing key and
the ``message_id`` on; the handler decides, and every message is acknowledged once handled.
"""
from functools import partial

from nameko.messaging import Consumer, QueueConsumer


class RawQueueConsumer(QueueConsumer):
    def get_consumers(self, consumer_cls, channel):
        for provider in self._providers:
            consumer = consumer_cls(
                queues=[provider.queue],
                on_message=partial(self._on_raw_message, provider),
            )
            consumer.qos(prefetch_count=self.prefetch_count)
            self._consumers[provider] = consumer
        return self._consumers.values()

    def _on_raw_message(self, provider, message):
        self.handle_message(provider, None, message)


class RawConsumer(Consumer):
    queue_consumer = RawQueueConsumer()

    def handle_message(self, body, message):
        delivery = {
            "body": message.body if isinstance(message.body, bytes) else str(message.body).encode(),
            "routing_key": message.delivery_info.get("routing_key"),
            "message_id": message.properties.get("message_id"),
            "content_type": message.content_type,
        }
        super().handle_message(delivery, message)


consume_raw = RawConsumer.decorator
