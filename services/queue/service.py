"""The counter queue: walk-in tickets per service in daily series, counters that call them.

Call next is decided by the database in one transaction: the counter's row is locked, the
next ticket is picked with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises with
``BEGIN IMMEDIATE``) and moved from waiting to called by a conditional update, and a
partial unique index allows one active ticket per counter.
"""

import logging
import uuid
from datetime import date, timedelta

from marshmallow import ValidationError
from nameko.dependency_providers import Config
from nameko.timer import timer
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from chassis import calendar
from chassis.actor import AGENCY_ADMIN, CITIZEN, COUNTER_OFFICER, MALL_MANAGER
from chassis.calendar import CalendarReplica, closed_day
from chassis.database import Database, utcnow
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, load
from chassis.events import event_handler, idempotent
from chassis.sequences import next_value
from chassis.service import MallService, rpc
from contracts import modules
from contracts import queue as wire
from services.queue import domain
from services.queue.models import (
    Agency,
    Booking,
    Counter,
    CounterRelease,
    DeceasedPerson,
    Holiday,
    OpeningHours,
    OutboxEvent,
    PickupInvitation,
    ProcessedEvent,
    Rating,
    RecordedReply,
    Sequence,
    ServiceLine,
    SlotLoad,
    Ticket,
)

log = logging.getLogger(__name__)
RECENT_SERVICES = 20
ACTIVE = ("called", "serving")
MODULE_SETUP_ATTEMPTS = 3


