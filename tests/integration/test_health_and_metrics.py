"""Health and metrics through the real broker and document server: each service's ``health`` and
``metrics`` RPC, handler retries counted in the store, and the gateway's /health, /ready and
/metrics — a stopped service named by /health with 503."""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy
from prometheus_client.parser import text_string_to_metric_families

from contracts.health import ServiceFiguresSchema, ServiceHealthSchema
from contracts.topology import INTAKE_QUEUE
from deploy.docstore import free_port
from services.gateway.service import GatewayService
from services.intake.service import IntakeService
from services.notification.service import NotificationService
from services.notification.store import epoch
from services.runtime import health
from services.runtime.access import Caller
from services.runtime.events import event_handler
from tests.integration.helpers import (
    ApiClient,
    canonical_inquiry,
    provision,
    publish_inquiry,
    start_downstream_of,
    started,
    wait_for,
)

METRICS_TOKEN = "scraper-token-0123456789"
FAILURES = {"left": 0}


class Ledger(health.HealthEntrypoints):
    name = "ledger"
    caller = Caller()

    @event_handler("shop", "order_placed")
    def on_order_placed(self, payload):
        if FAILURES["left"]:
            FAILURES["left"] -= 1
            raise RuntimeError("ledger locked")


@pytest.fixture
def fast_config(config):
    config["BATON"]["health"] = {"deadline_seconds": 1, "metrics_token": METRICS_TOKEN, "overdue_after_hours": 24}
    config["BATON"]["events"] = {"max_attempts": 3, "first_wait_seconds": 0.01, "factor": 2, "longest_wait_seconds": 1}
    return config


def figures_by_name(answer):
    return {figure["name"]: figure for figure in answer["figures"]}


def samples(figure):
    return {tuple(sorted(s["labels"].items())): s["value"] for s in figure["samples"]}


def test_intake_answers_health_and_counts_inquiries_by_outcome_and_channel(container_factory, fast_config, db):
    start_downstream_of(container_factory, fast_config, "intake")
    started(container_factory, IntakeService, fast_config)
    publish_inquiry(fast_config["AMQP_URI"], canonical_inquiry(), message_id="m-1")
    publish_inquiry(fast_config["AMQP_URI"], {"schema_version": 1, "channel": "website_form"}, message_id="m-2")
    publish_inquiry(
        fast_config["AMQP_URI"], {"name": "not a form"}, routing_key="channel.website_form", message_id="m-3"
    )
    wait_for(lambda: db.inquiries.count_documents({}) == 3, what="three inquiries kept")

    with ClusterRpcProxy(fast_config) as cluster:
        state = cluster.intake.health()
        figures = cluster.intake.metrics()
    assert ServiceHealthSchema().validate(state) == {} and ServiceFiguresSchema().validate(figures) == {}
    assert (state["service"], state["status"], state["checks"]["store"]["status"]) == ("intake", "ok", "ok")
    intake_queue = next(q for q in state["queues"] if q["name"] == INTAKE_QUEUE)
    assert intake_queue["consumers"] >= 1 and intake_queue["messages"] == 0
    by_name = figures_by_name(figures)
    assert samples(by_name["baton_inquiries"]) == {
        (("channel", "website_form"), ("status", "accepted")): 1,
        (("channel", "unknown"), ("status", "rejected")): 1,  # a canonical body: its channel unread
        (("channel", "website_form"), ("status", "rejected")): 1,
    }  # sent to the channel's routing key
    assert samples(by_name["baton_parked_events"]) == {(("service", "intake"),): 0}
    assert (by_name["baton_handler_retries"]["kind"], by_name["baton_handler_retries"]["samples"]) == ("counter", [])
    assert samples(by_name["baton_queue_consumers"])[(("queue", INTAKE_QUEUE), ("service", "intake"))] >= 1


def test_a_handlers_retries_and_parked_events_are_counted_in_its_store(container_factory, fast_config):
    started(container_factory, Ledger, fast_config)
    FAILURES["left"] = 2  # two failures: retried twice, handled on the third attempt
    event_dispatcher(fast_config)("shop", "order_placed", {"order": "o-1"})
    wait_for(lambda: FAILURES["left"] == 0, what="both failures")
    with ClusterRpcProxy(fast_config) as cluster:
        wait_for(
            lambda: (
                samples(figures_by_name(cluster.ledger.metrics())["baton_handler_retries"]).get(
                    (("event_type", "order_placed"), ("handler", "on_order_placed"), ("service", "ledger"))
                )
                == 2
            ),
            what="two retries counted",
        )
        FAILURES["left"] = 3  # every attempt fails: parked
        event_dispatcher(fast_config)("shop", "order_placed", {"order": "o-2"})
        wait_for(
            lambda: (
                samples(figures_by_name(cluster.ledger.metrics())["baton_parked_events"])
                == {(("service", "ledger"),): 1}
            ),
            what="the event parked",
        )


