"""Events cross services for real: outbox -> relay process -> RabbitMQ -> idempotent handler."""

import pytest
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select

from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.civil_registry.models import OutboxEvent as RegistryOutbox
from services.civil_registry.service import CivilRegistryService
from services.licensing.models import Application
from services.licensing.service import LicensingService
from services.queue.models import OutboxEvent as QueueOutbox
from services.queue.models import ProcessedEvent, Ticket
from services.queue.service import QueueService
from tests.integration.helpers import FRONT_DESK, publish_event, rows, rpc_to
from tests.polling import eventually

BUDI = {
    "nik": "3314010203850002",
    "full_name": "Budi Santoso",
    "birth_date": "1985-03-02",
    "sex": "M",
}


@pytest.fixture
def mall(container_factory, service_config, relay_process):
    """The three services, each with its own database, and the registry's relay."""
    configs = {name: service_config(name) for name in ("civil_registry", "queue", "licensing")}
    seed(configs["queue"]["DATABASE_URL"], QUEUE_SETUP)
    seed(configs["licensing"]["DATABASE_URL"], PERMIT_TYPES)
    relay_process("civil_registry", configs["civil_registry"])
    configs["containers"] = {}
    for cls in (CivilRegistryService, QueueService, LicensingService):
        configs["containers"][cls.name] = container_factory(cls, configs[cls.name])
        configs["containers"][cls.name].start()
    return configs


def cancelled_tickets(config) -> list:
    return rows(config["DATABASE_URL"], select(Ticket).where(Ticket.status == "cancelled"))


def test_a_death_cancels_tickets_and_withdraws_applications_in_other_services(mall):
    with rpc_to("civil_registry", mall["civil_registry"]) as registry:
        budi = registry.register_resident(BUDI)
    with rpc_to("queue", mall["queue"]) as queue:
        ticket = queue.issue_ticket({"service_code": "population", "person_id": budi["id"]})
        other = queue.issue_ticket({"service_code": "population"})
    with rpc_to("licensing", mall["licensing"], actor=FRONT_DESK) as licensing:
        application = licensing.create_application(
            {
                "permit_type": "NIB",
                "applicant_nik": BUDI["nik"],
                "applicant_name": BUDI["full_name"],
                "applicant_birth_date": BUDI["birth_date"],
            }
        )
    with rpc_to("civil_registry", mall["civil_registry"], correlation_id="req-death-1") as reg:
        reg.register_death({"resident_id": budi["id"], "died_on": "2026-11-20"})

    assert [t.id for t in eventually(lambda: cancelled_tickets(mall["queue"]))] == [ticket["id"]]
    withdrawn = eventually(
        lambda: rows(
            mall["licensing"]["DATABASE_URL"],
            select(Application).where(Application.status == "withdrawn"),
        )
    )
    assert [a.id for a in withdrawn] == [application["id"]]
    assert withdrawn[0].closed_reason == "applicant deceased"
    waiting = rows(mall["queue"]["DATABASE_URL"], select(Ticket).where(Ticket.id == other["id"]))
    assert waiting[0].status == "waiting"
    # the request's correlation id travelled: registry outbox -> queue handler -> queue outbox
    cancelled = rows(
        mall["queue"]["DATABASE_URL"],
        select(QueueOutbox).where(QueueOutbox.event_type == "ticket_cancelled"),
    )
    assert [e.payload["correlation_id"] for e in cancelled] == ["req-death-1"]


def test_an_event_delivered_twice_has_one_effect(mall):
    with rpc_to("civil_registry", mall["civil_registry"]) as registry:
        budi = registry.register_resident(BUDI)
        with rpc_to("queue", mall["queue"]) as queue:
            queue.issue_ticket({"service_code": "population", "person_id": budi["id"]})
        registry.register_death({"resident_id": budi["id"], "died_on": "2026-11-20"})
    eventually(lambda: cancelled_tickets(mall["queue"]))
    died = rows(
        mall["civil_registry"]["DATABASE_URL"],
        select(RegistryOutbox).where(RegistryOutbox.event_type == "person_died"),
    )[0]

    # RabbitMQ delivers it again (say the relay crashed before marking it sent).
    with entrypoint_waiter(mall["containers"]["queue"], "on_person_died"):
        publish_event(mall["queue"], died.payload)

    handled = rows(mall["queue"]["DATABASE_URL"], select(ProcessedEvent))
    assert [(e.event_id, e.handler) for e in handled] == [
        (died.event_id, "QueueService.on_person_died")
    ]
    cancellations = rows(
        mall["queue"]["DATABASE_URL"],
        select(QueueOutbox).where(QueueOutbox.event_type == "ticket_cancelled"),
    )
    assert len(cancellations) == 1
