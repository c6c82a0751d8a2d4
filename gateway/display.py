"""The live feed of calls for display boards, fanned out to server-sent-event clients.

Each gateway worker process consumes ``ticket_called`` events with its own exclusive,
auto-deleted queue (so every replica and every worker sees every call) in one background
thread, and hands each event to the queues of the boards connected to that worker.
"""

import json
import logging
import queue
import threading
import uuid

from kombu import Connection, Exchange, Queue

from chassis.rpc_client import RpcTimeout

log = logging.getLogger("mpp.gateway.display")
# the queue service's event exchange, declared as nameko declares it
EVENTS_EXCHANGE = Exchange("queue.events", type="topic", durable=True)


class CallFeed:
    def __init__(self, amqp_uri: str, ready_timeout: float = 10.0):
        self.amqp_uri = amqp_uri
        self.queue = Queue(
            f"display-{uuid.uuid4().hex}",
            exchange=EVENTS_EXCHANGE,
            routing_key="ticket_called",
            exclusive=True,
            auto_delete=True,
        )
        self._boards: set[queue.Queue] = set()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._stopped = threading.Event()
        threading.Thread(target=self._listen, name="display-feed", daemon=True).start()
        if not self._ready.wait(ready_timeout):
            raise RpcTimeout("the display feed could not reach the broker")

    def subscribe(self) -> queue.Queue:
        board: queue.Queue = queue.Queue(maxsize=100)
        with self._lock:
            self._boards.add(board)
        return board

    def unsubscribe(self, board: queue.Queue) -> None:
        with self._lock:
            self._boards.discard(board)

    def stop(self) -> None:
        self._stopped.set()

    def _on_event(self, body, message) -> None:
        call = body.get("data", {})
        with self._lock:
            boards = list(self._boards)
        for board in boards:
            try:
                board.put_nowait(call)
            except queue.Full:  # a board that stopped reading loses old calls, not the feed
                log.warning("display board too slow; dropping a call")

    def _listen(self) -> None:
        while not self._stopped.is_set():
            try:
                with Connection(self.amqp_uri, heartbeat=30, connect_timeout=2) as conn:
                    conn.ensure_connection(max_retries=1)  # this loop retries every second
                    with conn.Consumer(self.queue, callbacks=[self._on_event], no_ack=True):
                        self._ready.set()
                        while not self._stopped.is_set():
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                pass
                            # on every pass, not only when idle: a busy consumer must
                            # still send heartbeats or the broker drops it mid-reply
                            conn.heartbeat_check()
            except Exception:  # the thread must outlive any broker trouble
                log.exception("display feed lost the broker; reconnecting")
                self._stopped.wait(1)


def server_sent_events(feed: CallFeed, keepalive_seconds: float = 15.0):
    """Yield SSE frames for one board until it disconnects."""
    board = feed.subscribe()
    try:
        yield ": connected\n\n"
        while True:
            try:
                call = board.get(timeout=keepalive_seconds)
            except queue.Empty:
                yield ": keepalive\n\n"
                continue
            yield f"event: call\ndata: {json.dumps(call)}\n\n"
    finally:
        feed.unsubscribe(board)
