"""A thread-safe nameko RPC client for plain threads: the gateway's gthread workers, probes.

nameko's ``ClusterRpcProxy`` is built for eventlet and carries fixed context data, so the
gateway speaks nameko's RPC protocol with kombu directly: a small pool of publishing
connections (a confirmed publish holds its channel for a broker round trip, so one shared
channel would serialise every thread) and one reply queue consumed by a background thread.
Every call has a timeout; context data (the correlation id) travels in ``nameko.*``
headers exactly as nameko's own proxies send it.

Create it after a process forks, never before: its connections and thread do not survive one.
"""

import itertools
import logging
import queue
import threading
import uuid

from kombu import Connection, Exchange, Producer, Queue

log = logging.getLogger("mpp.rpc")
RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True)


class RpcTimeout(Exception):
    """The service did not answer in time."""


class RemoteError(Exception):
    """An exception raised by the remote service, as nameko serialises it."""

    def __init__(self, exc_type: str, message: str, args: list | None = None):
        super().__init__(f"{exc_type}: {message}")
        self.exc_type, self.message, self.remote_args = exc_type, message, args or []

    @property
    def fields(self) -> dict:
        """Field errors of the mall's own errors (their second argument)."""
        if len(self.remote_args) > 1 and isinstance(self.remote_args[1], dict):
            return self.remote_args[1]
        return {}


class _PendingCall:
    __slots__ = ("done", "reply")

    def __init__(self):
        self.done, self.reply = threading.Event(), None


class RpcClient:
    def __init__(self, amqp_uri: str, timeout: float = 10.0, publishers: int = 4):
        self.amqp_uri, self.timeout = amqp_uri, timeout
        self.reply_queue = Queue(
            f"rpc.reply-gateway-{uuid.uuid4().hex}",
            exchange=RPC_EXCHANGE,
            routing_key=None,
            exclusive=True,
            auto_delete=True,
        )
        self.reply_queue.routing_key = self.reply_queue.name
        self._pending: dict[str, _PendingCall] = {}
        self._pending_lock = threading.Lock()
        self._idle_producers: queue.LifoQueue[Producer] = queue.LifoQueue()
        self._producer_slots = threading.BoundedSemaphore(publishers)
        self._connections: list[Connection] = []
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._ids = itertools.count()
        self._listener = threading.Thread(target=self._listen, name="rpc-replies", daemon=True)
        self._listener.start()
        if not self._ready.wait(timeout):
            raise RpcTimeout(f"reply queue not ready on {self._safe_uri()}")

    def call(
        self,
        service: str,
        method: str,
        *args,
        context: dict | None = None,
        timeout: float | None = None,
        **kwargs,
    ):
        """Call ``service.method`` and return its result, or raise RemoteError/RpcTimeout."""
        correlation_id = f"{uuid.uuid4().hex}-{next(self._ids)}"
        pending = _PendingCall()
        with self._pending_lock:
            self._pending[correlation_id] = pending
        try:
            self._publish(
                {"args": list(args), "kwargs": kwargs},
                routing_key=f"{service}.{method}",
                correlation_id=correlation_id,
                headers={f"nameko.{k}": v for k, v in (context or {}).items() if v is not None},
            )
            if not pending.done.wait(timeout if timeout is not None else self.timeout):
                raise RpcTimeout(f"{service}.{method} did not answer in time")
        finally:
            with self._pending_lock:
                self._pending.pop(correlation_id, None)
        error = pending.reply.get("error")
        if error:
            raise RemoteError(error["exc_type"], error.get("value", ""), error.get("exc_args"))
        return pending.reply.get("result")

    def close(self) -> None:
        self._stopped.set()
        self._listener.join(timeout=5)
        for connection in self._connections:
            connection.release()

    def _publish(self, body: dict, **properties) -> None:
        with self._producer_slots:  # at most ``publishers`` producers ever exist
            try:
                producer = self._idle_producers.get_nowait()
            except queue.Empty:
                connection = Connection(self.amqp_uri, transport_options={"confirm_publish": True})
                self._connections.append(connection)
                producer = Producer(connection.default_channel, on_return=self._on_return)
            try:
                producer.publish(
                    body,
                    exchange=RPC_EXCHANGE,
                    reply_to=self.reply_queue.name,
                    serializer="json",
                    delivery_mode=2,
                    mandatory=True,
                    retry=True,
                    retry_policy={"max_retries": 3, "interval_start": 0.1, "interval_step": 0.5},
                    declare=[RPC_EXCHANGE],
                    **properties,
                )
            finally:
                self._idle_producers.put(producer)

    def _on_reply(self, body, message) -> None:
        with self._pending_lock:
            pending = self._pending.get(message.properties.get("correlation_id"))
        if pending is not None:
            pending.reply = body
            pending.done.set()

    def _on_return(self, exception, exchange, routing_key, message) -> None:
        """The broker could not route a call: no instance of that service is listening."""
        self._on_reply(
            {"error": {"exc_type": "UnknownService", "value": f"{routing_key} has no listener"}},
            message,
        )

    def _listen(self) -> None:
        """Consume replies; on a lost connection, reconnect and redeclare the reply queue."""
        while not self._stopped.is_set():
            try:
                with Connection(self.amqp_uri, heartbeat=30) as conn:
                    with conn.Consumer(self.reply_queue, callbacks=[self._on_reply], no_ack=True):
                        self._ready.set()
                        while not self._stopped.is_set():
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                pass
                            # on every pass, not only when idle: a busy consumer must
                            # still send heartbeats or the broker drops it mid-reply
                            conn.heartbeat_check()
            except Exception:
                if self._stopped.is_set():
                    return
                log.exception("reply consumer lost its connection; reconnecting")
                self._stopped.wait(1)

    def _safe_uri(self) -> str:
        return Connection(self.amqp_uri).as_uri()
