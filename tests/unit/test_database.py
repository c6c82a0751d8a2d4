"""chassis.database on a SQLite file: outbox, inbox and the engine's settings."""

import threading
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from chassis import logs
from chassis.database import make_engine, session_factory
from chassis.errors import InvalidInput
from chassis.migrate import upgrade
from gateway.identity import store
from services.queue.models import OutboxEvent, ProcessedEvent, ServiceLine, Ticket

TICKET_ISSUED = {"ticket_id": "t-1", "label": "A-001", "service_code": "ktp"}


@pytest.fixture
def queue_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    upgrade("queue", url)
    return url


@pytest.fixture
def engine(queue_url):
    engine = make_engine(queue_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine, "queue", OutboxEvent, ProcessedEvent)


@pytest.fixture
def correlation_id():
    cid = "req-" + uuid.uuid4().hex[:12]
    logs.set_correlation_id(cid)
    yield cid
    logs.set_correlation_id(None)


def outbox_rows(sessions) -> list[OutboxEvent]:
    with sessions() as session:
        return list(session.scalars(select(OutboxEvent)))


def test_migrations_create_the_queue_tables_with_outbox_and_inbox(engine):
    tables = set(inspect(engine).get_table_names())
    assert {"outbox", "inbox", "service_lines", "sequences", "tickets"} <= tables


def test_record_event_writes_an_outbox_row_when_the_transaction_commits(sessions, correlation_id):
    with sessions() as session:
        event_id = session.record_event("ticket_issued", TICKET_ISSUED)
        session.commit()
    (row,) = outbox_rows(sessions)
    assert row.event_id == event_id
    assert row.event_type == "ticket_issued"
    assert row.published_at is None
    assert row.created_at is not None


def test_recorded_event_payload_is_a_complete_envelope(sessions, correlation_id):
    with sessions() as session:
        event_id = session.record_event("ticket_issued", TICKET_ISSUED)
        session.commit()
    (row,) = outbox_rows(sessions)
    assert uuid.UUID(event_id)
    assert row.payload["event_id"] == event_id
    assert row.payload["event_type"] == "ticket_issued"
    assert row.payload["source"] == "queue"
    assert row.payload["correlation_id"] == correlation_id
    assert row.payload["data"] == TICKET_ISSUED
    assert row.payload["occurred_at"]


def test_recorded_event_headers_carry_the_correlation_id_for_nameko(sessions, correlation_id):
    with sessions() as session:
        session.record_event("ticket_issued", TICKET_ISSUED)
        session.commit()
    (row,) = outbox_rows(sessions)
    assert row.headers == {"nameko.correlation_id": correlation_id}


def test_recorded_event_without_a_correlation_id_has_no_headers(sessions):
    logs.set_correlation_id(None)
    with sessions() as session:
        session.record_event("ticket_issued", TICKET_ISSUED)
        session.commit()
    (row,) = outbox_rows(sessions)
    assert row.payload["correlation_id"] is None
    assert row.headers == {}


def test_recorded_event_is_discarded_when_the_transaction_rolls_back(sessions, correlation_id):
    with sessions() as session:
        session.record_event("ticket_issued", TICKET_ISSUED)
        session.rollback()
    assert outbox_rows(sessions) == []


def test_record_event_rejects_data_that_breaks_the_event_schema(sessions, correlation_id):
    with sessions() as session:
        with pytest.raises(InvalidInput) as caught:
            session.record_event("ticket_issued", {"ticket_id": "t-1"})
        session.commit()
    assert set(caught.value.fields) == {"label", "service_code"}
    assert outbox_rows(sessions) == []


def test_record_event_rejects_an_event_type_without_a_schema(sessions, correlation_id):
    with sessions() as session:
        with pytest.raises(LookupError, match="queue.ticket_teleported"):
            session.record_event("ticket_teleported", TICKET_ISSUED)
        session.commit()
    assert outbox_rows(sessions) == []


def test_each_recorded_event_gets_its_own_event_id(sessions, correlation_id):
    with sessions() as session:
        first = session.record_event("ticket_issued", TICKET_ISSUED)
        second = session.record_event("ticket_cancelled", {"ticket_id": "t-1", "reason": "x"})
        session.commit()
    assert first != second
    assert {row.event_id for row in outbox_rows(sessions)} == {first, second}


