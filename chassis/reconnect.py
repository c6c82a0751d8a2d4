"""nameko's queue consumer, reconnecting promptly after the broker comes back.

kombu retries a lost connection after pauses growing by 2 s up to 30 s, so after a broker
outage of ten seconds a service would stay away for up to ten more. This consumer tries
every second instead; the mall's RPC and event entrypoints use it, and so do the replies
to calls one service makes to another (``RpcProxy``, in place of nameko's).

nameko's proxy waits for a reply without end: a service that is down (its queue is there,
no one consumes it) would hold the caller's worker, and the caller's own caller, forever.
This one waits ``CALL_TIMEOUT`` seconds (config; 5 by default, below the gateway's 10) and
then raises ``Unavailable``, which the gateway answers with a 503.

    class LicensingService(MallService):
        civil_registry = RpcProxy("civil_registry")
"""

from contextlib import contextmanager

import eventlet
from nameko import rpc
from nameko.messaging import QueueConsumer

from chassis.errors import Unavailable

RETRY_EVERY_S = 1.0
CALL_TIMEOUT_S = 5.0


class PromptQueueConsumer(QueueConsumer):
    @contextmanager
    def establish_connection(self):
        with self.create_connection() as conn:
            conn.ensure_connection(
                self.on_connection_error,
                self.connect_max_retries,
                interval_start=RETRY_EVERY_S,
                interval_step=0,
                interval_max=RETRY_EVERY_S,
            )
            yield conn


class PromptReplyListener(rpc.ReplyListener):
    queue_consumer = PromptQueueConsumer()


class TimedMethodProxy(rpc.MethodProxy):
    def __init__(self, *args, timeout: float, **options):
        super().__init__(*args, **options)
        self.timeout = timeout

    def __call__(self, *args, **kwargs):
        reply = self._call(*args, **kwargs)
        timer = eventlet.Timeout(self.timeout)
        try:
            return reply.result()
        except eventlet.Timeout as fired:
            if fired is not timer:
                raise
            raise Unavailable(
                "service_unavailable", service=self.service_name, seconds=f"{self.timeout:g}"
            ) from None
        finally:
            timer.cancel()


class TimedServiceProxy(rpc.ServiceProxy):
    def __init__(self, *args, timeout: float, **options):
        super().__init__(*args, **options)
        self.timeout = timeout

    def __getattr__(self, name):
        return TimedMethodProxy(
            self.worker_ctx,
            self.service_name,
            name,
            self.reply_listener,
            timeout=self.timeout,
            **self.options,
        )


class RpcProxy(rpc.RpcProxy):
    """nameko's ``RpcProxy``, whose replies come back promptly after a broker restart and
    whose calls wait ``CALL_TIMEOUT`` seconds at most."""

    rpc_reply_listener = PromptReplyListener()

    def get_dependency(self, worker_ctx):
        timeout = float(self.container.config.get("CALL_TIMEOUT", CALL_TIMEOUT_S))
        return TimedServiceProxy(
            worker_ctx,
            self.target_service,
            self.rpc_reply_listener,
            timeout=timeout,
            **self.options,
        )
