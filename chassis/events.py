"""Consuming events without losing or repeating them.

nameko acks an event even when its handler raises. ``event_handler`` here instead sends a
failed event to a delay queue (RabbitMQ dead-letters it back to the handler's queue when
the delay expires), with growing delays, and after the last attempt parks it in the
service's dead-letter queue, ``<service>.dead-letters``, for an operator to inspect and
replay (``python -m chassis.dead_letters``). The original is acked only after the copy is
confirmed by the broker, so a crash in between can duplicate an event but never lose it;
``idempotent`` turns such duplicates into no-ops.

A poison message (an envelope or payload that does not load against its contract, an
event type without one) would fail the same way on every attempt: it goes straight to
the dead-letter queue with the reason, and the handler never sees it.

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event): ...
"""

import importlib
import logging
from functools import wraps

from kombu import Exchange, Queue
from marshmallow import EXCLUDE, ValidationError
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler

from chassis.reconnect import PromptQueueConsumer

ATTEMPTS_HEADER = "x-mpp-attempts"
QUEUE_HEADER = "x-mpp-queue"
ERROR_HEADER = "x-mpp-error"
DEFAULT_RETRY_DELAYS_MS = [1000, 10000, 60000]
DEFAULT_EXCHANGE = Exchange("")
log = logging.getLogger("mpp.events")


def settle_quietly(action, message) -> None:
    """Ack or requeue ``message``. A connection that is gone gives every unacked message
    back to the broker by itself, so when this fails nothing is lost: it is logged only
    (nameko would let the error stop the service)."""
    try:
        action(message)
    except Exception as exc:
        log.info("message not settled (%r): the broker delivers it again", exc)


def poison_reason(source: str, event_type: str, body) -> str | None:
    """Why ``body`` can never be handled as ``source.event_type``, or None if it can."""
    from contracts.events import EVENT_SCHEMAS, EventEnvelope

    try:
        importlib.import_module(f"contracts.{source}")  # registers its event schemas
    except ModuleNotFoundError:
        # an agency module's shared events are registered by its base class, not a file
        if (source, event_type) not in EVENT_SCHEMAS:
            return f"poison: no contracts for service {source}"
    schema = EVENT_SCHEMAS.get((source, event_type))
    if schema is None:
        return f"poison: unknown event type {source}.{event_type}"
    if not isinstance(body, dict):
        return f"poison: the event is a {type(body).__name__}, not an envelope"
    try:
        EventEnvelope().load(body, unknown=EXCLUDE)
        schema.load(body["data"], unknown=EXCLUDE)
    except ValidationError as err:
        return f"poison: does not load: {err.messages}"[:1000]
    return None


def dead_letter_queue(service_name: str) -> Queue:
    return Queue(f"{service_name}.dead-letters", exchange=DEFAULT_EXCHANGE, durable=True)


def retry_queue(queue_name: str, delay_ms: int) -> Queue:
    """A queue whose messages return to ``queue_name`` after ``delay_ms``."""
    return Queue(
        f"{queue_name}--retry-{delay_ms}",
        exchange=DEFAULT_EXCHANGE,
        durable=True,
        queue_arguments={
            "x-message-ttl": delay_ms,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": queue_name,
        },
    )


class ReliableEventHandler(EventHandler):
    """An event handler that retries a failed event with backoff, then parks it."""

    queue_consumer = PromptQueueConsumer()  # shared with the RPC entrypoints

    def setup(self):
        super().setup()
        config = self.container.config
        self.retry_delays = list(config.get("EVENT_RETRY_DELAYS_MS") or DEFAULT_RETRY_DELAYS_MS)
        self.publisher = Publisher(config[AMQP_URI_CONFIG_KEY], use_confirms=True)

    def handle_message(self, body, message):
        reason = poison_reason(self.source_service, self.event_type, body)
        if reason is None:
            return super().handle_message(body, message)
        log.error("parked a poison %s.%s: %s", self.source_service, self.event_type, reason)
        self._settle(message, lambda: self.reroute(message, reason=reason, park=True))

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            settle_quietly(self.queue_consumer.ack_message, message)
        else:
            self._settle(message, lambda: self.reroute(message, exc_info[1]))

    def _settle(self, message, send_copy) -> None:
        """Ack ``message`` once its copy is confirmed; if the copy cannot be sent (the
        broker is away), give it back to the broker instead, without stopping the service."""
        try:
            send_copy()
        except Exception as exc:
            log.warning("could not reroute an event (%r); it is requeued", exc)
            settle_quietly(self.queue_consumer.requeue_message, message)
        else:
            settle_quietly(self.queue_consumer.ack_message, message)

    def reroute(
        self,
        message,
        error: BaseException | None = None,
        reason: str | None = None,
        park: bool = False,
    ) -> None:
        """Send a copy of ``message`` to its next retry queue, or park it."""
        attempts = int(message.headers.get(ATTEMPTS_HEADER, 0)) + 1
        headers = {
            **message.headers,
            ATTEMPTS_HEADER: attempts,
            QUEUE_HEADER: self.queue.name,
            ERROR_HEADER: (reason or f"{type(error).__name__}: {error}")[:1000],
        }
        headers.pop("x-death", None)
        if attempts <= len(self.retry_delays) and not park:
            target = retry_queue(self.queue.name, self.retry_delays[attempts - 1])
        else:
            target = dead_letter_queue(self.container.service_name)
        self.publisher.publish(
            message.payload,
            exchange=DEFAULT_EXCHANGE,
            routing_key=target.name,
            declare=[target],
            headers=headers,
        )


event_handler = ReliableEventHandler.decorator


def idempotent(handler):
    """Run an event handler once per event id, however often the event is delivered.

    The id goes into the service's inbox in the handler's own transaction, so the
    effect and the record of it commit together. The inbox names the handler by its
    service class and method (``QueueService.on_person_died``), not by the class that
    defines it, so moving a handler into a mixin keeps the record of what was handled.
    """

    @wraps(handler)
    def once(self, event):
        if not self.db.first_delivery(
            event["event_id"], f"{type(self).__name__}.{handler.__name__}"
        ):
            return None
        return handler(self, event)

    return once
