"""``/metrics`` in the Prometheus text format.

Two sources, merged in one answer:

- this gateway process's own HTTP figures: request latency per route (the route's template,
  ``/customers/<customer_id>``, never the raw path) and refusals by HTTP status — kept in memory,
  so each gateway instance is scraped for its own, as Prometheus does with any process;
- each service's figures (``metrics`` RPC, ``services.runtime.health``), counted in its own store
  so any instance answers the same, plus the depth of every service's RPC queue and whether the
  service answered (``baton_service_up``).

Who may read it: an admin's token, or the scraper's ``BATON.health.metrics_token``.
"""

from __future__ import annotations

import hmac

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import Metric

from contracts.errors import Unauthenticated
from services.gateway.authenticating import Authenticator
from services.runtime.access import require

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
METRICS_READERS = ("admin",)

HTTP = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "baton_http_request_duration_seconds",
    "HTTP requests' duration, by route template",
    ["method", "route"],
    registry=HTTP,
)
REFUSALS = Counter(
    "baton_http_refusals",
    "HTTP answers of 400 and above, by route template and status",
    ["method", "route", "status"],
    registry=HTTP,
)


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(method, route).observe(seconds)
    if status >= 400:
        REFUSALS.labels(method, route, str(status)).inc()


def check_reader(authorization: str | None, metrics_token: str | None, authenticator: Authenticator) -> None:
    """Let the scraper's token or an admin through; else Unauthenticated (401) or Forbidden (403)."""
    scheme, _, token = (authorization or "").partition(" ")
    if (
        metrics_token
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), metrics_token.encode())
    ):
        return
    if not authorization:
        raise Unauthenticated("Send an admin's API token or the metrics token: 'Authorization: Bearer <token>'.", {})
    require(authenticator.actor_for(authorization), METRICS_READERS, "read the metrics")


def gateway_figures(outcomes: dict[str, tuple[dict | None, str | None]], rpc_queues: list[dict]) -> list[dict]:
    """What the gateway tells of the services itself: who answered, and their RPC queues."""
    up = {
        "name": "baton_service_up",
        "help": "1 when the service answered its metrics RPC within the deadline",
        "kind": "gauge",
        "samples": [
            {"labels": {"service": name}, "value": 0 if answer is None else 1}
            for name, (answer, _reason) in outcomes.items()
        ],
    }
    present = [q for q in rpc_queues if q["messages"] is not None]
    return [
        up,
        {
            "name": "baton_queue_messages",
            "help": "Messages waiting in a queue",
            "kind": "gauge",
            "samples": [
                {"labels": {"service": q["service"], "queue": q["name"]}, "value": q["messages"]} for q in present
            ],
        },
        {
            "name": "baton_queue_consumers",
            "help": "Consumers of a queue (0: nobody takes its messages)",
            "kind": "gauge",
            "samples": [
                {"labels": {"service": q["service"], "queue": q["name"]}, "value": q["consumers"]} for q in present
            ],
        },
    ]


def exposition(figures: list[dict]) -> bytes:
    """The text format of this process's HTTP figures and ``figures`` (families of one name from
    several services merged into one, its help and kind the first's)."""
    families: dict[str, Metric] = {}
    for figure in figures:
        family = families.get(figure["name"])
        if family is None:
            family = families[figure["name"]] = Metric(figure["name"], figure["help"], figure["kind"])
        sample_name = figure["name"] + ("_total" if figure["kind"] == "counter" else "")
        for sample in figure["samples"]:
            family.add_sample(sample_name, sample["labels"], sample["value"])
    services = CollectorRegistry(auto_describe=False)
    services.register(_Families(list(families.values())))
    return generate_latest(HTTP) + generate_latest(services)


class _Families:
    """A collector that yields metric families already made."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self):
        return iter(self.families)
