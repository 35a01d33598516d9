"""Queues declared as ``BATON.amqp.queue_type`` says: classic (the default) or quorum.

nameko declares a service's queues itself, with no arguments: its RPC queue (``rpc-<service>``)
in ``RpcConsumer`` and each event handler's in ``EventHandler``. Baton's entrypoints hand them a
copy of the queue carrying ``x-queue-type: quorum`` when configured: services declare RPC
entrypoints with this module's ``rpc`` (not ``nameko.rpc.rpc``), and event handlers and intake's
consumer (``services.runtime.events.RetriesThenParks``) type their queue at set-up.

Only a durable queue that is neither exclusive nor auto-deleted can be a quorum queue; any other
(nameko's RPC reply queues, a broadcast handler's) keeps its own declaration. A broker already
holding a queue of the other type refuses the declaration (PRECONDITION_FAILED, "inequivalent arg
'x-queue-type'"): change the type on a fresh cluster or vhost, or drain and delete the queues first.
"""

from typing import Any

from kombu import Queue
from nameko.rpc import Rpc, RpcConsumer

from services.runtime.cluster import queue_arguments


def can_be_quorum(queue: Queue) -> bool:
    return bool(queue.durable) and not queue.exclusive and not queue.auto_delete


def typed_queue(queue: Queue, config: dict) -> Queue:
    """``queue`` as configured: itself for classic queues (or one that cannot be quorum), else a
    copy declared with the quorum arguments (the original, perhaps a module's, is left alone)."""
    arguments = queue_arguments(config)
    if not arguments or not can_be_quorum(queue):
        return queue
    declared = queue.as_dict()  # what kombu's copy.copy(queue) builds the copy from
    return type(queue)(**{**declared, "queue_arguments": {**(declared["queue_arguments"] or {}), **arguments}})


class TypedRpcConsumer(RpcConsumer):
    """nameko's ``RpcConsumer`` whose ``rpc-<service>`` queue is typed as configured."""

    queue: Any

    @property
    def sharing_key(self) -> type:
        # One consumer of rpc-<service> per container even if some entrypoint (a plugin's, a
        # test's) uses nameko's own ``rpc``: two would split the queue's messages between them.
        return RpcConsumer

    def setup(self) -> None:
        fresh = self.queue is None
        super().setup()
        if fresh:
            self.queue = typed_queue(self.queue, self.container.config)


class TypedRpc(Rpc):
    rpc_consumer = TypedRpcConsumer()


rpc = TypedRpc.decorator