class QueueService(CalendarReplica, MallService):
    name = "queue"
    calendar_model = Holiday  # no bookings on the mall's closed days
    db = Database(OutboxEvent, ProcessedEvent, RecordedReply)
    config = Config()

    # --- tickets --------------------------------------------------------------------

    @rpc
    def list_service_lines(self) -> list[dict]:
        """Services with a ticket series and how many are waiting now."""
        waiting = dict(
            self.db.execute(
                select(Ticket.service_code, func.count())
                .where(Ticket.status == "waiting", Ticket.day == domain.service_day(utcnow()))
                .group_by(Ticket.service_code)
            ).all()
        )
        lines = self.db.scalars(select(ServiceLine).order_by(ServiceLine.prefix))
        return [
            {
                **wire.ServiceLine(exclude=("waiting",)).dump(line),
                "waiting": waiting.get(line.code, 0),
            }
            for line in lines
        ]

    @rpc
    def issue_ticket(self, payload: dict) -> dict:
        """Hand out the next walk-in ticket of a service's series for today."""
        data = load(wire.TicketIssue(), payload)
        if data["priority"] and not self.actor.is_staff:
            raise Forbidden("priority is marked at the desk", {"priority": ["staff only"]})
        if self.actor.role == CITIZEN:  # a signed-in citizen takes a ticket for herself
            data["person_id"] = self.actor.person_id
        elif not self.actor.is_staff:
            data["person_id"] = None
        line = self.db.get(ServiceLine, data["service_code"])
        if line is None:
            raise NotFound(f"no service {data['service_code']}", {"service_code": ["unknown"]})
        self._refuse_the_deceased(data["person_id"])
        now = utcnow()
        day = domain.service_day(now)
        if line.walk_in_quota is not None:
            issued = self.db.scalar(
                select(func.count()).where(
                    Ticket.service_code == line.code,
                    Ticket.day == day,
                    Ticket.transferred_from.is_(None),
                )
            )
            if issued >= line.walk_in_quota:
                raise Conflict(
                    f"today's {line.walk_in_quota} walk-in tickets are all taken",
                    {"service_code": ["quota reached"]},
                )
        cancel_code = domain.new_cancel_code()
        ticket = self._new_ticket(
            line,
            now,
            data["priority"],
            data["person_id"],
            cancel_code_hash=domain.code_hash(cancel_code),
        )
        log.info("issued %s for %s", ticket.label, line.code)
        return {
            **wire.IssuedTicket(exclude=("cancel_code",)).dump(ticket),
            "cancel_code": cancel_code,
        }

    @rpc
    def cancel_ticket(self, ticket_id: str, payload: dict) -> dict:
        """Give up a waiting ticket: its citizen, signed in, or whoever gives its cancel
        code. A cancelled ticket is never called."""
        code = load(wire.TicketCancellation(), payload)["cancel_code"]
        ticket = self.db.scalar(select(Ticket).where(Ticket.id == ticket_id).with_for_update())
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id}")
        holder = ticket.person_id is not None and self.actor.is_person(ticket.person_id)
        if not holder and not domain.code_matches(code, ticket.cancel_code_hash):
            if ticket.person_id is not None:  # someone else's: not even its existence
                raise NotFound(f"no ticket {ticket_id}")
            raise Forbidden(
                "the cancel code does not match this ticket",
                {"cancel_code": ["give the code printed on the ticket"]},
            )
        if ticket.status != "waiting":
            raise Conflict("only a waiting ticket can be given up", {"status": [ticket.status]})
        reason = "given up by its holder"
        cancelled = self.db.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.status == "waiting")
            .values(status="cancelled", finished_at=utcnow(), outcome=reason)
        ).rowcount
        if cancelled != 1:  # cannot happen under the row lock; never cancel a called ticket
            raise Conflict("the ticket was just called; go to the counter")
        self.db.refresh(ticket)
        self.db.record_event("ticket_cancelled", {"ticket_id": ticket.id, "reason": reason})
        return wire.Ticket().dump(ticket)

    @rpc
    def get_ticket(self, ticket_id: str) -> dict:
        """A ticket, its position in line and the estimated wait.

        A walk-in ticket's id is its claim (it is printed on the paper); a ticket taken
        by a signed-in citizen is hers, and her agency's staff's, alone."""
        ticket = self._visible_ticket(ticket_id)
        place = {
            "ticket": ticket,
            "position": None,
            "estimated_wait_minutes": None,
            "no_counter_open": False,
            "opens_at": None,
        }
        if ticket.status == "waiting":
            position = self._position(ticket)
            open_counters = self._open_counters(ticket.service_code)
            place.update(
                position=position,
                estimated_wait_minutes=domain.estimated_wait_minutes(
                    position, self._recent_service_minutes(ticket.service_code), open_counters
                ),
                no_counter_open=open_counters == 0,
                opens_at=self._next_opening() if open_counters == 0 else None,
            )
        return wire.TicketPlace().dump(place)

    # --- counters -------------------------------------------------------------------

    @rpc
    def list_counters(self) -> list[dict]:
        counters = self.db.scalars(select(Counter).order_by(Counter.number))
        return [self._present_counter(c) for c in counters]

    @rpc
    def open_counter(self, counter_id: str) -> dict:
        """An officer of the counter's agency opens it and is recorded as its officer."""
        counter = self._counter(counter_id, officer_only=False)
        if counter.status == "open" and counter.officer_id != self.actor.id:
            raise Conflict(f"counter {counter.number} is open under another officer")
        if counter.status == "open":
            return self._present_counter(counter)
        held = self._open_counter_of(self.actor.id)
        if held is not None:
            raise Conflict(
                f"you have counter {held.number} open: close it first",
                {"counter_id": ["one open counter per officer"]},
            )
        counter.status, counter.officer_id = "open", self.actor.id
        try:
            with self.db.begin_nested():
                self.db.flush()
        except IntegrityError:  # a concurrent opening by the same officer won the index
            raise Conflict(
                "you have another counter open: close it first",
                {"counter_id": ["one open counter per officer"]},
            ) from None
        return self._present_counter(counter)

    @rpc
    def close_counter(self, counter_id: str) -> dict:
        counter = self._counter(counter_id)
        if self._current(counter) is not None:
            raise Conflict("finish, transfer or mark no-show the current ticket first")
        counter.status, counter.officer_id, counter.priority_streak = "closed", None, 0
        return self._present_counter(counter)

    @rpc
    def release_counter(self, counter_id: str, payload: dict) -> dict:
        """An agency administrator (of the counter's agency) or the mall manager closes a
        counter open under an officer who can't (her account disabled, her role or agency
        changed, gone home). The tickets it held go back in line at their place (they keep
        their arrival time); who, when and why are kept, and an officer opens it again."""
        reason = load(wire.CounterReleaseRequest(), payload)["reason"].strip()
        self.actor.require(AGENCY_ADMIN, MALL_MANAGER)
        counter = self.db.scalar(select(Counter).where(Counter.id == counter_id).with_for_update())
        if counter is None:
            raise NotFound(f"no counter {counter_id}")
        if self.actor.role == AGENCY_ADMIN and self.actor.agency != counter.agency:
            raise Forbidden(f"counter {counter.number} belongs to {counter.agency}")
        if counter.status != "open":
            raise Conflict(f"counter {counter.number} is not open")
        held = self.db.scalars(
            select(Ticket).where(Ticket.counter_id == counter.id, Ticket.status.in_(ACTIVE))
        ).all()
        for ticket in held:
            ticket.status, ticket.counter_id = "waiting", None
            ticket.called_at = ticket.serving_started_at = None
            self.db.record_event(
                "ticket_requeued",
                {"ticket_id": ticket.id, "counter_id": counter.id, "reason": reason},
            )
        release = CounterRelease(
            counter_id=counter.id,
            officer_id=counter.officer_id,
            released_by=self.actor.id,
            released_by_role=self.actor.role,
            reason=reason,
            ticket_ids=[t.id for t in held],
            released_at=utcnow(),
        )
        self.db.add(release)
        counter.status, counter.officer_id, counter.priority_streak = "closed", None, 0
        self.db.flush()
        self.db.record_event(
            "counter_released",
            {
                "counter_id": counter.id,
                "counter_number": counter.number,
                "officer_id": release.officer_id,
                "released_by": release.released_by,
                "released_by_role": release.released_by_role,
                "reason": reason,
                "ticket_ids": release.ticket_ids,
            },
        )
        log.info("counter %s released by %s: %s", counter.number, self.actor.id, reason)
        return wire.CounterReleased().dump(
            {
                "counter": {
                    **wire.Counter(exclude=("current_ticket",)).dump(counter),
                    "current_ticket": None,
                },
                "officer_id": release.officer_id,
                "released_by": release.released_by,
                "reason": reason,
                "requeued_ticket_ids": release.ticket_ids,
                "released_at": release.released_at,
            }
        )

    @rpc
    def call_next(self, counter_id: str) -> dict:
        """Call the next ticket to this counter (priority first, with the fairness rule)."""
        counter = self._counter(counter_id)
        if self._current(counter) is not None:
            raise Conflict("finish, transfer or mark no-show the current ticket first")
        ticket = self._pick_next(counter)
        if ticket is None:
            raise NotFound("nobody is waiting for this counter's services")
        now = utcnow()
        claimed = self.db.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.status == "waiting")
            .values(status="called", counter_id=counter.id, called_at=now, calls=1)
        ).rowcount
        if claimed != 1:  # cannot happen under the row lock; refuse rather than double-call
            raise Conflict("the ticket was taken by another counter; call again")
        self.db.refresh(ticket)
        counter.priority_streak = domain.next_streak(
            counter.priority_streak, ticket.priority is not None
        )
        self._announce(ticket, counter, recall=False)
        return wire.Ticket().dump(ticket)

    @rpc
    def recall(self, counter_id: str) -> dict:
        """Call the current ticket again."""
        counter = self._counter(counter_id)
        ticket = self._current_in(counter, ("called",))
        ticket.calls += 1
        self._announce(ticket, counter, recall=True)
        return wire.Ticket().dump(ticket)

    @rpc
    def start_service(self, counter_id: str) -> dict:
        """The called citizen has arrived at the counter."""
        counter = self._counter(counter_id)
        ticket = self._current_in(counter, ("called",))
        ticket.status, ticket.serving_started_at = "serving", utcnow()
        return wire.Ticket().dump(ticket)

    @rpc
    def no_show(self, counter_id: str) -> dict:
        """The called citizen did not come."""
        counter = self._counter(counter_id)
        ticket = self._current_in(counter, ("called",))
        return self._complete(ticket, "no_show", None)

    @rpc
    def finish(self, counter_id: str, payload: dict) -> dict:
        """The service is done, with an outcome."""
        outcome = load(wire.Finish(), payload)["outcome"]
        counter = self._counter(counter_id)
        ticket = self._current_in(counter)
        if ticket.serving_started_at is None:
            ticket.serving_started_at = ticket.called_at
        return self._complete(ticket, "done", outcome)

    @rpc
    def transfer(self, counter_id: str, payload: dict) -> dict:
        """Send the current ticket to another service or counter; it keeps its arrival time."""
        data = load(wire.Transfer(), payload)
        if bool(data["to_service"]) == bool(data["to_counter"]):
            raise InvalidInput(
                "give to_service or to_counter",
                {"to_service": ["give exactly one of to_service, to_counter"]},
            )
        counter = self._counter(counter_id)
        ticket = self._current_in(counter)
        if data["to_counter"]:
            target = self.db.get(Counter, data["to_counter"])
            if target is None:
                raise NotFound("no such counter", {"to_counter": ["unknown"]})
            service = (
                ticket.service_code
                if ticket.service_code in target.services
                else target.services[0]
            )
        else:
            target, service = None, data["to_service"]
        line = self.db.get(ServiceLine, service)
        if line is None:
            raise NotFound("no such service", {"to_service": ["unknown"]})
        self._complete(ticket, "transferred", f"to {target.id if target else service}")
        moved = self._new_ticket(
            line,
            utcnow(),
            ticket.priority,
            ticket.person_id,
            arrived_at=ticket.arrived_at,
            transferred_from=ticket.id,
            cancel_code_hash=ticket.cancel_code_hash,  # the paper she holds still works
            reserved_counter_id=target.id if target else None,
        )
        return wire.Ticket().dump(moved)

    @rpc
    def recent_calls(self, limit: int = 10) -> list[dict]:
        """The latest calls for the display board, newest first."""
        rows = self.db.execute(
            select(Ticket, Counter.number)
            .join(Counter, Counter.id == Ticket.counter_id)
            .where(Ticket.called_at.is_not(None), Ticket.day == domain.service_day(utcnow()))
            .order_by(Ticket.called_at.desc())
            .limit(min(max(int(limit), 1), 50))
        ).all()
        return wire.Call(many=True).dump(
            [
                {
                    "ticket_id": t.id,
                    "label": t.label,
                    "counter_number": number,
                    "service_code": t.service_code,
                    "called_at": t.called_at,
                    "recall": t.calls > 1,
                }
                for t, number in rows
            ]
        )

    # --- online bookings --------------------------------------------------------------

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
            raise Conflict(
                "you already have a booking for this service that day",
                {"service_code": ["one booking per service per day"]},
            )
        self._take_seat(line, data["starts_at"])
        booking = Booking(
            code=domain.new_booking_code(),
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
            raise Conflict("you already have a booking for this service that day") from None
        self.db.record_event(
            "booking_created",
            {
                "booking_id": booking.id,
                "service_code": line.code,
                "starts_at": booking.starts_at,
                "person_id": booking.person_id,
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
        now = utcnow()
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
        self.actor.require(CITIZEN)
        mine = self.db.scalars(
            select(Booking)
            .where(Booking.person_id == self.actor.person_id)
            .order_by(Booking.starts_at.desc())
        )
        return wire.Booking(many=True).dump(mine)

    @rpc
    def cancel_booking(self, booking_id: str) -> dict:
        booking = self._own_booking(booking_id)
        self._release(booking, "cancelled by the citizen")
        return wire.Booking().dump(booking)

    @rpc
    def reschedule(self, booking_id: str, payload: dict) -> dict:
        """Move a booking to another slot of the same service and day."""
        starts_at = load(wire.Reschedule(), payload)["starts_at"]
        booking = self._own_booking(booking_id)
        if domain.service_day(starts_at) != booking.day:
            raise InvalidInput(
                "reschedule within the same day, or cancel and book again",
                {"starts_at": ["must be on the booking's day"]},
            )
        self._take_seat(self._line(booking.service_code), starts_at)
        self._seat_count(booking.service_code, booking.starts_at, -1)
        booking.starts_at = starts_at
        return wire.Booking().dump(booking)

    @rpc
    def check_in(self, payload: dict) -> dict:
        """On arrival: the booking code (or its QR) becomes a ticket placed by its slot time."""
        code = load(wire.CheckIn(), payload)["code"]
        booking = self.db.scalar(select(Booking).where(Booking.code == code).with_for_update())
        if booking is None:
            raise NotFound("no booking with this code", {"code": ["unknown"]})
        if booking.status != "booked":
            raise Conflict(f"the booking is {booking.status}")
        if problem := domain.check_in_problem(booking.starts_at, utcnow()):
            raise Conflict(problem)
        self._refuse_the_deceased(booking.person_id)
        ticket = self._new_ticket(
            self._line(booking.service_code),
            utcnow(),
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
        # a booking or ticket made by a request that raced the person_died event (it read
        # no death, the event's handler did not see it yet) is cancelled here, a minute on
        self._cancel_what_the_deceased_hold(select(DeceasedPerson.person_id))
        late = utcnow() - timedelta(minutes=domain.CHECK_IN_GRACE_MINUTES)
        missed = self.db.execute(
            update(Booking)
            .where(Booking.status == "booked", Booking.starts_at < late)
            .values(status="no_show")
            .returning(Booking.id)
        ).all()
        return len(missed)

    # --- satisfaction and statistics --------------------------------------------------

    @rpc
    def rate(self, ticket_id: str, payload: dict) -> dict:
        """The SKM survey for a finished service, once per ticket."""
        elements = load(wire.RatingRequest(), payload)["elements"]
        ticket = self._visible_ticket(ticket_id)
        if ticket.status != "done":
            raise Conflict("only a finished service is rated")
        if self.db.get(Rating, ticket.id):
            raise Conflict("this service is already rated")
        counter = self.db.get(Counter, ticket.counter_id)
        index = domain.skm_index([elements])
        self.db.add(
            Rating(
                ticket_id=ticket.id,
                service_code=ticket.service_code,
                counter_id=ticket.counter_id,
                agency=counter.agency if counter else None,
                elements=elements,
                index_value=index,
            )
        )
        self.db.record_event(
            "rating_submitted",
            {"ticket_id": ticket.id, "service_code": ticket.service_code, "index": index},
        )
        return {"ticket_id": ticket.id, "index": index, "grade": domain.skm_grade(index)}

    @rpc
    def satisfaction(self, scope: str, key: str) -> dict:
        """The SKM index (25-100) of a service, a counter or an agency."""
        column = {
            "service": Rating.service_code,
            "counter": Rating.counter_id,
            "agency": Rating.agency,
        }.get(scope)
        if column is None:
            raise InvalidInput("unknown scope", {"scope": ["service, counter or agency"]})
        ratings = self.db.scalars(select(Rating.elements).where(column == key)).all()
        index = domain.skm_index(list(ratings))
        return {
            "scope": scope,
            "key": key,
            "responses": len(ratings),
            "index": index,
            "grade": domain.skm_grade(index) if index is not None else None,
        }

    @rpc
    def daily_statistics(self, day: str | None = None) -> dict:
        """Per service and counter: issued, served, no-shows, wait and service minutes."""
        if self.actor.role not in (MALL_MANAGER, COUNTER_OFFICER, "agency_admin"):
            raise Forbidden("staff only")
        asked = load(wire.DailyStatisticsQuery(), {"day": day} if day else {})["day"]
        tickets = self.db.scalars(
            select(Ticket).where(Ticket.day == (asked or domain.service_day(utcnow())))
        ).all()
        return {
            "services": _statistics(tickets, lambda t: t.service_code),
            "counters": _statistics([t for t in tickets if t.counter_id], lambda t: t.counter_id),
        }

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

    @event_handler(modules.SOURCE, "module_announced")
    def on_module_announced(self, event: dict) -> None:
        """An agency module's services get ticket series and its agency counters.

        Announcements come every few seconds: this is a reconciliation, idempotent and
        without a write when nothing changed (so no inbox row either). A concurrent
        set-up (another instance, another module of the agency) loses on a unique key
        and is redone over what the winner committed."""
        try:
            manifest = modules.ModuleAnnounced().load(event["data"])["manifest"]
        except ValidationError as err:  # retrying would not mend it; the next one may
            log.error("ignored a malformed module announcement: %s", err.messages)
            return
        lines = domain.module_lines(manifest)
        if not lines:
            return
        for attempt in range(1, MODULE_SETUP_ATTEMPTS + 1):
            try:
                with self.db.begin_nested():
                    self._set_up_module(manifest["module"], manifest["agency"], lines)
                return
            except IntegrityError:
                if attempt == MODULE_SETUP_ATTEMPTS:
                    raise
                log.info("set-up of module %s raced another; again", manifest["module"])

    # --- helpers ----------------------------------------------------------------------

    def _set_up_module(self, module: str, agency: dict, lines: list[dict]) -> None:
        """Upsert the agency and the module's lines; open or extend counters as needed."""
        # the agency's row lock orders concurrent set-ups of its counters (PostgreSQL)
        known = self.db.scalar(
            select(Agency).where(Agency.code == agency["code"]).with_for_update()
        )
        if known is None:
            self.db.add(
                Agency(code=agency["code"], name_id=agency["name_id"], name_en=agency["name_en"])
            )
            self.db.flush()
        elif (known.name_id, known.name_en) != (agency["name_id"], agency["name_en"]):
            known.name_id, known.name_en = agency["name_id"], agency["name_en"]
        codes = [line["code"] for line in lines]
        existing = {
            line.code: line
            for line in self.db.scalars(select(ServiceLine).where(ServiceLine.code.in_(codes)))
        }
        owners = dict(
            self.db.execute(
                select(ServiceLine.prefix, ServiceLine.code).where(
                    ServiceLine.prefix.in_([line["prefix"] for line in lines])
                )
            ).all()
        )
        wanted, created = {}, set()
        for spec in lines:
            code, prefix = spec["code"], spec["prefix"]
            owner = owners.get(prefix)
            line = existing.get(code)
            if owner not in (None, code):
                log.warning(
                    "module %s: prefix %s of %s is taken by %s", module, prefix, code, owner
                )
                if line is None:
                    continue  # no series for this service until the prefix is free
                prefix = line.prefix  # keep the series it has
            names = (spec["name_id"], spec["name_en"], agency["code"], prefix)
            if line is None:
                line = ServiceLine(code=code, name_id=names[0], name_en=names[1])
                line.agency, line.prefix = names[2], names[3]
                self.db.add(line)
                created.add(code)
                log.info("module %s: ticket series %s for %s", module, prefix, code)
            elif (line.name_id, line.name_en, line.agency, line.prefix) != names:
                line.name_id, line.name_en, line.agency, line.prefix = names
            owners[prefix] = code
            wanted[code] = spec["counters"]
        self.db.flush()
        if not wanted:
            return
        counters = self.db.scalars(
            select(Counter).where(Counter.agency == agency["code"]).order_by(Counter.number)
        ).all()
        serve, opened = domain.counter_plan([list(c.services) for c in counters], wanted, created)
        for counter, services in zip(counters, serve, strict=True):
            if services != counter.services:
                counter.services = services
        for services in opened:
            number = (self.db.scalar(select(func.max(Counter.number))) or 0) + 1
            counter_id = f"loket-{number}"
            if self.db.get(Counter, counter_id) is not None:
                counter_id = f"loket-{number}-{uuid.uuid4().hex[:6]}"
            self.db.add(
                Counter(id=counter_id, number=number, agency=agency["code"], services=services)
            )
            self.db.flush()  # the unique number decides between concurrent set-ups
            log.info("module %s: counter %s opened for %s", module, number, services)

    def _new_ticket(self, line: ServiceLine, now, priority, person_id, **extra) -> Ticket:
        day = domain.service_day(now)
        number = next_value(self.db, Sequence, f"ticket:{line.code}:{day}")
        ticket = Ticket(
            service_code=line.code,
            day=day,
            number=number,
            label=domain.ticket_label(line.prefix, number),
            priority=priority,
            person_id=person_id,
            issued_at=now,
            **{"arrived_at": now, **extra},
        )
        self.db.add(ticket)
        self.db.flush()
        self.db.record_event(
            "ticket_issued",
            {"ticket_id": ticket.id, "label": ticket.label, "service_code": line.code},
        )
        return ticket

    def _line(self, service_code: str) -> ServiceLine:
        line = self.db.get(ServiceLine, service_code)
        if line is None:
            raise NotFound(f"no service {service_code}", {"service_code": ["unknown"]})
        return line

    def _take_seat(self, line: ServiceLine, starts_at) -> None:
        """Book one seat of the slot in one conditional update; 409 when it is full."""
        local = starts_at.astimezone(domain.MALL_TIME)
        hours = self.db.get(OpeningHours, local.weekday())
        holiday = closed_day(self.db, Holiday, local.date())
        if problem := domain.slot_problem(
            starts_at,
            utcnow(),
            (hours.opens, hours.closes) if hours else None,
            calendar.names(holiday) if holiday else None,
            line.slot_minutes,
        ):
            raise InvalidInput(problem, {"starts_at": [problem]})
        if not self._seat_count(line.code, starts_at, +1, capacity=line.slot_capacity):
            raise Conflict("slot full: choose another time", {"starts_at": ["slot full"]})

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

    def _cancel_what_the_deceased_hold(self, people) -> None:
        """Cancel the waiting tickets and the bookings of ``people`` (person ids, or a
        query of them)."""
        waiting = self.db.scalars(
            select(Ticket).where(Ticket.person_id.in_(people), Ticket.status == "waiting")
        ).all()
        for ticket in waiting:
            ticket.status, ticket.finished_at = "cancelled", utcnow()
            self.db.record_event(
                "ticket_cancelled", {"ticket_id": ticket.id, "reason": "holder deceased"}
            )
        booked = self.db.scalars(
            select(Booking).where(Booking.person_id.in_(people), Booking.status == "booked")
        ).all()
        for booking in booked:
            self._release(booking, "holder deceased")

    def _refuse_the_deceased(self, person_id: str | None) -> None:
        if person_id is not None and self.db.get(DeceasedPerson, person_id) is not None:
            raise Conflict(
                "this person is recorded as deceased: nothing is booked or issued in her name",
                {"person_id": ["deceased"]},
            )

    def _own_booking(self, booking_id: str) -> Booking:
        booking = self.db.scalar(select(Booking).where(Booking.id == booking_id).with_for_update())
        if booking is None or not self.actor.is_person(booking.person_id):
            raise NotFound(f"no booking {booking_id}")
        if booking.status != "booked":
            raise Conflict(f"the booking is {booking.status}")
        return booking

    def _release(self, booking: Booking, reason: str) -> None:
        booking.status, booking.reason = "cancelled", reason
        self._seat_count(booking.service_code, booking.starts_at, -1)
        self.db.record_event("booking_cancelled", {"booking_id": booking.id, "reason": reason})

    def _ticket(self, ticket_id: str) -> Ticket:
        ticket = self.db.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id}")
        return ticket

    def _visible_ticket(self, ticket_id: str) -> Ticket:
        ticket = self._ticket(ticket_id)
        actor = self.actor
        if ticket.person_id is None or actor.is_person(ticket.person_id):
            return ticket
        if actor.role == MALL_MANAGER or (
            actor.is_staff and actor.agency == self.db.get(ServiceLine, ticket.service_code).agency
        ):
            return ticket
        raise NotFound(f"no ticket {ticket_id}")

    def _counter(self, counter_id: str, officer_only: bool = True) -> Counter:
        """The counter, locked for this transaction, if the actor may work it."""
        counter = self.db.scalar(select(Counter).where(Counter.id == counter_id).with_for_update())
        if counter is None:
            raise NotFound(f"no counter {counter_id}")
        self.actor.require(COUNTER_OFFICER)
        if self.actor.agency != counter.agency:
            raise Forbidden(f"counter {counter.number} belongs to {counter.agency}")
        if officer_only and (counter.status != "open" or counter.officer_id != self.actor.id):
            raise Conflict(f"counter {counter.number} is not open under this officer")
        return counter

    def _open_counter_of(self, officer_id: str) -> Counter | None:
        return self.db.scalar(
            select(Counter).where(Counter.status == "open", Counter.officer_id == officer_id)
        )

    def _current(self, counter: Counter) -> Ticket | None:
        """The ticket called to or being served at the counter, if any."""
        return self.db.scalar(
            select(Ticket).where(Ticket.counter_id == counter.id, Ticket.status.in_(ACTIVE))
        )

    def _current_in(self, counter: Counter, statuses: tuple[str, ...] = ACTIVE) -> Ticket:
        ticket = self._current(counter)
        if ticket is None:
            raise Conflict(f"counter {counter.number} has no current ticket")
        if ticket.status not in statuses:
            raise Conflict(f"the current ticket {ticket.label} is {ticket.status}")
        return ticket

    def _pick_next(self, counter: Counter) -> Ticket | None:
        """The next ticket by the fairness rule, in at most two index-ordered picks.

        Each pick is ordered by arrival only, so the database walks ``ix_tickets_waiting``
        and stops at the first row instead of sorting the whole line.
        """
        now = utcnow()
        waiting = [
            Ticket.status == "waiting",
            Ticket.day == domain.service_day(now),
            Ticket.service_code.in_(counter.services),
            or_(Ticket.reserved_counter_id.is_(None), Ticket.reserved_counter_id == counter.id),
        ]
        if domain.priority_first(counter.priority_streak):
            preferred = and_(Ticket.priority.is_not(None), Ticket.arrived_at <= now)
        else:
            preferred = Ticket.priority.is_(None)
        return self._first_waiting(*waiting, preferred) or self._first_waiting(*waiting)

    def _first_waiting(self, *conditions) -> Ticket | None:
        return self.db.scalar(
            select(Ticket)
            .where(*conditions)
            .order_by(Ticket.arrived_at, Ticket.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )

    def _announce(self, ticket: Ticket, counter: Counter, recall: bool) -> None:
        self.db.record_event(
            "ticket_called",
            {
                "ticket_id": ticket.id,
                "label": ticket.label,
                "counter_number": counter.number,
                "service_code": ticket.service_code,
                "recall": recall,
            },
        )

    def _complete(self, ticket: Ticket, status: str, outcome: str | None) -> dict:
        ticket.status, ticket.finished_at, ticket.outcome = status, utcnow(), outcome
        self.db.record_event(
            "ticket_completed",
            {
                "ticket_id": ticket.id,
                "status": status,
                "counter_id": ticket.counter_id,
                "outcome": outcome,
            },
        )
        return wire.Ticket().dump(ticket)

    def _position(self, ticket: Ticket) -> int:
        ahead = self.db.scalar(
            select(func.count()).where(
                Ticket.status == "waiting",
                Ticket.service_code == ticket.service_code,
                Ticket.day == ticket.day,
                or_(
                    Ticket.arrived_at < ticket.arrived_at,
                    (Ticket.arrived_at == ticket.arrived_at) & (Ticket.id < ticket.id),
                ),
            )
        )
        return ahead + 1

    def _recent_service_minutes(self, service_code: str) -> list[float]:
        recent = self.db.execute(
            select(Ticket.serving_started_at, Ticket.finished_at)
            .where(
                Ticket.service_code == service_code,
                Ticket.status == "done",
                Ticket.serving_started_at.is_not(None),
            )
            .order_by(Ticket.finished_at.desc())
            .limit(RECENT_SERVICES)
        ).all()
        return [(end - start).total_seconds() / 60 for start, end in recent]

    def _open_counters(self, service_code: str) -> int:
        counters = self.db.scalars(select(Counter).where(Counter.status == "open")).all()
        return sum(service_code in c.services for c in counters)

    def _next_opening(self):
        now = utcnow()
        hours = {h.weekday: (h.opens, h.closes) for h in self.db.scalars(select(OpeningHours))}
        first = domain.service_day(now)
        last = first + timedelta(days=domain.OPENING_HORIZON_DAYS)
        return domain.next_opening(now, hours, calendar.closed_days(self.db, Holiday, first, last))

    def _present_counter(self, counter: Counter) -> dict:
        current = self.db.scalar(
            select(Ticket).where(
                Ticket.counter_id == counter.id, Ticket.status.in_(("called", "serving"))
            )
        )
        return wire.Counter().dump(
            {**wire.Counter(exclude=("current_ticket",)).dump(counter), "current_ticket": current}
        )


def _statistics(tickets: list, key) -> dict:
    groups: dict[str, list] = {}
    for ticket in tickets:
        groups.setdefault(key(ticket), []).append(ticket)
    report = {}
    for name, group in sorted(groups.items()):
        waits = [(t.called_at - t.arrived_at).total_seconds() / 60 for t in group if t.called_at]
        services = [
            (t.finished_at - t.serving_started_at).total_seconds() / 60
            for t in group
            if t.status == "done" and t.serving_started_at
        ]
        wait_median, wait_p90 = domain.median_and_p90(waits)
        service_median, service_p90 = domain.median_and_p90(services)
        report[name] = {
            "issued": len(group),
            "served": sum(t.status == "done" for t in group),
            "no_show": sum(t.status == "no_show" for t in group),
            "waiting": sum(t.status == "waiting" for t in group),
            "wait_minutes_median": wait_median,
            "wait_minutes_p90": wait_p90,
            "service_minutes_median": service_median,
            "service_minutes_p90": service_p90,
        }
    return report
