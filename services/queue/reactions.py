"""What the queue does on other services' facts: a death cancels what the deceased holds,
an issued permit collected in person invites its holder to book a pick-up, a day the mall
closes after it was booked cancels its bookings."""

from datetime import date

from sqlalchemy import select

from chassis.calendar import names
from chassis.events import event_handler, idempotent
from services.queue import domain
from services.queue.models import Booking, DeceasedPerson, PickupInvitation, Ticket


class Reactions:
    """Event handlers of ``QueueService``; bookings are released by ``Bookings``."""

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event: dict) -> None:
        """A deceased person's waiting tickets and future bookings are cancelled, and she is
        kept in ``deceased_persons`` so that nothing new is booked or issued in her name."""
        person_id = event["data"]["person_id"]
        if self.db.get(DeceasedPerson, person_id) is None:  # another event of the same death
            died_on = event["data"].get("died_on")
            self.db.add(
                DeceasedPerson(
                    person_id=person_id, died_on=date.fromisoformat(died_on) if died_on else None
                )
            )
        self._cancel_what_the_deceased_hold([person_id])

    @event_handler("licensing", "permit_issued")
    @idempotent
    def on_permit_issued(self, event: dict) -> None:
        """Permits collected in person: invite the holder to book a pick-up slot."""
        data = event["data"]
        if data["permit_type"] not in (self.config.get("PICKUP_PERMIT_TYPES") or []):
            return
        self.db.add(
            PickupInvitation(
                permit_id=data["permit_id"],
                person_id=data["holder_id"],
                permit_number=data["number"],
            )
        )
        self.db.record_event(
            "pickup_invited",
            {
                "person_id": data["holder_id"],
                "permit_id": data["permit_id"],
                "permit_number": data["number"],
            },
        )

    def day_closed(self, entry) -> None:
        """The mall closes on a day after bookings were made for it (a holiday added late):
        they are cancelled, their seats freed, and each holder is told why."""
        booked = self.db.scalars(
            select(Booking)
            .where(Booking.day == entry.day, Booking.status == "booked")
            .with_for_update()
        ).all()
        closed = {"id": entry.name_id, "en": entry.name_en or entry.name_id}
        for booking in booked:
            self._release(booking, f"the mall is closed on {entry.day}: {names(entry)}", closed)

    def _cancel_what_the_deceased_hold(self, people) -> None:
        """Cancel the waiting tickets and the bookings of ``people`` (person ids, or a
        query of them)."""
        waiting = self.db.scalars(
            select(Ticket).where(
                Ticket.person_id.in_(people), Ticket.status.in_(domain.sources_of("cancel"))
            )
        ).all()
        for ticket in waiting:
            ticket.status = domain.next_status(ticket.status, "cancel")
            ticket.finished_at = self.clock()
            self.db.record_event(
                "ticket_cancelled", {"ticket_id": ticket.id, "reason": "holder deceased"}
            )
        booked = self.db.scalars(
            select(Booking).where(Booking.person_id.in_(people), Booking.status == "booked")
        ).all()
        for booking in booked:
            self._release(booking, "holder deceased")
