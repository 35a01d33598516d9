"""The pool service running alone for the pool benches (bench/pool_claims.py, bench/pool_allocation.py).

``pool_system(data_dir, allocation=..., pool=...)`` starts the real pool service with the real
supervisor (``nameko run``, its own vhost and embedded document store, like every bench) from
deploy/config.yaml with the given changes to ``BATON.allocation`` and ``BATON.pool``. A stand-in
for the services downstream (``PoolEvents``) takes every event pool publishes, as the rest of the
system would: pool publishes ``mandatory``, so an event with no queue bound would be refused.
"""

import json
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import yaml
from kombu import Connection, Exchange, Queue
from nameko.standalone.events import event_dispatcher

from contracts.events import EVENTS, dump_event
from deploy.local_system import local_system, salespeople_known

REPO = Path(__file__).resolve().parents[1]


def write_config(path, allocation=None, pool=None):
    """deploy/config.yaml with these keys of BATON.allocation and BATON.pool replaced; the
    ``${BATON_…}`` settings stay as they are, for local_system to give."""
    config = yaml.safe_load((REPO / "deploy" / "config.yaml").read_text())
    config["BATON"]["allocation"].update(allocation or {})
    config["BATON"]["pool"].update(pool or {})
    Path(path).write_text(yaml.safe_dump(config, sort_keys=False, width=10_000))
    return path


@contextmanager
def pool_system(data_dir, allocation=None, pool=None):
    """(system, PoolEvents) with the pool service running alone and configured."""
    config = write_config(Path(data_dir) / "bench-config.yaml", allocation, pool)
    with local_system(
        Path(data_dir) / "system", services=["pool"], config=config, env={"BATON_SCREENING": "false"}
    ) as system:  # the benches allocate on arrival
        with PoolEvents(system.amqp_uri) as events:
            users_saved(system, (allocation or {}).get("salespeople") or ())
            yield system, events


def users_saved(system, salespeople):
    """The configured salespeople as the gateway's users (no gateway runs here): the pool
    allocates to users only, learning of them from ``user_saved``."""
    dispatch = event_dispatcher({"AMQP_URI": system.amqp_uri, "serializer": "json"})
    for person in salespeople:
        dispatch(
            "gateway",
            "user_saved",
            dump_event(
                "user_saved",
                {
                    "user_id": person["id"],
                    "name": person["id"],
                    "role": "member",
                    "department": person.get("department", "sales"),
                    "team": person.get("team"),
                    "active": True,
                    "version": 1,
                    "at": datetime.now(UTC),
                },
            ),
        )
    salespeople_known(system, [person["id"] for person in salespeople])


class PoolEvents:
    """Every event pool publishes, in one queue of the bench's own, counted as it is read."""

    def __init__(self, amqp_uri):
        self.connection = Connection(amqp_uri)
        self.queue = None
        self.kinds = [name for name, (source, _schema) in EVENTS.items() if source == "pool"]
        self.received = []  # (event type, payload) in the order read
        self.read_at = []  # time.perf_counter() when each was read
        self.by_kind = Counter()

    def __enter__(self):
        channel = self.connection.default_channel
        exchange = Exchange("pool.events", type="topic", durable=True, channel=channel)
        exchange.declare()  # as pool declares it: it may not have published yet
        self.queue = Queue("bench-pool-downstream", channel=channel, durable=False, auto_delete=False)
        self.queue.declare()
        for kind in self.kinds:
            self.queue.bind_to(exchange, routing_key=kind)
        return self

    def __exit__(self, *exc_info):
        self.queue.delete()
        self.connection.close()

    def wait_for(self, count, kinds, timeout=600):
        """Read events until ``count`` of these kinds have arrived since the start."""
        deadline = time.monotonic() + timeout

        def on_message(body, message):
            payload = json.loads(body) if isinstance(body, (str, bytes)) else body
            kind = message.delivery_info["routing_key"]
            self.received.append((kind, payload))
            self.read_at.append(time.perf_counter())
            self.by_kind[kind] += 1
            message.ack()

        with self.connection.Consumer(self.queue, callbacks=[on_message], prefetch_count=500):
            while sum(self.by_kind[k] for k in kinds) < count:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {dict(self.by_kind)} of {count} {'/'.join(kinds)} events arrived")
                try:
                    self.connection.drain_events(timeout=1)
                except TimeoutError:
                    pass
        return self.received


def customer_created(customer_id, at, country=None, grade=None):
    """A ``customer_created`` payload as profile publishes it."""
    return dump_event(
        "customer_created",
        {
            "customer_id": customer_id,
            "inquiry_id": f"inq_{customer_id}",
            "occurred_at": at,
            "company": None,
            "country": country,
            "country_code": country,
            "intent_grade": grade,
        },
    )


def publish_as_profile(amqp_uri, event_type, payloads):
    """Publish events on profile's exchange as nameko does (persistent JSON); returns messages/s."""
    exchange = Exchange("profile.events", type="topic", durable=True)
    with Connection(amqp_uri) as connection:
        producer = connection.Producer()
        started = time.perf_counter()
        for payload in payloads:
            producer.publish(
                json.dumps(payload).encode(),
                exchange=exchange,
                routing_key=event_type,
                content_type="application/json",
                delivery_mode=2,
            )
        return len(payloads) / (time.perf_counter() - started)
