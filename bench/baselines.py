"""Baselines measured in the same run as a bench's own figure, so a ratio survives a busy machine."""

import time
import uuid

from kombu import Connection, Queue


def raw_broker_rate(amqp_uri, count, body):
    """Messages/s for publishing ``count`` persistent copies of ``body`` (bytes) to a queue and
    consuming them again: what the broker alone does, with no service in the way."""
    queue = Queue(f"bench-raw-{uuid.uuid4().hex[:8]}", durable=True, auto_delete=False)
    received = 0
    with Connection(amqp_uri) as connection:
        queue(connection.default_channel).declare()
        started = time.perf_counter()
        producer = connection.Producer()
        for n in range(count):
            producer.publish(
                body, routing_key=queue.name, content_type="application/json", delivery_mode=2, message_id=str(n)
            )

        def on_message(message):
            nonlocal received
            received += 1
            message.ack()

        with connection.Consumer(queue, on_message=on_message, prefetch_count=100):
            while received < count:
                connection.drain_events(timeout=10)
        elapsed = time.perf_counter() - started
        queue(connection.default_channel).delete()
    return count / elapsed
