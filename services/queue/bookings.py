"""Online bookings of time slots: booked, moved, cancelled, checked in on arrival (as a
ticket placed by its slot time), and swept as no-shows after their grace period."""

import logging
from datetime import timedelta

from nameko.timer import timer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from chassis import calendar
from chassis.actor import CITIZEN, MALL_MANAGER
from chassis.calendar import closed_day
from chassis.errors import Conflict, InvalidInput, NotFound, load
from chassis.service import rpc
from contracts import queue as wire
from contracts import refusals
from contracts.refusals.queue import BOOKING_DAY, ONE_BOOKING, SLOT_FULL
from services.queue import domain
from services.queue.models import (
    Booking,
    DeceasedPerson,
    Holiday,
    OpeningHours,
    ServiceLine,
    SlotLoad,
)

log = logging.getLogger(__name__)
# the refusal of a booking that is no longer booked, by its status
BOOKING_CLOSED = {
    "cancelled": "booking_cancelled",
    "checked_in": "booking_checked_in",
    "no_show": "booking_missed",
}


class Bookings:
    """Bookings of ``QueueService``; a check-in issues its ticket through ``Tickets``."""

    @rpc
    def book(self, payload: dict) -> dict:
        """Book a seat in a time slot: one active booking per citizen, service and day."""
        self.actor.require(CITIZEN)
        data = load(wire.BookingRequest(), payload)
        line = self._line(data["service_code"])
        self._refuse_the_deceased(self.actor.person_id)
        day = domain.service_day(data["starts_at"])
        mine = select(Booking.id).where(
            Booking.person_id == self.actor.person_id,
            Booking.service_code == line.code,
            Booking.day == day,
            Booking.status == "booked",
        )
        if self.db.scalar(mine):
            raise Conflict("booking_exists", {"service_code": [ONE_BOOKING]})
        self._take_seat(line, data["starts_at"])
        booking = Booking(
            code=domain.new_booking_code(),
            created_at=self.clock(),
            service_code=line.code,
            person_id=self.actor.person_id,
            day=day,
            starts_at=data["starts_at"],
        )
        self.db.add(booking)
        try:
            with self.db.begin_nested():
                self.db.flush()
        except IntegrityError:  # a concurrent booking by the same person won the index
            raise Conflict("booking_exists") from None
        self.db.record_event(
            "booking_created",
            {
                "booking_id": booking.id,
                "service_code": line.code,
                "starts_at": booking.starts_at,
                "person_id": booking.person_id,
                "service_name": domain.names_of(line),
            },
        )
        return wire.Booking().dump(booking)

    @rpc
    def open_slots(self, payload: dict) -> list[dict]:
        """The slots of a service on a day that can still be booked, with seats left."""
        data = load(wire.SlotQuery(), payload)
        line = self._line(data["service_code"])
        day = data["day"]
        hours = self.db.get(OpeningHours, day.weekday())
        if hours is None or closed_day(self.db, Holiday, day) is not None:
            return []
        starts = domain.slot_starts(day, (hours.opens, hours.closes), line.slot_minutes)
        now = self.clock()
        taken = dict(
            self.db.execute(
                select(SlotLoad.starts_at, SlotLoad.booked).where(
                    SlotLoad.service_code == line.code, SlotLoad.starts_at.in_(starts)
                )
            ).all()
        )
        return [
            wire.Slot().dump({"starts_at": start, "seats_left": left})
            for start in starts
            if start > now and (left := line.slot_capacity - taken.get(start, 0)) > 0
        ]

    @rpc
    def my_bookings(self) -> list[dict]:
        """The signed-in citizen's bookings, latest slot first."""
        self.actor.require(CITIZEN)
        mine = self.db.scalars(
            select(Booking)
            .where(Booking.person_id == self.actor.person_id)
            .order_by(Booking.starts_at.desc())
        )
        return wire.Booking(many=True).dump(mine)

    @rpc
    def get_booking(self, booking_id: str) -> dict:
        """A booking, to its holder and to the staff of its line's agency (and the mall
        manager); to anyone else it does not exist (404, not 403)."""
        booking = self.db.get(Booking, booking_id)
        if booking is None or not self._may_see_booking(booking):
            raise NotFound("no_booking", booking=booking_id)
        return wire.Booking().dump(booking)

    @rpc
    def cancel_booking(self, booking_id: str) -> dict:
        """The citizen gives up her booking; its seat is free again."""
        booking = self._own_booking(booking_id)
        self._release(booking, "cancelled by the citizen")
        return wire.Booking().dump(booking)

    @rpc
    def reschedule(self, booking_id: str, payload: dict) -> dict:
        """Move a booking to another slot of the same service and day."""
        starts_at = load(wire.Reschedule(), payload)["starts_at"]
        booking = self._own_booking(booking_id)
        if domain.service_day(starts_at) != booking.day:
            raise InvalidInput("reschedule_same_day", {"starts_at": [BOOKING_DAY]})
        line = self._line(booking.service_code)
        self._take_seat(line, starts_at)
        self._seat_count(booking.service_code, booking.starts_at, -1)
        booking.starts_at = starts_at
        # whoever reminds her of the visit moves the reminders with it
        self.db.record_event(
            "booking_rescheduled",
            {
                "booking_id": booking.id,
                "service_code": booking.service_code,
                "starts_at": booking.starts_at,
                "person_id": booking.person_id,
                "service_name": domain.names_of(line),
            },
        )
        return wire.Booking().dump(booking)

    @rpc
    def check_in(self, payload: dict) -> dict:
        """On arrival: the booking code (or its QR) becomes a ticket placed by its slot time."""
        code = load(wire.CheckIn(), payload)["code"]
        booking = self.db.scalar(select(Booking).where(Booking.code == code).with_for_update())
        if booking is None:
            raise NotFound("no_booking_with_code", {"code": ["unknown"]})
        if booking.status != "booked":
            raise Conflict(BOOKING_CLOSED[booking.status], status=booking.status)
        now = self.clock()
        if problem := domain.check_in_problem(booking.starts_at, now):
            code, params = problem
            raise Conflict(code, params=params)
        self._refuse_the_deceased(booking.person_id)
        ticket = self._new_ticket(
            self._line(booking.service_code),
            now,
            "booking",
            booking.person_id,
            arrived_at=booking.starts_at,
        )
        booking.status, booking.ticket_id = "checked_in", ticket.id
        return wire.Ticket().dump(ticket)

    @timer(interval=60)
    def keep_time(self) -> None:
        """Bookings not checked in by the end of their grace period become no-shows."""
        self.sweep_bookings()

    @rpc
    def sweep_bookings(self) -> int:
        """Mark late bookings no-shows (and cancel what the deceased hold); how many."""
        # a booking or ticket made by a request that raced the person_died event (it read
        # no death, the event's handler did not see it yet) is cancelled here, a minute on
        self._cancel_what_the_deceased_hold(select(DeceasedPerson.person_id))
        late = self.clock() - timedelta(minutes=domain.CHECK_IN_GRACE_MINUTES)
        missed = self.db.execute(
            update(Booking)
            .where(Booking.status == "booked", Booking.starts_at < late)
            .values(status="no_show")
            .returning(Booking.id)
        ).all()
        return len(missed)

    def _line(self, service_code: str) -> ServiceLine:
        line = self.db.get(ServiceLine, service_code)
        if line is None:
            raise NotFound("no_service", {"service_code": ["unknown"]}, service=service_code)
        return line

    def _take_seat(self, line: ServiceLine, starts_at) -> None:
        """Book one seat of the slot in one conditional update; 409 when it is full."""
        local = starts_at.astimezone(domain.MALL_TIME)
        hours = self.db.get(OpeningHours, local.weekday())
        holiday = closed_day(self.db, Holiday, local.date())
        if problem := domain.slot_problem(
            starts_at,
            self.clock(),
            (hours.opens, hours.closes) if hours else None,
            calendar.names(holiday) if holiday else None,
            line.slot_minutes,
        ):
            code, params = problem
            raise InvalidInput(code, {"starts_at": [refusals.text(code, params)]}, params)
        if not self._seat_count(line.code, starts_at, +1, capacity=line.slot_capacity):
            raise Conflict("slot_full", {"starts_at": [SLOT_FULL]})

    def _seat_count(
        self, service_code: str, starts_at, change: int, capacity: int | None = None
    ) -> bool:
        """Add ``change`` seats to a slot unless that would pass ``capacity``."""
        condition = [SlotLoad.service_code == service_code, SlotLoad.starts_at == starts_at]
        if capacity is not None:
            condition.append(SlotLoad.booked + change <= capacity)
        statement = update(SlotLoad).where(*condition).values(booked=SlotLoad.booked + change)
        changed = self.db.execute(statement).rowcount
        if changed or change < 0:
            return bool(changed)
        if self.db.get(SlotLoad, (service_code, starts_at)) is not None:
            # full, or its first seat was committed after our UPDATE began (PostgreSQL)
            return bool(self.db.execute(statement).rowcount)
        try:  # first seat of the slot; a concurrent first insert loses on the primary key
            with self.db.begin_nested():
                self.db.add(SlotLoad(service_code=service_code, starts_at=starts_at, booked=change))
            return True
        except IntegrityError:
            return self._seat_count(service_code, starts_at, change, capacity)

    def _may_see_booking(self, booking: Booking) -> bool:
        actor = self.actor
        if actor.is_person(booking.person_id) or actor.role == MALL_MANAGER:
            return True
        return actor.is_staff and actor.agency == self._line(booking.service_code).agency

    def _own_booking(self, booking_id: str) -> Booking:
        booking = self.db.scalar(select(Booking).where(Booking.id == booking_id).with_for_update())
        if booking is None or not self.actor.is_person(booking.person_id):
            raise NotFound("no_booking", booking=booking_id)
        if booking.status != "booked":
            raise Conflict(BOOKING_CLOSED[booking.status], status=booking.status)
        return booking

    def _release(self, booking: Booking, reason: str, closed_day: dict | None = None) -> None:
        booking.status, booking.reason = "cancelled", reason
        self._seat_count(booking.service_code, booking.starts_at, -1)
        cancelled = {"booking_id": booking.id, "reason": reason}
        if closed_day:
            cancelled["closed_day"] = closed_day
        self.db.record_event("booking_cancelled", cancelled)
