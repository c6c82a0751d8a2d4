"""Consuming events without losing or repeating them.

nameko acks an event even when its handler raises. ``event_handler`` here instead sends a
failed event to a delay queue (RabbitMQ dead-letters it back to the handler's queue when
the delay expires), with growing delays, and after the last attempt parks it in the
service's dead-letter queue, ``<service>.dead-letters``, for an operator to inspect and
replay (``python -m chassis.dead_letters``). The original is acked only after the copy is
confirmed by the broker, so a crash in between can duplicate an event but never lose it;
``idempotent`` turns such duplicates into no-ops.

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event): ...
"""

from functools import wraps

from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler

ATTEMPTS_HEADER = "x-mpp-attempts"
QUEUE_HEADER = "x-mpp-queue"
ERROR_HEADER = "x-mpp-error"
DEFAULT_RETRY_DELAYS_MS = [1000, 10000, 60000]
DEFAULT_EXCHANGE = Exchange("")


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

    def setup(self):
        super().setup()
        config = self.container.config
        self.retry_delays = list(config.get("EVENT_RETRY_DELAYS_MS") or DEFAULT_RETRY_DELAYS_MS)
        self.publisher = Publisher(config[AMQP_URI_CONFIG_KEY], use_confirms=True)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is not None:
            try:
                self.reroute(message, exc_info[1])
            except Exception:
                self.queue_consumer.requeue_message(message)
                raise
        self.queue_consumer.ack_message(message)

    def reroute(self, message, error: BaseException) -> None:
        attempts = int(message.headers.get(ATTEMPTS_HEADER, 0)) + 1
        headers = {
            **message.headers,
            ATTEMPTS_HEADER: attempts,
            QUEUE_HEADER: self.queue.name,
            ERROR_HEADER: f"{type(error).__name__}: {error}"[:1000],
        }
        headers.pop("x-death", None)
        if attempts <= len(self.retry_delays):
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
    effect and the record of it commit together.
    """

    @wraps(handler)
    def once(self, event):
        if not self.db.first_delivery(event["event_id"], handler.__qualname__):
            return None
        return handler(self, event)

    return once
