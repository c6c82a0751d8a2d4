"""A thread-safe nameko RPC client for plain threads: the gateway's gthread workers, probes.

nameko's ``ClusterRpcProxy`` is built for eventlet and carries fixed context data, so the
gateway speaks nameko's RPC protocol with kombu directly: a small pool of publishing
connections (a confirmed publish holds its channel for a broker round trip, so one shared
channel would serialise every thread) and one reply queue consumed by a background thread.
Every call has a timeout; context data (the correlation id) travels in ``nameko.*``
headers exactly as nameko's own proxies send it.

The broker may restart at any time. A publishing connection that fails is thrown away and
the call is published once more on a fresh one; the reply consumer reconnects and declares
its queue again. While the broker is away a call fails fast with ``BrokerUnavailable``
(calls in flight when the reply connection drops too: their answers are lost with it).

Create it after a process forks, never before: its connections and thread do not survive one.
"""

import itertools
import logging
import queue
import threading
import uuid

from kombu import Connection, Exchange, Producer, Queue
from kombu.exceptions import EncodeError

log = logging.getLogger("mpp.rpc")
RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True)


class RpcTimeout(Exception):
    """The service did not answer in time."""


class BrokerUnavailable(RpcTimeout):
    """The broker could not be reached, so the call was not made or its answer was lost."""


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

    @property
    def code(self) -> str | None:
        """The refusal code of the mall's own errors (their first argument)."""
        if self.remote_args and isinstance(self.remote_args[0], str):
            return self.remote_args[0]
        return None

    @property
    def params(self) -> dict:
        """The values the refusal's text names (the third argument)."""
        if len(self.remote_args) > 2 and isinstance(self.remote_args[2], dict):
            return self.remote_args[2]
        return {}


class _PendingCall:
    __slots__ = ("done", "reply", "lost")

    def __init__(self):
        self.done, self.reply, self.lost = threading.Event(), None, False


class RpcClient:
    def __init__(
        self,
        amqp_uri: str,
        timeout: float = 10.0,
        publishers: int = 4,
        connect_timeout: float = 2.0,
    ):
        self.amqp_uri, self.timeout, self.connect_timeout = amqp_uri, timeout, connect_timeout
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
        self._ready = threading.Event()  # set while the reply queue is consumed
        self._stopped = threading.Event()
        self._ids = itertools.count()
        self._listener = threading.Thread(target=self._listen, name="rpc-replies", daemon=True)
        self._listener.start()
        # a broker that is down now is not fatal: calls fail fast until it is back
        self._ready.wait(min(timeout, connect_timeout + 1))

    @property
    def connected(self) -> bool:
        """True while replies can be received (the broker is reachable)."""
        return self._ready.is_set()

    def call(
        self,
        service: str,
        method: str,
        *args,
        context: dict | None = None,
        timeout: float | None = None,
        **kwargs,
    ):
        """Call ``service.method`` and return its result.

        Raises RemoteError (the service refused or failed), RpcTimeout (no answer in time)
        or BrokerUnavailable (the broker is away: the call may or may not have run).
        """
        if not self._ready.wait(min(self.connect_timeout, self.timeout)):
            raise BrokerUnavailable(f"no connection to the broker for {service}.{method}")
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
        if pending.lost:
            raise BrokerUnavailable(f"the broker went away during {service}.{method}")
        error = pending.reply.get("error")
        if error:
            raise RemoteError(error["exc_type"], error.get("value", ""), error.get("exc_args"))
        return pending.reply.get("result")

    def close(self) -> None:
        self._stopped.set()
        self._listener.join(timeout=5)
        self._discard_idle()

    def _discard_idle(self) -> None:
        while True:
            try:
                self._discard(self._idle_producers.get_nowait())
            except queue.Empty:
                return

    def _publish(self, body: dict, **properties) -> None:
        """Publish with confirms; a producer whose connection failed is replaced once."""
        with self._producer_slots:  # at most ``publishers`` producers ever exist
            for attempt in (1, 2):
                producer = None
                try:
                    try:  # the second attempt on a new connection, never on an idle one
                        producer = self._idle_producers.get_nowait() if attempt == 1 else None
                    except queue.Empty:
                        pass
                    if producer is None:
                        producer = self._new_producer()
                    producer.publish(
                        body,
                        exchange=RPC_EXCHANGE,
                        reply_to=self.reply_queue.name,
                        serializer="json",
                        delivery_mode=2,
                        mandatory=True,
                        declare=[RPC_EXCHANGE],
                        **properties,
                    )
                except EncodeError:
                    self._idle_producers.put(producer)
                    raise
                except Exception as exc:  # a dead connection shows as many kinds of error
                    if producer is not None:
                        self._discard(producer)
                    self._discard_idle()  # made before the same outage: as dead
                    if attempt == 2:
                        raise BrokerUnavailable(f"cannot publish: {exc!r}") from exc
                    log.warning("publishing connection lost (%r); trying a new one", exc)
                else:
                    self._idle_producers.put(producer)
                    return

    def _new_producer(self) -> Producer:
        connection = Connection(
            self.amqp_uri,
            connect_timeout=self.connect_timeout,
            transport_options={"confirm_publish": True},
        )
        connection.ensure_connection(max_retries=1)
        return Producer(connection.default_channel, on_return=self._on_return)

    @staticmethod
    def _discard(producer: Producer) -> None:
        try:
            producer.channel.connection.client.release()
        except Exception:  # already broken: nothing to release
            pass

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

    def _fail_pending(self) -> None:
        """The reply queue went with the connection: no call in flight will be answered."""
        with self._pending_lock:
            pending = list(self._pending.values())
        for call in pending:
            call.lost = True
            call.done.set()

    def _listen(self) -> None:
        """Consume replies; on a lost connection, reconnect and redeclare the reply queue."""
        while not self._stopped.is_set():
            try:
                with Connection(
                    self.amqp_uri, heartbeat=10, connect_timeout=self.connect_timeout
                ) as conn:
                    # one try, not kombu's default of retrying with pauses growing to 30 s:
                    # this loop tries again every second, so it is back soon after the broker
                    conn.ensure_connection(max_retries=1)
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
            except Exception as exc:
                self._ready.clear()
                self._fail_pending()
                if self._stopped.is_set():
                    return
                log.warning("reply consumer lost the broker (%r); reconnecting", exc)
                self._stopped.wait(1)
