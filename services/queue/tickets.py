"""Walk-in tickets: issued in a daily series per service, given up with their code, and
read back with their place in line and the estimated wait."""

import logging
from datetime import date, timedelta

from sqlalchemy import func, or_, select, update

from chassis import calendar
from chassis.actor import CITIZEN, MALL_MANAGER
from chassis.errors import Conflict, Forbidden, NotFound, load
from chassis.sequences import next_value
from chassis.service import rpc
from contracts import queue as wire
from contracts.refusals.queue import CANCEL_CODE, DECEASED, QUOTA_REACHED, STAFF_ONLY
from services.queue import domain
from services.queue.models import (
    Counter,
    DeceasedPerson,
    Holiday,
    OpeningHours,
    Rating,
    Sequence,
    ServiceLine,
    Ticket,
)

log = logging.getLogger(__name__)
RECENT_SERVICES = 20  # finished services whose median estimates the wait
# a line's order, as her ticket's page counts its position: arrival, then id
LINE_ORDER = (Ticket.arrived_at, Ticket.id)


def in_line(service_code: str, day: date) -> tuple:
    """The conditions of the tickets waiting in a service's line of a day."""
    return (Ticket.status == "waiting", Ticket.service_code == service_code, Ticket.day == day)


def ahead_of(ticket: Ticket):
    """The condition of the tickets before ``ticket`` in ``LINE_ORDER``."""
    return or_(
        Ticket.arrived_at < ticket.arrived_at,
        (Ticket.arrived_at == ticket.arrived_at) & (Ticket.id < ticket.id),
    )


class Tickets:
    """Walk-in tickets of ``QueueService`` (which gives ``db``, ``actor``, ``clock``)."""

    @rpc
    def list_service_lines(self) -> list[dict]:
        """Services with a ticket series and how many are waiting now."""
        waiting = dict(
            self.db.execute(
                select(Ticket.service_code, func.count())
                .where(Ticket.status == "waiting", Ticket.day == domain.service_day(self.clock()))
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
            raise Forbidden("priority_at_the_desk", {"priority": [STAFF_ONLY]})
        if self.actor.role == CITIZEN:  # a signed-in citizen takes a ticket for herself
            data["person_id"] = self.actor.person_id
        elif not self.actor.is_staff:
            data["person_id"] = None
        line = self.db.get(ServiceLine, data["service_code"])
        if line is None:
            raise NotFound(
                "no_service", {"service_code": ["unknown"]}, service=data["service_code"]
            )
        self._refuse_the_deceased(data["person_id"])
        now = self.clock()
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
                    "walk_in_quota_reached",
                    {"service_code": [QUOTA_REACHED]},
                    quota=line.walk_in_quota,
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
            raise NotFound("no_ticket", ticket=ticket_id)
        holder = ticket.person_id is not None and self.actor.is_person(ticket.person_id)
        if not holder and not domain.code_matches(code, ticket.cancel_code_hash):
            if ticket.person_id is not None:  # someone else's: not even its existence
                raise NotFound("no_ticket", ticket=ticket_id)
            raise Forbidden("cancel_code_mismatch", {"cancel_code": [CANCEL_CODE]})
        if not domain.may_take(ticket.status, "cancel"):
            raise Conflict("ticket_not_waiting", {"status": [ticket.status]})
        reason = "given up by its holder"
        cancelled = self.db.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.status.in_(domain.sources_of("cancel")))
            .values(
                status=domain.next_status(ticket.status, "cancel"),
                finished_at=self.clock(),
                outcome=reason,
            )
        ).rowcount
        if cancelled != 1:  # cannot happen under the row lock; never cancel a called ticket
            raise Conflict("ticket_just_called")
        self.db.refresh(ticket)
        self.db.record_event("ticket_cancelled", {"ticket_id": ticket.id, "reason": reason})
        return wire.Ticket().dump(ticket)

    @rpc
    def get_ticket(self, ticket_id: str) -> dict:
        """A ticket, its position in line and the estimated wait, and whether it was rated
        (and the rating invites a complaint).

        A walk-in ticket's id is its claim (it is printed on the paper); a ticket taken
        by a signed-in citizen is hers, and her agency's staff's, alone."""
        ticket = self._visible_ticket(ticket_id)
        rating = self.db.get(Rating, ticket.id)
        place = {
            "ticket": ticket,
            "position": None,
            "estimated_wait_minutes": None,
            "no_counter_open": False,
            "opens_at": None,
            "rated": rating is not None,
            "invites_complaint": rating is not None and domain.invites_complaint(rating.elements),
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

    @rpc
    def recent_calls(self, limit: int = 10) -> list[dict]:
        """The latest calls for the display board, newest first."""
        rows = self.db.execute(
            select(Ticket, Counter.number)
            .join(Counter, Counter.id == Ticket.counter_id)
            .where(Ticket.called_at.is_not(None), Ticket.day == domain.service_day(self.clock()))
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

    def _ticket(self, ticket_id: str) -> Ticket:
        ticket = self.db.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound("no_ticket", ticket=ticket_id)
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
        raise NotFound("no_ticket", ticket=ticket_id)

    def _refuse_the_deceased(self, person_id: str | None) -> None:
        if person_id is not None and self.db.get(DeceasedPerson, person_id) is not None:
            raise Conflict("holder_deceased", {"person_id": [DECEASED]})

    def _position(self, ticket: Ticket) -> int:
        """Her place in her line: 1 + the waiting tickets before hers in ``LINE_ORDER``."""
        ahead = self.db.scalar(
            select(func.count()).where(*in_line(ticket.service_code, ticket.day), ahead_of(ticket))
        )
        return ahead + 1

    def _at_position(self, service_code: str, day: date, position: int) -> Ticket | None:
        """The waiting ticket whose page shows ``position`` in the line of ``service_code``
        on ``day`` (the order of ``_position``), if the line is that long."""
        return self.db.scalar(
            select(Ticket)
            .where(*in_line(service_code, day))
            .order_by(*LINE_ORDER)
            .offset(position - 1)
            .limit(1)
        )

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
        now = self.clock()
        hours = {h.weekday: (h.opens, h.closes) for h in self.db.scalars(select(OpeningHours))}
        first = domain.service_day(now)
        last = first + timedelta(days=domain.OPENING_HORIZON_DAYS)
        return domain.next_opening(now, hours, calendar.closed_days(self.db, Holiday, first, last))