def test_notification_counts_due_and_overdue_reminders_and_deliveries(container_factory, fast_config, db):
    fast_config["BATON"]["notification"]["fire_on_timer"] = False  # the reminders below stay as written
    started(container_factory, NotificationService, fast_config)
    now = datetime.now(UTC)

    def reminder(rid, status, due_at):
        return {
            "_id": rid,
            "status": status,
            "due_at": due_at,
            "fire_at": due_at,
            "user_id": "alice",
            "wake_epoch": epoch(due_at) if status == "pending" else None,
            "lease_epoch": None,
        }

    db.reminders.insert_many(
        [
            reminder("r-later", "pending", now + timedelta(days=1)),  # not due yet
            reminder("r-waiting", "pending", now - timedelta(minutes=5)),  # due, not fired yet
            reminder("r-fired", "fired", now - timedelta(hours=1)),  # due, told
            reminder("r-old", "fired", now - timedelta(days=3)),  # overdue
            reminder("r-done", "done", now - timedelta(days=3)),
        ]
    )  # closed: counts nowhere
    db.deliveries.insert_many(
        [
            {"_id": f"d-{i}", "channel": channel, "status": status}
            for i, (channel, status) in enumerate([("inbox", "delivered"), ("inbox", "delivered"), ("email", "failed")])
        ]
    )
    with ClusterRpcProxy(fast_config) as cluster:
        by_name = figures_by_name(cluster.notification.metrics())
    assert samples(by_name["baton_reminders_due"]) == {(("state", "fired"),): 2, (("state", "waiting_to_fire"),): 1}
    assert samples(by_name["baton_reminders_overdue"]) == {(): 1}
    deliveries = samples(by_name["baton_deliveries"])
    assert deliveries[(("channel", "inbox"), ("result", "delivered"))] == 2
    assert deliveries[(("channel", "email"), ("result", "failed"))] == 1
    assert deliveries[(("channel", "email"), ("result", "delivered"))] == 0


@pytest.fixture
def gateway_with_intake(container_factory, fast_config):
    fast_config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{free_port()}"
    fast_config["BATON"]["access"]["token_cache_seconds"] = 0
    start_downstream_of(container_factory, fast_config, "intake")
    gateway = started(container_factory, GatewayService, fast_config)
    intake = started(container_factory, IntakeService, fast_config)
    return gateway, intake, f"http://{fast_config['WEB_SERVER_ADDRESS']}"


def test_health_names_the_services_that_do_not_answer_and_one_that_stopped(gateway_with_intake):
    gateway, intake, base = gateway_with_intake
    answer = requests.get(f"{base}/health", timeout=10)
    body = answer.json()
    assert answer.status_code == 503 and body["status"] == "failing"
    assert body["failing"] == ["handoff", "notification", "pool", "profile"]  # never started here
    assert body["services"]["intake"]["status"] == body["services"]["gateway"]["status"] == "ok"
    assert body["services"]["intake"]["checks"]["store"]["status"] == "ok"
    assert body["services"]["pool"]["reason"] == "not running"  # no queue: it never ran here
    assert requests.get(f"{base}/ready", timeout=10).json() == {"status": "ready", "reasons": []}

    intake.stop()
    body = requests.get(f"{base}/health", timeout=10).json()
    assert "intake" in body["failing"] and body["services"]["intake"]["status"] == "failing"
    assert body["services"]["intake"]["reason"] == "did not answer within 1 s"  # its queue waits for it
    assert requests.get(f"{base}/ready", timeout=10).status_code == 200  # the gateway itself still serves


def test_metrics_are_for_an_admin_or_the_scraper_and_parse_as_prometheus_text(gateway_with_intake):
    gateway, _intake, base = gateway_with_intake
    admin = ApiClient(base, provision(gateway, "root", "admin"))
    member = ApiClient(base, provision(gateway, "m", "member", department="sales"))

    def families_of(text):
        return {family.name: family for family in text_string_to_metric_families(text)}

    # The baton_http_* figures are the gateway process's own: here, every in-process gateway of the run.
    before = families_of(ApiClient(base, METRICS_TOKEN).get("/metrics").text)
    assert admin.post("/inquiries", json=canonical_inquiry()).status_code == 202
    assert admin.post("/inquiries", json={"schema_version": 1}).status_code == 422
    assert admin.get("/inquiries/no-such-inquiry").status_code == 404

    assert requests.get(f"{base}/metrics", timeout=10).status_code == 401
    assert member.get("/metrics").status_code == 403
    assert ApiClient(base, "not-the-token").get("/metrics").status_code == 401
    scraped = ApiClient(base, METRICS_TOKEN).get("/metrics")
    assert scraped.status_code == 200 and scraped.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert admin.get("/metrics").status_code == 200
    families = families_of(scraped.text)

    def value(family, sample_name=None, seen=None, **labels):
        samples = (seen or families)[family].samples if family in (seen or families) else []
        return sum(
            s.value
            for s in samples
            if (sample_name is None or s.name == sample_name) and all(s.labels.get(k) == v for k, v in labels.items())
        )

    def added(family, sample_name=None, **labels):
        return value(family, sample_name, **labels) - value(family, sample_name, before, **labels)

    assert value("baton_inquiries", status="accepted", channel="website_form") == 1
    assert value("baton_inquiries", status="rejected") == 1
    assert added("baton_http_refusals", status="422", route="/inquiries") == 1
    assert added("baton_http_refusals", status="404", route="/inquiries/<inquiry_id>") == 1  # the template
    assert (
        added(
            "baton_http_request_duration_seconds",
            "baton_http_request_duration_seconds_count",
            method="POST",
            route="/inquiries",
        )
        == 2
    )
    assert value("baton_service_up", service="intake") == value("baton_service_up", service="gateway") == 1
    assert value("baton_service_up", service="pool") == 0
    assert value("baton_queue_consumers", queue="rpc-intake") >= 1
    assert value("baton_queue_consumers", queue=INTAKE_QUEUE) >= 1
    assert families["baton_handler_retries"].type == "counter"
