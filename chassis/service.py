"""What every service of the mall has: the ``health`` RPC, correlation ids, the actor,
and ``rpc``.

class QueueService(MallService):
    name = "queue"
"""

from nameko.extensions import DependencyProvider
from nameko.rpc import rpc as nameko_rpc

from chassis import logs
from chassis.actor import CONTEXT_KEY as ACTOR_KEY
from chassis.actor import Actor
from chassis.errors import MallError
from chassis.health import Health

# ``@rpc`` whose errors raised on purpose are logged as warnings, not as crashes.
rpc = nameko_rpc(expected_exceptions=(MallError,))


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
