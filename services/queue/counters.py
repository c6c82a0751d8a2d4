"""Counters and the officers who work them: open, close, release, and the ticket's walk
through the counter (call, recall, start, no-show, finish, transfer) by the lifecycle of
``domain.TICKET_STEPS``. A call tells the citizen now third in its line that her turn is
near (``turn_near``).

Call next is decided by the database in one transaction: the counter's row is locked, the
next ticket is picked with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises with
``BEGIN IMMEDIATE``) and moved from waiting to called by a conditional update, and a
partial unique index allows one active ticket per counter.
"""

import logging

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from chassis.actor import AGENCY_ADMIN, COUNTER_OFFICER, MALL_MANAGER
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, load
from chassis.service import rpc
from contracts import queue as wire
from contracts.refusals.queue import ONE_COUNTER, ONE_TARGET
from services.queue import domain
from services.queue.models import Counter, CounterRelease, ServiceLine, Ticket

log = logging.getLogger(__name__)
# the refusal of an action the current ticket is not ready for, by its status (domain.ACTIVE)
NOT_READY = {"called": "current_ticket_called", "serving": "current_ticket_serving"}


class Counters:
    """The counters of ``QueueService``; new tickets of a transfer come from ``Tickets``."""

    @rpc
    def list_counters(self) -> list[dict]:
        """Every counter, with its officer and current ticket."""
        counters = self.db.scalars(select(Counter).order_by(Counter.number))
        held = self._open_counter_of(self.actor.id) if self.actor.id else None
        return [self._present_counter(c, held) for c in counters]

    @rpc
    def open_counter(self, counter_id: str) -> dict:
        """An officer of the counter's agency opens it and is recorded as its officer."""
        counter = self._counter(counter_id, officer_only=False)
        if counter.status == "open" and counter.officer_id != self.actor.id:
            raise Conflict("counter_held_by_another", counter=counter.number)
        if counter.status == "open":
            return self._present_counter(counter)
        held = self._open_counter_of(self.actor.id)
        if held is not None:
            raise Conflict(
                "officer_holds_counter", {"counter_id": [ONE_COUNTER]}, counter=held.number
            )
        counter.status, counter.officer_id = "open", self.actor.id
        try:
            with self.db.begin_nested():
                self.db.flush()
        except IntegrityError:  # a concurrent opening by the same officer won the index
            raise Conflict("officer_holds_another_counter", {"counter_id": [ONE_COUNTER]}) from None
        return self._present_counter(counter)

    @rpc
    def close_counter(self, counter_id: str) -> dict:
        """Its officer closes a counter with no current ticket."""
        counter = self._counter(counter_id)
        if self._current(counter) is not None:
            raise Conflict("ticket_at_counter")
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
            raise NotFound("no_counter", counter=counter_id)
        if self.actor.role == AGENCY_ADMIN and self.actor.agency != counter.agency:
            raise Forbidden("counter_not_yours", counter=counter.number, agency=counter.agency)
        if counter.status != "open":
            raise Conflict("counter_not_open", counter=counter.number)
        held = self.db.scalars(
            select(Ticket).where(
                Ticket.counter_id == counter.id, Ticket.status.in_(domain.sources_of("requeue"))
            )
        ).all()
        for ticket in held:
            ticket.status, ticket.counter_id = domain.next_status(ticket.status, "requeue"), None
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
            released_at=self.clock(),
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
            raise Conflict("ticket_at_counter")
        ticket = self._pick_next(counter)
        if ticket is None:
            raise NotFound("nobody_waiting")
        now = self.clock()
        claimed = self.db.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id, Ticket.status.in_(domain.sources_of("call")))
            .values(
                status=domain.next_status(ticket.status, "call"),
                counter_id=counter.id,
                called_at=now,
                calls=1,
            )
        ).rowcount
        if claimed != 1:  # cannot happen under the row lock; refuse rather than double-call
            raise Conflict("ticket_taken_meanwhile")
        self.db.refresh(ticket)
        counter.priority_streak = domain.next_streak(
            counter.priority_streak, ticket.priority is not None
        )
        self._announce(ticket, counter, recall=False)
        self._tell_turn_near(ticket)
        return wire.Ticket().dump(ticket)

    @rpc
    def recall(self, counter_id: str) -> dict:
        """Call the current ticket again."""
        counter = self._counter(counter_id)
        ticket = self._current_in(counter, "recall")
        ticket.calls += 1
        self._announce(ticket, counter, recall=True)
        return wire.Ticket().dump(ticket)

    @rpc
    def start_service(self, counter_id: str) -> dict:
        """The called citizen has arrived at the counter."""
        counter = self._counter(counter_id)
        ticket = self._current_in(counter, "start_service")
        ticket.status = domain.next_status(ticket.status, "start_service")
        ticket.serving_started_at = self.clock()
        return wire.Ticket().dump(ticket)

    @rpc
    def no_show(self, counter_id: str) -> dict:
        """The called citizen did not come."""
        counter = self._counter(counter_id)
        ticket = self._current_in(counter, "no_show")
        return self._complete(ticket, "no_show", None)

    @rpc
    def finish(self, counter_id: str, payload: dict) -> dict:
        """The service is done, with an outcome."""
        outcome = load(wire.Finish(), payload)["outcome"]
        counter = self._counter(counter_id)
        ticket = self._current_in(counter, "finish")
        if ticket.serving_started_at is None:
            ticket.serving_started_at = ticket.called_at
        return self._complete(ticket, "finish", outcome)

    @rpc
    def transfer(self, counter_id: str, payload: dict) -> dict:
        """Send the current ticket to another service or counter; it keeps its arrival time."""
        data = load(wire.Transfer(), payload)
        if bool(data["to_service"]) == bool(data["to_counter"]):
            raise InvalidInput("transfer_needs_one_target", {"to_service": [ONE_TARGET]})
        counter = self._counter(counter_id)
        ticket = self._current_in(counter, "transfer")
        if data["to_counter"]:
            target = self.db.get(Counter, data["to_counter"])
            if target is None:
                raise NotFound("no_transfer_counter", {"to_counter": ["unknown"]})
            service = (
                ticket.service_code
                if ticket.service_code in target.services
                else target.services[0]
            )
        else:
            target, service = None, data["to_service"]
        line = self.db.get(ServiceLine, service)
        if line is None:
            raise NotFound("no_transfer_service", {"to_service": ["unknown"]})
        self._complete(ticket, "transfer", f"to {target.id if target else service}")
        moved = self._new_ticket(
            line,
            self.clock(),
            ticket.priority,
            ticket.person_id,
            arrived_at=ticket.arrived_at,
            transferred_from=ticket.id,
            cancel_code_hash=ticket.cancel_code_hash,  # the paper she holds still works
            reserved_counter_id=target.id if target else None,
        )
        return wire.Ticket().dump(moved)

    def _counter(self, counter_id: str, officer_only: bool = True) -> Counter:
        """The counter, locked for this transaction, if the actor may work it."""
        counter = self.db.scalar(select(Counter).where(Counter.id == counter_id).with_for_update())
        if counter is None:
            raise NotFound("no_counter", counter=counter_id)
        self.actor.require(COUNTER_OFFICER)
        if self.actor.agency != counter.agency:
            raise Forbidden("counter_not_yours", counter=counter.number, agency=counter.agency)
        if officer_only and (counter.status != "open" or counter.officer_id != self.actor.id):
            raise Conflict("counter_not_held", counter=counter.number)
        return counter

    def _open_counter_of(self, officer_id: str) -> Counter | None:
        return self.db.scalar(
            select(Counter).where(Counter.status == "open", Counter.officer_id == officer_id)
        )

    def _current(self, counter: Counter) -> Ticket | None:
        """The ticket called to or being served at the counter, if any."""
        return self.db.scalar(
            select(Ticket).where(Ticket.counter_id == counter.id, Ticket.status.in_(domain.ACTIVE))
        )

    def _current_in(self, counter: Counter, action: str) -> Ticket:
        """The counter's current ticket, if ``action`` may be taken on it."""
        ticket = self._current(counter)
        if ticket is None:
            raise Conflict("counter_idle", counter=counter.number)
        if not domain.may_take(ticket.status, action):
            raise Conflict(NOT_READY[ticket.status], ticket=ticket.label, status=ticket.status)
        return ticket

    def _pick_next(self, counter: Counter) -> Ticket | None:
        """The next ticket by the fairness rule, in at most two index-ordered picks.

        Each pick is ordered by arrival only, so the database walks ``ix_tickets_waiting``
        and stops at the first row instead of sorting the whole line.
        """
        now = self.clock()
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

    def _tell_turn_near(self, called: Ticket) -> None:
        """The line of the called ticket moved up: the citizen whose ticket is now at
        ``domain.TURN_NEAR_POSITION`` is told her turn is near (a kiosk ticket has nobody
        to tell). Notifications tells it once per ticket, however often it comes back."""
        ticket = self._at_position(called.service_code, called.day, domain.TURN_NEAR_POSITION)
        if ticket is None or ticket.person_id is None:
            return
        self.db.record_event(
            "turn_near",
            {
                "ticket_id": ticket.id,
                "label": ticket.label,
                "service_code": ticket.service_code,
                "person_id": ticket.person_id,
                "position": domain.TURN_NEAR_POSITION,
                "service_name": domain.names_of(self.db.get(ServiceLine, ticket.service_code)),
            },
        )

    def _complete(self, ticket: Ticket, action: str, outcome: str | None) -> dict:
        """End the ticket's life at the counter by ``action`` (finish, no_show, transfer)."""
        status = domain.next_status(ticket.status, action)
        ticket.status, ticket.finished_at, ticket.outcome = status, self.clock(), outcome
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

    def _present_counter(self, counter: Counter, held: Counter | None = None) -> dict:
        """The counter, with what the actor asking may do at it (``held``: the counter she
        holds open, if any; found here when not given)."""
        current = self._current(counter)
        actor = self.actor
        officer = actor.id is not None and actor.role == COUNTER_OFFICER
        if officer and held is None and counter.officer_id != actor.id:
            held = self._open_counter_of(actor.id)
        held_by_her = officer and counter.status == "open" and counter.officer_id == actor.id
        allowed = domain.counter_actions(
            counter.status,
            of_her_agency=officer and actor.agency == counter.agency,
            held_by_her=held_by_her,
            she_holds_another=held is not None and held.id != counter.id,
            current=current.status if current else None,
        )
        return wire.Counter().dump(
            {
                **wire.Counter(exclude=("current_ticket",)).dump(counter),
                "current_ticket": current,
                "held_by_you": held_by_her,
                "allowed_actions": allowed,
            }
        )
