"""BATON.amqp.queue_type on the real broker (a fresh vhost per test): quorum declares every queue a
service consumes as a quorum queue, and the service works on them; the default keeps them classic."""

import copy

import pytest
from amqp.exceptions import PreconditionFailed
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.docstore import free_port
from services.intake.service import IntakeService
from services.runtime.queues import typed_queue
from tests.integration.helpers import canonical_inquiry, publish_inquiry, started, wait_for

INTAKE_QUEUES = {"rpc-intake", "baton.intake.inquiries", "evt-profile-customer_created--intake.on_customer_created"}


def queue_types(rabbit_manager, vhost):
    return {queue["name"]: queue for queue in rabbit_manager.get_queues(vhost)}


def test_quorum_queues_are_declared_and_carry_rpc_and_inquiries(container_factory, config, rabbit_manager, db):
    config = copy.deepcopy(config)
    config["BATON"]["amqp"] = {"queue_type": "quorum", "delivery_limit": None}
    started(container_factory, IntakeService, config)
    vhost = config["vhost"]

    queues = wait_for(
        lambda: (found := queue_types(rabbit_manager, vhost)) and INTAKE_QUEUES <= set(found) and found,
        what="intake's queues",
    )
    for name in INTAKE_QUEUES:
        assert queues[name]["type"] == "quorum", name
        assert queues[name]["durable"] and not queues[name]["exclusive"] and not queues[name]["auto_delete"]
        assert queues[name]["arguments"]["x-queue-type"] == "quorum"

    with ClusterRpcProxy(config, timeout=20) as cluster:
        assert cluster.intake.ping() == {"service": "intake"}
        reply_queues = [q for q in queue_types(rabbit_manager, vhost).values() if q["name"].startswith("rpc.reply-")]
        assert reply_queues and all(q["type"] == "classic" for q in reply_queues)  # per caller: classic

    publish_inquiry(config["AMQP_URI"], canonical_inquiry(email="quorum@acme.de"), message_id="quorum-1")
    wait_for(lambda: db.of("intake").inquiries.find_one({"message_id": "quorum-1"}), what="the stored inquiry")


def test_by_default_the_queues_stay_classic(container_factory, config, rabbit_manager):
    started(container_factory, IntakeService, config)
    queues = wait_for(
        lambda: (found := queue_types(rabbit_manager, config["vhost"])) and INTAKE_QUEUES <= set(found) and found,
        what="intake's queues",
    )
    for name in INTAKE_QUEUES:
        assert queues[name]["type"] == "classic", name
        assert "x-queue-type" not in queues[name]["arguments"]


def test_services_connect_to_the_next_node_of_a_listed_cluster(container_factory, config, db):
    # BATON_AMQP_URI may list the cluster's nodes (kombu's "uri;uri"): a node that is down is skipped.
    config = copy.deepcopy(config)
    real = config["AMQP_URI"]
    down = real.replace(real.split("@", 1)[1].split("/", 1)[0], f"127.0.0.1:{free_port()}")
    config["AMQP_URI"] = f"{down};{real}"
    started(container_factory, IntakeService, config)
    with ClusterRpcProxy(config, timeout=20) as cluster:
        assert cluster.intake.ping() == {"service": "intake"}
    publish_inquiry(real, canonical_inquiry(email="failover@acme.de"), message_id="failover-1")
    wait_for(lambda: db.of("intake").inquiries.find_one({"message_id": "failover-1"}), what="the stored inquiry")


def test_a_queue_declared_classic_before_is_refused_as_quorum(config):
    # README "Running on a cluster": switch the type on a fresh cluster or vhost, or delete the queues.
    quorum = copy.deepcopy(config)
    quorum["BATON"]["amqp"] = {"queue_type": "quorum"}
    classic = Queue("rpc-switched", Exchange("nameko-rpc", type="topic", durable=True), "switched.*", durable=True)
    with Connection(config["AMQP_URI"]) as connection:
        classic(connection.channel()).declare()
        with pytest.raises(PreconditionFailed, match="x-queue-type"):
            typed_queue(classic, quorum)(connection.channel()).declare()
