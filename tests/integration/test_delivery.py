"""Nothing lost: outbox events survive a dead relay; failing handlers end in the
dead-letter queue and can be replayed from it."""

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select

from chassis.database import Database
from chassis.dead_letters import list_dead_letters, replay_dead_letters
from chassis.events import event_handler, idempotent
from contracts.events import envelope
from scripts.demo_data import QUEUE_SETUP, seed
from services.queue.models import OutboxEvent, ProcessedEvent
from services.queue.service import QueueService
from tests.integration.helpers import publish_event, rows, rpc_to
from tests.polling import eventually


@pytest.fixture
def queue_config(service_config):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    return config


def test_event_committed_while_the_relay_is_dead_is_published_once_it_restarts(
    queue_config, container_factory, relay_process
):
    exchange = get_event_exchange("queue", queue_config)
    listener = Queue("test-ticket-issued", exchange=exchange, routing_key="ticket_issued")
    with Connection(queue_config["AMQP_URI"]) as conn:
        listener(conn.default_channel).declare()
        relay = relay_process("queue", queue_config)
        relay.kill()  # the relay crashes...
        relay.wait()
        container_factory(QueueService, queue_config).start()
        with rpc_to("queue", queue_config) as queue:  # ...while a change commits
            ticket = queue.issue_ticket({"service_code": "tax"})
        [pending] = rows(queue_config["DATABASE_URL"], select(OutboxEvent))
        assert pending.published_at is None
        assert listener(conn.default_channel).get() is None

        relay_process("queue", queue_config)  # restarted
        bound = listener(conn.default_channel)
        message = eventually(lambda: bound.get(no_ack=True))
        assert message.payload["event_id"] == pending.event_id
        assert message.payload["data"]["ticket_id"] == ticket["id"]
        assert eventually(
            lambda: rows(queue_config["DATABASE_URL"], select(OutboxEvent))[0].published_at
        )
        assert bound.get(no_ack=True) is None  # published exactly once


class Handling:
    failing = True
    attempts: list[str] = []


class FlakyService:
    """A handler that fails until an operator fixes the cause."""

    name = "flaky"
    db = Database(OutboxEvent, ProcessedEvent)

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event):
        Handling.attempts.append(event["event_id"])
        if Handling.failing:
            raise RuntimeError("archive unavailable")


def test_failing_handler_is_retried_then_parked_and_replayed(queue_config, container_factory):
    Handling.failing, Handling.attempts = True, []
    container = container_factory(FlakyService, queue_config)
    container.start()
    event = envelope(
        "civil_registry", "person_died", {"person_id": "p-1", "died_on": "2026-11-20"}, "req-flaky"
    )

    publish_event(queue_config, event)
    parked = eventually(lambda: list_dead_letters(queue_config["AMQP_URI"], "flaky"))
    assert len(Handling.attempts) == 3  # first delivery + two retries (FAST_RETRIES)
    assert parked == [
        {
            "event_id": event["event_id"],
            "event_type": "person_died",
            "source": "civil_registry",
            "handler_queue": "evt-civil_registry-person_died--flaky.on_person_died",
            "attempts": 3,
            "error": "RuntimeError: archive unavailable",
        }
    ]
    assert rows(queue_config["DATABASE_URL"], select(ProcessedEvent)) == []  # rolled back

    Handling.failing = False
    with entrypoint_waiter(container, "on_person_died"):
        assert replay_dead_letters(queue_config["AMQP_URI"], "flaky") == 1
    assert list_dead_letters(queue_config["AMQP_URI"], "flaky") == []
    [processed] = rows(queue_config["DATABASE_URL"], select(ProcessedEvent))
    assert processed.event_id == event["event_id"]
