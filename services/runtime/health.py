"""Each service's ``health`` and ``metrics`` RPC (``HealthEntrypoints``, mixed into every service):
what the gateway's ``/health``, ``/ready`` and ``/metrics`` are made of.

``health``: a ping on the service's own database and a passive declare of each queue it consumes
from (present, with a consumer); that the RPC is answered at all shows the broker carries it.

``metrics``: figures counted in the service's own store with index-served ``count`` commands, so
every instance of a service gives the same figures and a restart loses none: its parked events,
its handlers' retries (counted in ``handler_retries`` by ``services.runtime.events``), the depth
of its queues, and whatever its ``service_figures`` (a tuple of functions, see ``Tally``) count.
Both are open on the broker, like every RPC: they carry counts and states, never ids or secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from kombu import Connection
from marshmallow import Schema, fields, validate
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider

from contracts.health import PingSchema, ServiceFiguresSchema, ServiceHealthSchema
from services.runtime.document_store import count
from services.runtime.mongo import DatabaseLease
from services.runtime.queues import rpc
from services.runtime.settings import load_section

log = logging.getLogger(__name__)

HEALTH_SECTION = "health"
RETRIES_COLLECTION = "handler_retries"
PARKED_COLLECTION = "parked_events"
BROKER_TIMEOUT_SECONDS = 2  # connecting for the passive declares; the gateway's deadline bounds the rest
MAX_LABEL_VALUES = 100  # distinct values of one label (e.g. channels) reported at most


class HealthSettingsSchema(Schema):
    # How long /health and /metrics wait for each service's answer before naming it as failing.
    deadline_seconds = fields.Float(required=True, validate=validate.Range(min=0.1))
    # A bearer token a Prometheus scraper may read /metrics with (admins may too); null: admins only.
    metrics_token = fields.String(required=True, allow_none=True, validate=validate.Length(min=16))
    # A reminder still open this long after it fell due counts as overdue (baton_reminders_overdue).
    overdue_after_hours = fields.Float(required=True, validate=validate.Range(min=0))


class Tally:
    """What a service's figure functions count with: its own database, the time of the scrape and
    the ``health`` settings. ``figure(...)`` builds one metric family the contract describes."""

    def __init__(self, database: Any, now: datetime, settings: dict) -> None:
        self.database, self.now, self.settings = database, now, settings

    def count(self, collection: str, query: dict) -> int:
        return count(self.database[collection], query)

    def values(self, collection: str, field: str) -> list[str]:
        """The values ``field`` holds in ``collection`` (a label's values, e.g. the channels seen)."""
        found = self.database.command("distinct", collection, key=field).get("values", [])
        return sorted({str(v) for v in found if isinstance(v, (str, int)) and not isinstance(v, bool)})[
            :MAX_LABEL_VALUES
        ]

    @staticmethod
    def figure(name: str, help_text: str, samples: Iterable[tuple[dict, float]], kind: str = "gauge") -> dict:
        return {
            "name": name,
            "help": help_text,
            "kind": kind,
            "samples": [{"labels": labels, "value": value} for labels, value in samples],
        }


# One metric family, or several counted together.
FigureFunction = Callable[[Tally], "dict | list[dict]"]


def parked_events_figure(tally: Tally, service: str) -> dict:
    return tally.figure(
        "baton_parked_events",
        "Events a handler gave up on, kept until retried",
        [({"service": service}, tally.count(PARKED_COLLECTION, {"service": service}))],
    )


def handler_retries_figure(tally: Tally, service: str) -> dict:
    records = list(tally.database[RETRIES_COLLECTION].find({"service": service}).limit(MAX_LABEL_VALUES))
    return tally.figure(
        "baton_handler_retries",
        "Times a failed handler was given its message again",
        [
            ({"service": service, "handler": r["handler"], "event_type": r.get("event_type") or ""}, r["count"])
            for r in records
        ],
        kind="counter",
    )


def note_retry(database: Any, service: str, handler: str, event_type: str | None) -> None:
    """One more retry of ``handler``'s messages, in the service's own database."""
    database[RETRIES_COLLECTION].update_one(
        {"_id": f"{handler}:{event_type or ''}"},
        {"$inc": {"count": 1}, "$set": {"service": service, "handler": handler, "event_type": event_type or ""}},
        upsert=True,
    )


def queue_states(amqp_uri: str, names: Iterable[str]) -> list[dict]:
    """Each queue's waiting messages and consumers by passive declare (None: the queue is missing)."""
    states = []
    with Connection(amqp_uri, connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1)
        for name in names:
            channel = connection.channel()  # a missing queue closes the channel it was asked on
            try:
                _, messages, consumers = channel.queue_declare(queue=name, passive=True)
                states.append({"name": name, "messages": messages, "consumers": consumers})
            except Exception as error:  # amqp's NotFound (404): the queue is not declared
                if getattr(error, "code", None) != 404:
                    raise
                states.append({"name": name, "messages": None, "consumers": None})
            finally:
                try:
                    channel.close()
                except Exception:  # already closed by the broker's refusal
                    pass
    return states


def queue_figures(tally: Tally, service: str, states: list[dict]) -> list[dict]:
    present = [s for s in states if s["messages"] is not None]
    return [
        tally.figure(
            "baton_queue_messages",
            "Messages waiting in a queue",
            [({"service": service, "queue": s["name"]}, s["messages"]) for s in present],
        ),
        tally.figure(
            "baton_queue_consumers",
            "Consumers of a queue (0: nobody takes its messages)",
            [({"service": service, "queue": s["name"]}, s["consumers"]) for s in present],
        ),
    ]


class HealthProbe(DependencyProvider):
    """A worker's view of the service's health: its database (a lease of its own), the broker
    and the queues its entrypoints consume from."""

    def setup(self) -> None:
        self.service = self.container.service_name
        self.settings = load_section(self.container.config, HEALTH_SECTION, HealthSettingsSchema)
        self.amqp_uri = self.container.config[AMQP_URI_CONFIG_KEY]
        self.lease = DatabaseLease(self.container.config, self.service)
        self.figure_functions: tuple[FigureFunction, ...] = getattr(self.container.service_cls, "service_figures", ())

    def stop(self) -> None:
        self.lease.release()

    kill = stop

    def get_dependency(self, worker_ctx: Any) -> HealthProbe:
        return self

    def queue_names(self) -> list[str]:
        """The queues of this service's consumers (event handlers, intake's inquiries), not its RPC
        queue: the gateway watches every service's RPC queue itself, answering or not."""
        names = {getattr(getattr(e, "queue", None), "name", None) for e in self.container.entrypoints}
        return sorted(n for n in names if n)

    def store_problem(self) -> str | None:
        """Why the service's database does not answer a ping, or None when it does."""
        return self._check_store()["reason"]

    def check(self) -> dict:
        checks = {"store": self._check_store()}
        queues: list[dict] = []
        try:
            queues = queue_states(self.amqp_uri, self.queue_names())
            missing = [q["name"] for q in queues if q["messages"] is None or not q["consumers"]]
            checks["queues"] = _check(None if not missing else f"no consumer on {len(missing)} of its queues")
        except Exception as error:
            log.warning("%s: the broker did not answer a passive queue check: %s", self.service, error)
            checks["queues"] = _check(f"the broker did not answer a queue check ({type(error).__name__})")
        status = "ok" if all(c["status"] == "ok" for c in checks.values()) else "failing"
        return {"service": self.service, "status": status, "checks": checks, "queues": queues}

    def figures(self) -> dict:
        tally = Tally(self.lease.database, datetime.now(UTC), self.settings)
        figures = [parked_events_figure(tally, self.service), handler_retries_figure(tally, self.service)]
        for function in self.figure_functions:
            found = function(tally)
            figures += found if isinstance(found, list) else [found]
        try:
            figures += queue_figures(tally, self.service, queue_states(self.amqp_uri, self.queue_names()))
        except Exception as error:  # the store's figures are still worth answering with
            log.warning("%s: queue depths unavailable: %s", self.service, error)
        return {"service": self.service, "figures": figures}

    def _check_store(self) -> dict:
        try:
            self.lease.database.command("ping")
            return _check(None)
        except Exception as error:
            log.warning("%s: the store did not answer a ping: %s", self.service, error)
            return _check(f"the store did not answer a ping ({type(error).__name__})")


def _check(reason: str | None) -> dict:
    return {"status": "ok" if reason is None else "failing", "reason": reason}


class HealthEntrypoints:
    """Mixed into every service: ``ping`` (it runs), ``health`` and ``metrics`` over RPC (see the
    module's doc)."""

    health_probe = HealthProbe()

    @rpc
    def ping(self) -> dict[str, Any]:
        return PingSchema().dump({"service": self.health_probe.service})

    @rpc
    def health(self) -> dict[str, Any]:
        return ServiceHealthSchema().dump(self.health_probe.check())

    @rpc
    def metrics(self) -> dict[str, Any]:
        return ServiceFiguresSchema().dump(self.health_probe.figures())
