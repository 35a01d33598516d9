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

``consume_raw_batches`` takes deliveries in batches (``BATON.intake.amqp_batch_*``): under load the
handler is given many at once and stores them with a fixed number of commands; a batch is handed
over when full or a short wait after its first message, and each of its messages is acknowledged
only once the batch's worker succeeded. A batch that fails is not retried as a batch: each of its
messages is handled alone, as ``consume_raw`` does, so a poison message is retried and parked by
itself. A retried copy or a redelivered message is handled alone from the start.
"""

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

import eventlet
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer, QueueConsumer

from contracts.topology import INQUIRY_EXCHANGE
from services.intake.settings import IntakeSettingsSchema
from services.runtime.events import RetriesThenParks
from services.runtime.parking import ATTEMPT_HEADER, MESSAGE_ID_HEADER, ROUTING_KEY_HEADER
from services.runtime.settings import load_section

log = logging.getLogger(__name__)


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


class BatchQueueConsumer(RawQueueConsumer):
    """The raw queue consumer on a channel of its own, whose prefetch lets full batches arrive
    (nameko's is ``max_workers``, which would cap every batch at that many messages)."""

    @property
    def prefetch_count(self) -> int:
        wanted = [getattr(provider, "prefetch_wanted", 0) for provider in self._providers]
        return max([self.container.max_workers, *wanted])


class BatchedRawConsumer(RawConsumer):
    """``RawConsumer`` handing its worker a list of deliveries: several at once under load."""

    queue_consumer = BatchQueueConsumer()
    BATCH_SETTINGS = ("intake", IntakeSettingsSchema)

    def setup(self) -> None:
        super().setup()
        settings = load_section(self.container.config, *self.BATCH_SETTINGS)
        self.batch_max: int = settings["amqp_batch_max"]
        self.batch_wait: float = settings["amqp_batch_wait_seconds"]
        # One batch being stored while the next ones fill: the broker holds back the rest.
        self.prefetch_wanted = self.batch_max * settings["amqp_batches_in_flight"]
        self._gathering: list[Any] = []
        self._handed_over = 0  # batches handed over: a wait names the one it was started for

    def stop(self) -> None:
        super().stop()  # no more deliveries: what was gathered is handled before the workers end
        if self._gathering:
            self._hand_over()

    def handle_message(self, body: Any, message: Any) -> None:
        if message.delivery_info.get("redelivered") or (message.headers or {}).get(ATTEMPT_HEADER):
            return self._handle_alone(message)  # counted and retried as a message of its own
        self._gathering.append(message)
        if len(self._gathering) >= self.batch_max:
            self._hand_over()
        elif len(self._gathering) == 1:
            self.container.spawn_managed_thread(
                partial(self._hand_over_after_wait, self._handed_over), identifier=f"{self.method_name}.batch_wait"
            )

    def _hand_over_after_wait(self, batch_number: int) -> None:
        eventlet.sleep(self.batch_wait)
        if self._handed_over == batch_number and self._gathering:  # not handed over full meanwhile
            self._hand_over()

    def _hand_over(self) -> None:
        messages, self._gathering = self._gathering, []
        self._handed_over += 1
        try:
            self.container.spawn_worker(
                self,
                ([delivery_of(message) for message in messages],),
                {},
                handle_result=partial(self._batch_handled, messages),
            )
        except ContainerBeingKilled:
            for message in messages:
                self.queue_consumer.requeue_message(message)

    def _batch_handled(self, messages: list[Any], worker_ctx: Any, result: Any = None, exc_info: Any = None) -> Any:
        if exc_info is None:
            for message in messages:
                self.queue_consumer.ack_message(message)
        else:
            log.warning(
                "%s.%s: a batch of %d failed (%s: %s); each of its messages is handled alone",
                self.container.service_name,
                self.method_name,
                len(messages),
                exc_info[0].__name__,
                exc_info[1],
            )
            # Not in this worker: spawning waits for a free one, and every worker could be waiting so.
            self.container.spawn_managed_thread(
                partial(self._handle_each_alone, messages), identifier=f"{self.method_name}.batch_failed"
            )
        return result, exc_info

    def _handle_each_alone(self, messages: list[Any]) -> None:
        for message in messages:
            self._handle_alone(message)

    def _handle_alone(self, message: Any) -> None:
        # RetriesThenParks, then nameko's Consumer: one worker for a list of this one delivery.
        RetriesThenParks.handle_message(self, [delivery_of(message)], message)


consume_raw_batches = BatchedRawConsumer.decorator
