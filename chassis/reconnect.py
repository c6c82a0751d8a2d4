"""nameko's queue consumer, reconnecting promptly after the broker comes back.

kombu retries a lost connection after pauses growing by 2 s up to 30 s, so after a broker
outage of ten seconds a service would stay away for up to ten more. This consumer tries
every second instead; the mall's RPC and event entrypoints use it, and so do the replies
to calls one service makes to another (``RpcProxy``, in place of nameko's).

    class LicensingService(MallService):
        civil_registry = RpcProxy("civil_registry")
"""

from contextlib import contextmanager

from nameko import rpc
from nameko.messaging import QueueConsumer

RETRY_EVERY_S = 1.0


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


class RpcProxy(rpc.RpcProxy):
    """nameko's ``RpcProxy``, whose replies come back promptly after a broker restart."""

    rpc_reply_listener = PromptReplyListener()
