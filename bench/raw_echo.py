"""Raw kombu request/reply with nameko's wire format and delivery flags, nothing else.

Requests: ``{"args": [...], "kwargs": {}}`` as persistent (delivery_mode=2) JSON, published
with publisher confirms and ``mandatory`` to the durable topic exchange ``nameko-rpc`` under
``<service>.<method>``, with ``reply_to`` naming the caller's exclusive auto-delete reply
queue. Replies: ``{"result": ..., "error": None}``, persistent JSON, publisher-confirmed, to
the same exchange under the ``reply_to`` routing key; the request is acked after the reply.
Since the format is nameko's, the raw client can call the nameko service too.

``python -m bench.raw_echo --amqp-uri URI`` runs the echo server until it is terminated.
"""

import argparse
import os
import time
import uuid
from typing import Any

from kombu import Connection, Consumer, Exchange, Message, Producer, Queue

EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True)
SERVICE = "bench_raw"
PREFETCH = 10  # nameko's default max_workers, which is also its prefetch count


def request_queue(service: str) -> Queue:
    """The queue nameko declares for a service: durable, bound to ``<service>.*``."""
    return Queue(f"rpc-{service}", EXCHANGE, routing_key=f"{service}.*", durable=True)


def serve(amqp_uri: str, service: str = SERVICE) -> None:
    """Echo ``args[0]`` of every request until terminated (or orphaned)."""
    parent = os.getppid()
    # Separate connections, as nameko does: a confirmed publish waits on its own connection.
    with (
        Connection(amqp_uri) as consume_conn,
        Connection(amqp_uri, transport_options={"confirm_publish": True}) as publish_conn,
    ):
        producer = Producer(publish_conn.channel(), exchange=EXCHANGE)

        def on_request(body: dict[str, Any], message: Message) -> None:
            producer.publish(
                {"result": body["args"][0], "error": None},
                routing_key=message.properties["reply_to"],
                correlation_id=message.properties.get("correlation_id"),
                delivery_mode=2,
                serializer="json",
            )
            message.ack()

        with consume_conn.Consumer(
            request_queue(service), callbacks=[on_request], accept=["json"], prefetch_count=PREFETCH
        ):
            while os.getppid() == parent:
                try:
                    consume_conn.drain_events(timeout=1)
                except TimeoutError:
                    pass


class RawClient:
    """One connection, one channel: publish a confirmed request, drain until the reply."""

    def __init__(self, amqp_uri: str, service: str, timeout: float) -> None:
        self.routing_key, self.timeout = f"{service}.echo", timeout
        self.connection = Connection(amqp_uri, transport_options={"confirm_publish": True})
        channel = self.connection.channel()
        name = f"rpc.reply-raw-{uuid.uuid4().hex}"
        self.reply_queue = Queue(name, EXCHANGE, routing_key=name, exclusive=True, auto_delete=True)
        self.replies: dict[str, dict[str, Any]] = {}
        self.consumer = Consumer(
            channel, [self.reply_queue], callbacks=[self._on_reply], accept=["json"], no_ack=True
        )
        self.consumer.consume()
        self.producer = Producer(channel, exchange=EXCHANGE)

    def call(self, value: Any) -> Any:
        correlation_id = uuid.uuid4().hex
        self.producer.publish(
            {"args": [value], "kwargs": {}},
            routing_key=self.routing_key,
            reply_to=self.reply_queue.name,
            correlation_id=correlation_id,
            delivery_mode=2,
            serializer="json",
            mandatory=True,
        )
        deadline = time.monotonic() + self.timeout
        while correlation_id not in self.replies:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.routing_key} did not answer in time")
            self.connection.drain_events(timeout=remaining)
        reply = self.replies.pop(correlation_id)
        if reply.get("error"):
            raise RuntimeError(reply["error"])
        return reply["result"]

    def close(self) -> None:
        self.connection.release()

    def __enter__(self) -> "RawClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _on_reply(self, body: dict[str, Any], message: Message) -> None:
        self.replies[message.properties["correlation_id"]] = body


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="raw kombu echo server")
    parser.add_argument("--amqp-uri", required=True)
    parser.add_argument("--service", default=SERVICE)
    args = parser.parse_args()
    serve(args.amqp_uri, args.service)