def test_first_delivery_is_true_once_then_false_for_the_same_handler(sessions):
    with sessions() as session:
        assert session.first_delivery("event-1", "licensing.on_person_died") is True
        session.commit()
    with sessions() as session:
        assert session.first_delivery("event-1", "licensing.on_person_died") is False


def test_first_delivery_is_false_for_a_repeat_within_the_same_transaction(sessions):
    with sessions() as session:
        assert session.first_delivery("event-1", "handler") is True
        assert session.first_delivery("event-1", "handler") is False


def test_first_delivery_is_true_for_another_handler_of_the_same_event(sessions):
    with sessions() as session:
        assert session.first_delivery("event-1", "queue.on_person_died") is True
        assert session.first_delivery("event-1", "queue.on_application_created") is True
        session.commit()
    with sessions() as session:
        rows = session.execute(select(ProcessedEvent.handler)).scalars().all()
    assert sorted(rows) == ["queue.on_application_created", "queue.on_person_died"]


def test_first_delivery_is_forgotten_when_the_handler_transaction_rolls_back(sessions):
    with sessions() as session:
        assert session.first_delivery("event-1", "handler") is True
        session.rollback()
    with sessions() as session:
        assert session.first_delivery("event-1", "handler") is True


def test_make_engine_puts_a_sqlite_file_in_wal_mode(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_make_engine_turns_on_sqlite_foreign_keys(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_foreign_keys_are_enforced_on_insert(sessions):
    with sessions() as session:
        session.add(Ticket(service_code="nope", day=date(2026, 11, 24), number=1, label="X-001"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_sqlite_rows_of_a_committed_transaction_are_visible_to_a_new_session(sessions):
    with sessions() as session:
        session.add(ServiceLine(code="ktp", prefix="A", name_id="KTP-el", name_en="ID card"))
        session.commit()
    with sessions() as session:
        assert session.get(ServiceLine, "ktp").prefix == "A"


def test_make_engine_uses_one_pooled_connection_per_sqlite_process(engine):
    assert engine.pool.size() == 1


def test_timestamps_come_back_timezone_aware_from_sqlite(sessions, correlation_id):
    with sessions() as session:
        session.record_event("ticket_issued", TICKET_ISSUED)
        session.commit()
    with sessions() as session:
        created_at = session.scalar(select(OutboxEvent.created_at))
    assert created_at.utcoffset() == timedelta(0)


def test_make_engine_accepts_an_in_memory_sqlite_url():
    engine = make_engine("sqlite://")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_a_naive_timestamp_is_refused_rather_than_stored_in_an_unknown_zone(sessions):
    with sessions() as session:
        session.add(
            OutboxEvent(
                event_id="e-1",
                event_type="ticket_issued",
                payload={},
                headers={},
                created_at=datetime(2026, 11, 23, 17, 30),
            )
        )
        with pytest.raises(StatementError, match="naive datetime"):
            session.commit()


def test_a_timestamp_in_another_zone_is_stored_and_read_back_as_the_same_instant(sessions):
    jakarta_evening = datetime(2026, 11, 24, 0, 30, tzinfo=timezone(timedelta(hours=7)))
    with sessions() as session:
        session.add(
            OutboxEvent(
                event_id="e-1",
                event_type="ticket_issued",
                payload={},
                headers={},
                created_at=jakarta_evening,
            )
        )
        session.commit()
    with sessions() as session:
        stored = session.scalar(select(OutboxEvent.created_at))
    assert stored == jakarta_evening
    assert stored.utcoffset() == timedelta(0)


def test_a_read_only_transaction_on_sqlite_does_not_wait_for_the_writer(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    writer_engine = make_engine(url)
    with writer_engine.connect() as writer:
        writer.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        writer.commit()
        writer.exec_driver_sql("INSERT INTO t VALUES (1)")  # holds the write lock
        seen = []

        def read():
            with store.transaction(url, read_only=True) as db:
                seen.append(db.execute(text("SELECT count(*) FROM t")).scalar())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout=5)
        assert seen == [0]  # read beside the writer, before its commit
        writer.rollback()
    store.dispose(url)
    writer_engine.dispose()
