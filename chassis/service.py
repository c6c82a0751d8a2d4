"""What every service of the mall has: the ``health`` RPC, correlation ids, the actor,
and ``rpc``.

class QueueService(MallService):
    name = "queue"
"""

import logging

from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc, RpcConsumer
from nameko.timer import timer

from chassis import logs
from chassis.actor import CONTEXT_KEY as ACTOR_KEY
from chassis.actor import Actor
from chassis.database import CALL_ID_KEY, ServiceSession, prune
from chassis.errors import MallError
from chassis.events import settle_quietly
from chassis.health import Health
from chassis.reconnect import PromptQueueConsumer

log = logging.getLogger("mpp.rpc")
PRUNE_SECONDS = 3600


class SurvivingRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, except that a reply the broker cannot take does not stop
    the service: the request is left to the broker, which delivers it again once a
    connection is back, and the repeat is answered from the recorded reply."""

    queue_consumer = PromptQueueConsumer()

    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except Exception as exc:  # nameko would let this kill the container
            log.warning("could not answer (%r); the request will come again", exc)
            settle_quietly(self.queue_consumer.requeue_message, message)
            return result, exc_info


class MallRpc(Rpc):
    """An RPC entrypoint that survives broker restarts and knows each call's id.

    The call id is the request message's correlation id (one per call, the same when
    RabbitMQ delivers the message again), or the one the caller chose and sent as
    context data (the gateway derives it from an ``Idempotency-Key``). The ``Database``
    provider records the reply of a state-changing call under it.
    """

    rpc_consumer = SurvivingRpcConsumer()

    def unpack_message_headers(self, message):
        data = super().unpack_message_headers(message)
        if not data.get(CALL_ID_KEY):
            data[CALL_ID_KEY] = message.properties.get("correlation_id")
        return data


# ``@rpc`` whose errors raised on purpose are logged as warnings, not as crashes.
rpc = MallRpc.decorator(expected_exceptions=(MallError,))


class CorrelationId(DependencyProvider):
    """Makes the worker's correlation id visible to logs and to the outbox.

    A call that arrives without one (a timer, an operator's shell) gets a fresh id, which
    then travels on with everything the worker sends: nameko copies context data into the
    headers of the RPC calls and events a worker makes.
    """

    def get_dependency(self, worker_ctx):  # nameko calls this before worker_setup
        cid = worker_ctx.data.get(logs.CONTEXT_KEY) or logs.new_correlation_id()
        worker_ctx.data[logs.CONTEXT_KEY] = cid
        return cid

    def worker_setup(self, worker_ctx):
        logs.set_correlation_id(worker_ctx.data[logs.CONTEXT_KEY])

    def worker_teardown(self, worker_ctx):
        logs.set_correlation_id(None)


class CurrentActor(DependencyProvider):
    """The worker's actor, read from the call's context data (anonymous when absent)."""

    def get_dependency(self, worker_ctx) -> Actor:
        return Actor.from_context(worker_ctx.data.get(ACTOR_KEY))


class MallService:
    correlation_id = CorrelationId()
    actor = CurrentActor()
    health_check = Health()

    @rpc
    def health(self) -> dict:
        """Report database and broker reachability, version and uptime."""
        return self.health_check()

    @timer(interval=PRUNE_SECONDS)
    def prune_messages(self) -> None:
        """Delete published events, handled event ids and recorded replies older than
        ``MESSAGE_RETENTION_DAYS``, so those tables stay bounded. Every instance runs it;
        a row deleted by another is simply not counted."""
        db = getattr(self, "db", None)
        if isinstance(db, ServiceSession):
            removed = prune(db, db.info["retention"])
            if any(removed.values()):
                log.info("pruned %s", removed)
