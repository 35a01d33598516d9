"""BATON.amqp and BATON.mongo: quorum queues and write/read concerns when configured, today's
behaviour (classic queues, the server's concerns) by default."""

import ast
import copy
from pathlib import Path

import pytest
from kombu import Exchange, Queue
from pymongo import MongoClient
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from services.runtime.cluster import amqp_settings, cluster_problems, mongo_settings, queue_arguments
from services.runtime.mongo import DatabaseLease, concerns, service_database
from services.runtime.queues import TypedRpc, TypedRpcConsumer, typed_queue
from services.runtime.settings import ConfigurationError
from tests.conftest import load_config_file


@pytest.fixture(scope="module")
def shipped():
    return load_config_file()


def with_baton(shipped, **sections):
    config = copy.deepcopy(shipped)
    config["BATON"].update(sections)
    return config


def queue(**options):
    return Queue("evt-pool-customer_allocated--notification.on_it", Exchange("pool.events", type="topic"), **options)


def test_the_shipped_defaults_keep_classic_queues_and_the_servers_concerns(shipped):
    assert amqp_settings(shipped) == {"queue_type": "classic", "delivery_limit": None}
    assert mongo_settings(shipped) == {
        "write_concern": None,
        "write_timeout_ms": None,
        "journal": None,
        "read_concern": None,
    }
    assert queue_arguments(shipped) == {}
    durable = queue(durable=True)
    assert typed_queue(durable, shipped) is durable
    assert concerns(shipped) == {}
    assert cluster_problems(shipped) == []


def test_a_config_without_the_sections_is_all_defaults():
    assert amqp_settings({})["queue_type"] == "classic"
    assert queue_arguments({"BATON": {}}) == {}
    assert concerns({}) == {}


def test_the_database_keeps_the_clients_concerns_by_default(shipped):
    client = MongoClient("mongodb://127.0.0.1:9/baton", connect=False)  # builds databases; sends nothing
    try:
        database = service_database(shipped, "pool", client)
        assert database.write_concern == client.write_concern == WriteConcern()
        assert database.read_concern == client.read_concern == ReadConcern()
        assert database["holdings"].write_concern == WriteConcern()
    finally:
        client.close()


def test_a_concern_in_the_uri_still_applies_when_the_settings_are_null(shipped):
    client = MongoClient("mongodb://127.0.0.1:9/baton?w=majority&readConcernLevel=majority", connect=False)
    try:
        database = service_database(shipped, "intake", client)
        assert database["inquiries"].write_concern == WriteConcern(w="majority")
        assert database["inquiries"].read_concern == ReadConcern("majority")
    finally:
        client.close()


def test_majority_writes_and_reads_reach_every_collection_of_a_service(shipped):
    config = with_baton(
        shipped,
        mongo={"write_concern": "majority", "write_timeout_ms": 5000, "journal": True, "read_concern": "majority"},
    )
    client = MongoClient("mongodb://127.0.0.1:9/baton", connect=False)
    try:
        database = service_database(config, "notification", client)
        for collection in (database["reminders"], database.get_collection("audit")):
            assert collection.write_concern == WriteConcern(w="majority", wtimeout=5000, j=True)
            assert collection.read_concern == ReadConcern("majority")
        assert client.write_concern == WriteConcern()  # the shared client itself is left alone
    finally:
        client.close()


def test_a_setting_adds_to_the_concern_the_uri_gives(shipped):
    config = with_baton(shipped, mongo={"write_timeout_ms": 5000})
    client = MongoClient("mongodb://127.0.0.1:9/baton?w=majority&journal=true", connect=False)
    try:
        database = service_database(config, "handoff", client)
        assert database["handoffs"].write_concern == WriteConcern(w="majority", wtimeout=5000, j=True)
    finally:
        client.close()


def test_a_number_of_members_is_a_write_concern_too(shipped):
    assert concerns(with_baton(shipped, mongo={"write_concern": 2})) == {"write_concern": WriteConcern(w=2)}


@pytest.mark.parametrize(
    ("section", "value", "named"),
    [
        ("amqp", {"queue_type": "quorom"}, "queue_type"),
        ("amqp", {"queue_type": "quorum", "delivery_limit": 0}, "delivery_limit"),
        ("mongo", {"write_concern": 0}, "write_concern"),
        ("mongo", {"write_concern": True}, "write_concern"),
        ("mongo", {"write_concern": ""}, "write_concern"),
        ("mongo", {"read_concern": "snapshot"}, "read_concern"),
        ("mongo", {"write_timeout_ms": -1}, "write_timeout_ms"),
    ],
)
def test_a_wrong_value_is_refused_at_start_naming_its_key(shipped, section, value, named):
    config = with_baton(shipped, **{section: value})
    [problem] = cluster_problems(config)
    assert problem.startswith(f"config: BATON.{section} is invalid") and named in problem
    with pytest.raises(ConfigurationError, match=named):
        DatabaseLease(config, "pool")  # what every service's store does first


def test_quorum_types_a_copy_of_each_durable_shared_queue(shipped):
    config = with_baton(shipped, amqp={"queue_type": "quorum", "delivery_limit": None})
    assert queue_arguments(config) == {"x-queue-type": "quorum"}
    original = queue(durable=True, queue_arguments={"x-message-ttl": 1000})
    typed = typed_queue(original, config)
    assert typed is not original and original.queue_arguments == {"x-message-ttl": 1000}
    assert typed.queue_arguments == {"x-message-ttl": 1000, "x-queue-type": "quorum"}
    assert (typed.name, typed.exchange.name, typed.routing_key, typed.durable) == (
        original.name,
        "pool.events",
        original.routing_key,
        True,
    )


def test_a_delivery_limit_is_declared_with_quorum_queues_only(shipped):
    limited = with_baton(shipped, amqp={"queue_type": "quorum", "delivery_limit": 1000})
    assert queue_arguments(limited) == {"x-queue-type": "quorum", "x-delivery-limit": 1000}
    assert queue_arguments(with_baton(shipped, amqp={"queue_type": "classic", "delivery_limit": 1000})) == {}


@pytest.mark.parametrize(
    "options",
    [{"durable": False}, {"durable": True, "exclusive": True}, {"durable": True, "auto_delete": True}],
    ids=["transient", "exclusive", "auto-delete"],
)
def test_a_queue_that_cannot_be_quorum_keeps_its_declaration(shipped, options):
    config = with_baton(shipped, amqp={"queue_type": "quorum"})
    own = queue(**options)
    assert typed_queue(own, config) is own


def test_the_rpc_consumer_is_shared_with_nameko_s_own():
    # One consumer of rpc-<service> per container, whichever rpc decorator an entrypoint used.
    from nameko.rpc import RpcConsumer

    assert TypedRpcConsumer().sharing_key is RpcConsumer
    assert isinstance(TypedRpc.rpc_consumer, TypedRpcConsumer)


def test_services_declare_rpc_entrypoints_with_the_typed_rpc():
    # nameko's own ``rpc`` would declare rpc-<service> classic even when quorum is configured.
    repo = Path(__file__).resolve().parents[2]
    plain = []
    for path in sorted((repo / "services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "nameko.rpc":
                plain += [f"{path.relative_to(repo)}: {alias.name}" for alias in node.names if alias.name == "rpc"]
    assert plain == [], "use `from services.runtime.queues import rpc`"
