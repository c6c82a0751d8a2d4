"""Each service's RPC entrypoints over the real RabbitMQ, on SQLite and PostgreSQL."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from chassis.database import utcnow
from chassis.errors import InvalidInput, NotFound, Unavailable
from contracts.events import envelope
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.civil_registry.service import CivilRegistryService
from services.licensing.models import Application
from services.licensing.service import LicensingService
from services.queue.models import OutboxEvent as QueueOutbox
from services.queue.service import QueueService
from tests.integration.helpers import FRONT_DESK, rows, rpc_to, session_for

SITI = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
}


@pytest.fixture
def queue(container_factory, service_config):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    container_factory(QueueService, config).start()
    return config


@pytest.fixture
def registry(container_factory, service_config):
    config = service_config("civil_registry")
    container_factory(CivilRegistryService, config).start()
    return config


def test_tickets_of_a_service_are_numbered_in_one_daily_series(queue):
    with rpc_to("queue", queue) as service:
        first = service.issue_ticket({"service_code": "population"})
        second = service.issue_ticket({"service_code": "population"})
    assert (first["label"], second["label"]) == ("A-001", "A-002")
    assert first["status"] == "waiting"


def test_ticket_for_an_unknown_service_is_not_found_and_names_the_field(queue):
    with rpc_to("queue", queue) as service, pytest.raises(NotFound) as err:
        service.issue_ticket({"service_code": "nope"})
    assert err.value.fields == {"service_code": ["unknown"]}


def test_invalid_payload_is_rejected_with_field_reasons(queue):
    with rpc_to("queue", queue) as service, pytest.raises(InvalidInput) as err:
        service.issue_ticket({"service_code": ""})
    assert "service_code" in err.value.fields


def test_application_is_opened_only_for_a_resident_the_registry_knows(
    registry, container_factory, service_config
):
    config = service_config("licensing")
    seed(config["DATABASE_URL"], PERMIT_TYPES)
    container_factory(LicensingService, config).start()
    with rpc_to("civil_registry", registry) as civil:
        civil.register_resident(SITI)
    draft = {
        "permit_type": "NIB",
        "applicant_nik": SITI["nik"],
        "applicant_name": "siti rahayu",
        "applicant_birth_date": SITI["birth_date"],
    }
    with rpc_to("licensing", config, actor=FRONT_DESK) as licensing:
        application = licensing.create_application(draft)
        with pytest.raises(InvalidInput) as err:
            licensing.create_application(dict(draft, applicant_nik="3314015708900002"))
    assert application["status"] == "draft"
    assert "applicant_nik" in err.value.fields
    assert len(rows(config["DATABASE_URL"], select(Application))) == 1


def test_a_call_to_a_service_that_stopped_answering_is_unavailable_not_a_hang(
    container_factory, service_config
):
    """The registry's queue is there but no one consumes it: licensing's question to it
    gives up after CALL_TIMEOUT and says so, and writes nothing."""
    registry = container_factory(CivilRegistryService, service_config("civil_registry"))
    registry.start()
    registry.stop()  # its durable queue stays: a call is taken and never answered
    config = service_config("licensing", CALL_TIMEOUT=1)
    seed(config["DATABASE_URL"], PERMIT_TYPES)
    container_factory(LicensingService, config).start()
    draft = {
        "permit_type": "NIB",
        "applicant_nik": SITI["nik"],
        "applicant_name": SITI["full_name"],
        "applicant_birth_date": SITI["birth_date"],
    }
    started = time.monotonic()
    with rpc_to("licensing", config, actor=FRONT_DESK) as licensing:
        with pytest.raises(Unavailable, match="civil_registry did not answer within 1 s"):
            licensing.create_application(draft)
    assert time.monotonic() - started < 8
    assert rows(config["DATABASE_URL"], select(Application)) == []


def test_health_reports_database_broker_version_and_uptime(queue):
    with rpc_to("queue", queue) as service:
        report = service.health()
    assert report["status"] == "ok"
    assert report["checks"] == {"database": "ok", "broker": "ok", "outbox": "ok"}
    assert report["version"] and report["uptime_seconds"] >= 0


def test_health_fails_while_events_wait_in_the_outbox_longer_than_a_relay_would(queue):
    """No relay runs here: an event recorded two minutes ago is still waiting."""
    event = envelope("queue", "ticket_cancelled", {"ticket_id": "t-1", "reason": "test"}, None)
    with session_for(queue["DATABASE_URL"]) as session, session.begin():
        session.add(
            QueueOutbox(
                event_id=event["event_id"],
                event_type="ticket_cancelled",
                payload=event,
                headers={},
                created_at=utcnow() - timedelta(minutes=2),
            )
        )
    with rpc_to("queue", queue) as service:
        report = service.health()
    assert report["status"] == "failing"
    assert report["checks"]["outbox"].startswith("behind: 1 events waiting, the oldest for 12")
