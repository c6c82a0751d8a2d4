"""Bounded tables: published events, handled event ids and recorded replies are pruned
after the retention period, by the hourly job every service instance runs (SQLite and
PostgreSQL); the gateway forgets the answers it kept for idempotency keys."""

from datetime import timedelta

from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from chassis.database import utcnow
from gateway import idempotency
from gateway.identity import store
from gateway.identity.models import IdempotentRequest
from services.queue.models import OutboxEvent, ProcessedEvent, RecordedReply
from services.queue.service import QueueService
from tests.integration.helpers import rows, session_for

OLD, RECENT = utcnow() - timedelta(days=8), utcnow() - timedelta(days=6)


def fill(url: str) -> None:
    with session_for(url) as db, db.begin():
        for name, created, published in [
            ("old-published", OLD, OLD),
            ("old-pending", OLD, None),  # never published yet: kept, however old
            ("recent-published", RECENT, RECENT),
        ]:
            db.add(
                OutboxEvent(
                    event_id=name,
                    event_type="ticket_issued",
                    payload={},
                    headers={},
                    created_at=created,
                    published_at=published,
                )
            )
        db.add(ProcessedEvent(event_id="old", handler="h", processed_at=OLD))
        db.add(ProcessedEvent(event_id="recent", handler="h", processed_at=RECENT))
        db.add(RecordedReply(call_key="issue_ticket:old", reply={}, recorded_at=OLD))
        db.add(RecordedReply(call_key="issue_ticket:recent", reply={}, recorded_at=RECENT))


def test_the_hourly_job_prunes_what_is_past_retention_and_keeps_the_rest(
    service_config, container_factory
):
    config = service_config("queue", MESSAGE_RETENTION_DAYS=7)
    fill(config["DATABASE_URL"])
    container = container_factory(QueueService, config)
    container.start()
    with entrypoint_hook(container, "prune_messages") as prune:
        prune()
        prune()  # again, as another instance would: nothing more to do, no error
    url = config["DATABASE_URL"]
    assert {e.event_id for e in rows(url, select(OutboxEvent))} == {
        "old-pending",
        "recent-published",
    }
    assert [e.event_id for e in rows(url, select(ProcessedEvent))] == ["recent"]
    assert [r.call_key for r in rows(url, select(RecordedReply))] == ["issue_ticket:recent"]


def test_the_gateway_forgets_kept_answers_after_their_hours(gateway_database):
    with store.transaction(gateway_database) as db:
        for key, created in [("old", utcnow() - timedelta(hours=25)), ("recent", utcnow())]:
            db.add(
                IdempotentRequest(
                    scope="anonymous",
                    key=key,
                    fingerprint="f",
                    owner="host:1",
                    claimed_until=created,
                    status=201,
                    body=b"{}",
                    created_at=created,
                )
            )
    assert idempotency.prune(gateway_database, timedelta(hours=24)) == 1
    with store.transaction(gateway_database, read_only=True) as db:
        assert db.scalars(select(IdempotentRequest.key)).all() == ["recent"]
