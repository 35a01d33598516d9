"""/health's and /ready's verdicts from what each service answered, and /metrics' merging of the
services' figures into one family per name (pure: no broker, no store)."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from contracts.errors import Forbidden, Unauthenticated
from services.gateway import metrics
from services.gateway.health import health_report, readiness
from services.runtime.access import Actor

OK = {
    "service": "intake",
    "status": "ok",
    "queues": [],
    "checks": {"store": {"status": "ok", "reason": None}, "queues": {"status": "ok", "reason": None}},
}


def test_all_healthy_is_200_and_one_failing_is_503_naming_it_and_why():
    assert health_report({"intake": (OK, None)}) == (
        200,
        {
            "status": "ok",
            "failing": [],
            "services": {"intake": {"status": "ok", "reason": None, "checks": OK["checks"]}},
        },
    )
    sick = {**OK, "status": "failing", "checks": {**OK["checks"], "store": {"status": "failing", "reason": "no ping"}}}
    status, body = health_report(
        {"intake": (sick, None), "pool": (None, "did not answer within 2 s"), "profile": (OK, None)}
    )
    assert (status, body["status"], body["failing"]) == (503, "failing", ["intake", "pool"])
    assert body["services"]["intake"]["reason"] == "store: no ping"
    assert body["services"]["pool"] == {"status": "failing", "reason": "did not answer within 2 s", "checks": {}}


def test_ready_needs_the_store_and_a_round_trip():
    assert readiness(None, ({"service": "gateway"}, None)) == (200, {"status": "ready", "reasons": []})
    assert readiness("the store did not answer a ping (AutoReconnect)", (None, "did not answer within 2 s")) == (
        503,
        {
            "status": "not_ready",
            "reasons": [
                "store: the store did not answer a ping (AutoReconnect)",
                "rpc: the gateway's own RPC did not answer within 2 s",
            ],
        },
    )


def test_families_of_one_name_from_several_services_are_merged_and_counters_get_total():
    figures = [
        {
            "name": "baton_parked_events",
            "help": "Parked",
            "kind": "gauge",
            "samples": [{"labels": {"service": "intake"}, "value": 0}],
        },
        {
            "name": "baton_parked_events",
            "help": "Parked",
            "kind": "gauge",
            "samples": [{"labels": {"service": "pool"}, "value": 2}],
        },
        {
            "name": "baton_handler_retries",
            "help": "Retries",
            "kind": "counter",
            "samples": [{"labels": {"service": "pool", "handler": "on_x", "event_type": "x"}, "value": 3}],
        },
    ]
    text = metrics.exposition(figures).decode()
    assert text.count("# TYPE baton_parked_events gauge") == 1
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert {s.labels["service"]: s.value for s in families["baton_parked_events"].samples} == {"intake": 0, "pool": 2}
    assert [(s.name, s.value) for s in families["baton_handler_retries"].samples] == [
        ("baton_handler_retries_total", 3)
    ]


class Directory:
    def __init__(self, role):
        self.role = role

    def actor_for(self, authorization):
        if authorization != "Bearer user-token":
            raise Unauthenticated("The API token is unknown or revoked.", {})
        return Actor("someone", self.role, "sales", None)


def test_metrics_are_read_with_the_scraper_token_or_an_admins():
    metrics.check_reader("Bearer scraper-token-0123456789", "scraper-token-0123456789", Directory("member"))
    metrics.check_reader("Bearer user-token", None, Directory("admin"))
    with pytest.raises(Forbidden):
        metrics.check_reader("Bearer user-token", "scraper-token-0123456789", Directory("member"))
    with pytest.raises(Unauthenticated):
        metrics.check_reader("Bearer scraper-token-0123456789", None, Directory("admin"))  # no token configured
    with pytest.raises(Unauthenticated):
        metrics.check_reader(None, "scraper-token-0123456789", Directory("admin"))
