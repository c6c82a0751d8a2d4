"""The counter queue: walk-in tickets per service, numbered in daily series."""

import logging

from sqlalchemy import select

from chassis.database import Database, utcnow
from chassis.errors import NotFound, load
from chassis.events import event_handler, idempotent
from chassis.sequences import next_value
from chassis.service import MallService, rpc
from contracts import queue as wire
from services.queue.domain import service_day, ticket_label
from services.queue.models import OutboxEvent, ProcessedEvent, Sequence, ServiceLine, Ticket

log = logging.getLogger(__name__)


class QueueService(MallService):
    name = "queue"
    db = Database(OutboxEvent, ProcessedEvent)

    @rpc
    def list_service_lines(self) -> list[dict]:
        """Services with a ticket series, for the front desk and the catalog."""
        lines = self.db.scalars(select(ServiceLine).order_by(ServiceLine.prefix))
        return wire.ServiceLine(many=True).dump(lines)

    @rpc
    def issue_ticket(self, payload: dict) -> dict:
        """Hand out the next walk-in ticket of a service's series for today."""
        data = load(wire.TicketRequest(), payload)
        line = self.db.get(ServiceLine, data["service_code"])
        if line is None:
            raise NotFound(f"no service {data['service_code']}", {"service_code": ["unknown"]})
        now = utcnow()
        day = service_day(now)
        number = next_value(self.db, Sequence, f"ticket:{line.code}:{day}")
        ticket = Ticket(
            service_code=line.code,
            day=day,
            number=number,
            label=ticket_label(line.prefix, number),
            person_id=data["person_id"],
            issued_at=now,
        )
        self.db.add(ticket)
        self.db.flush()
        self.db.record_event(
            "ticket_issued",
            {"ticket_id": ticket.id, "label": ticket.label, "service_code": line.code},
        )
        log.info("issued %s for %s", ticket.label, line.code)
        return wire.Ticket().dump(ticket)

    @rpc
    def get_ticket(self, ticket_id: str) -> dict:
        """One ticket and its state."""
        ticket = self.db.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id}")
        return wire.Ticket().dump(ticket)

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event: dict) -> None:
        """A deceased person's waiting tickets are cancelled."""
        waiting = self.db.scalars(
            select(Ticket).where(
                Ticket.person_id == event["data"]["person_id"], Ticket.status == "waiting"
            )
        ).all()
        for ticket in waiting:
            ticket.status = "cancelled"
            self.db.record_event(
                "ticket_cancelled", {"ticket_id": ticket.id, "reason": "holder deceased"}
            )
