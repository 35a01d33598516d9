"""What the integration tests share: publishing as an integration would, and waiting."""

import json
import time
from datetime import UTC, datetime

import requests
from kombu import Connection, Exchange
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from contracts.events import EVENTS, dump_event
from contracts.topology import INQUIRY_EXCHANGE


def publish_inquiry(amqp_uri, body, routing_key="inquiry", message_id=None):
    """Publish like a non-Python integration: raw JSON bytes on the documented exchange."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    exchange = Exchange(INQUIRY_EXCHANGE, type="topic", durable=True)
    with Connection(amqp_uri) as connection:
        connection.Producer().publish(
            body.encode() if isinstance(body, str) else body,
            exchange=exchange,
            routing_key=routing_key,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=message_id,
            declare=[exchange],
            retry=True,
        )


def wait_for(predicate, timeout=15, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def canonical_inquiry(email="jane@acme.de", **overrides):
    return {
        "schema_version": 1,
        "channel": "website_form",
        "company": "Acme GmbH",
        "contact": {"name": "Jane Doe", "email": email},
        "country": "DE",
        "message": "We need 2,000 pcs of model X with CE by March.",
        **overrides,
    }


def recorder_of(service_name, event_type, role="recorder"):
    """A listening service that returns every payload it receives (for entrypoint_waiter)."""

    class Recorder:
        name = f"{role}_{service_name}_{event_type}"

        @event_handler(service_name, event_type)
        def record(self, payload):
            return payload

    return Recorder


def started(container_factory, service_cls, config):
    container = container_factory(service_cls, config)
    container.start()
    if getattr(service_cls, "name", None) == "pool":
        users_saved(container, config)
    return container


def users_saved(pool, config):
    """The configured salespeople as the gateway's users, announced to ``pool`` as the gateway
    does (user_saved): the pool allocates to users only, and no gateway runs in these tests."""
    allocation = config["BATON"]["allocation"]
    for entry in allocation.get("salespeople") or ():
        call(
            pool,
            "on_user_saved",
            dump_event(
                "user_saved",
                {
                    "user_id": entry["id"],
                    "name": entry["id"].title(),
                    "role": "member",
                    "department": entry.get("department", allocation.get("department", "sales")),
                    "team": allocation["team"],
                    "active": True,
                    "version": 1,
                    "at": datetime.now(UTC),
                },
            ),
        )


def start_downstream_of(container_factory, config, *service_names):
    """One stand-in listening to every event these services publish (``contracts.events``)."""
    for service_name in service_names:
        handlers = {
            f"on_{event_type}": event_handler(service_name, event_type)(lambda self, payload: payload)
            for event_type, (source, _schema) in EVENTS.items()
            if source == service_name
        }
        started(
            container_factory,
            type(f"Downstream_{service_name}", (), {"name": f"downstream_{service_name}", **handlers}),
            config,
        )


def inquiry_delivery(config, profile):
    """Deliver ``inquiry_received`` to ``profile`` as intake announces it, returning once it is handled."""
    dispatch = event_dispatcher(config)

    def received(inquiry_id, inquiry, received_at=None):
        payload = {"inquiry_id": inquiry_id, "received_at": received_at or datetime.now(UTC), "inquiry": inquiry}
        with entrypoint_waiter(profile, "on_inquiry_received"):
            dispatch("intake", "inquiry_received", dump_event("inquiry_received", payload))

    return received


def customers_by_id(profile):
    return {c["id"]: c for c in call(profile, "list_customers", {"limit": 50})["items"]}


def call(container, method, *args, **kwargs):
    """Call an entrypoint in-process and insist its answer survives the RPC serializer, as a
    caller over RabbitMQ would need."""
    with entrypoint_hook(container, method) as hook:
        result = hook(*args, **kwargs)
    json.dumps(result, allow_nan=False)
    return result


class ApiClient(requests.Session):
    """The HTTP API as one user (or, without a token, as nobody): paths relative to ``base``."""

    def __init__(self, base, token=None):
        super().__init__()
        self.base, self.token = base.rstrip("/"), token
        self.trust_env = False  # never through a proxy
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 15)
        return super().request(method, self.base + url, *args, **kwargs)


def provision(gateway, user_id, role, department=None, team=None):
    """Create a user through the gateway's RPC (as the admin CLI does) and issue a token."""
    call(
        gateway,
        "add_user",
        {"id": user_id, "name": user_id.title(), "role": role, "department": department, "team": team},
    )
    return call(gateway, "issue_token", user_id, {"label": "tests"})["token"]
