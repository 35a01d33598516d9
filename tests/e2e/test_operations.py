"""What an operator watches, on the running system: /health and /ready answer 200 with every
service healthy, and /metrics (Prometheus text) counts what just happened — an inquiry accepted
and one refused — beside queue depths, reminders and the API's latency per route."""

import requests
from prometheus_client.parser import text_string_to_metric_families

from contracts.topology import INTAKE_QUEUE
from tests.e2e.helpers import customer_by_email, lead, unique_email

SERVICES = {"intake", "profile", "handoff", "pool", "notification", "gateway"}


def scrape(api):
    answer = api.get("/metrics")
    assert answer.status_code == 200, answer.text
    families = {family.name: family for family in text_string_to_metric_families(answer.text)}

    def value(family, sample_name=None, **labels):
        return sum(
            s.value
            for s in families[family].samples
            if (sample_name is None or s.name == sample_name) and all(s.labels.get(k) == v for k, v in labels.items())
        )

    return families, value


def test_health_ready_and_metrics_after_an_inquiry_and_a_refusal(system, api, people):
    _, before = scrape(api)
    accepted_before = before("baton_inquiries", status="accepted", channel="website_form")
    email = unique_email()
    assert people["web"].post("/inquiries", json=lead(email)).status_code == 202
    assert people["web"].post("/inquiries", json={"schema_version": 1, "channel": "website_form"}).status_code == 422
    customer_by_email(api, email)  # filed and owned: its first-touch reminder is set

    health = requests.get(f"{system.api}/health", timeout=15)
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "ok" and set(health.json()["services"]) == SERVICES
    states = health.json()["services"].values()
    assert all(s["status"] == "ok" and s["checks"]["store"]["status"] == "ok" for s in states)
    assert requests.get(f"{system.api}/ready", timeout=15).json() == {"status": "ready", "reasons": []}

    families, value = scrape(api)
    assert value("baton_inquiries", status="accepted", channel="website_form") == accepted_before + 1
    assert value("baton_inquiries", status="rejected") >= 1
    assert value("baton_http_refusals", status="422", route="/inquiries") >= 1
    assert (
        value(
            "baton_http_request_duration_seconds",
            "baton_http_request_duration_seconds_count",
            method="POST",
            route="/inquiries",
        )
        >= 2
    )
    assert {s.labels["service"] for s in families["baton_service_up"].samples if s.value == 1} == SERVICES
    assert value("baton_queue_consumers", queue="rpc-profile") >= 1
    assert value("baton_queue_consumers", queue=INTAKE_QUEUE) >= 1
    queues = {s.labels["queue"] for s in families["baton_queue_messages"].samples}
    assert "evt-intake-inquiry_received--profile.on_inquiry_received" in queues  # an event handler's queue
    assert {s.labels["state"] for s in families["baton_reminders_due"].samples} == {"fired", "waiting_to_fire"}
    assert families["baton_reminders_overdue"].samples
    assert {"baton_parked_events", "baton_handler_retries", "baton_deliveries"} <= set(families)
    assert people["alice"].get("/metrics").status_code == 403
