"""Satisfaction (the SKM survey) and the daily statistics of services and counters."""

import logging

from sqlalchemy import select

from chassis.actor import COUNTER_OFFICER, MALL_MANAGER
from chassis.errors import Conflict, Forbidden, InvalidInput, load
from chassis.service import rpc
from contracts import queue as wire
from contracts.refusals.queue import SCOPES
from services.queue import domain
from services.queue.models import Counter, Rating, Ticket

log = logging.getLogger(__name__)


class Ratings:
    """The survey and statistics of ``QueueService``."""

    @rpc
    def rate(self, ticket_id: str, payload: dict) -> dict:
        """The SKM survey for a finished service, once per ticket; a rating with an element
        at 1 invites a complaint (``invites_complaint`` in the reply)."""
        elements = load(wire.RatingRequest(), payload)["elements"]
        ticket = self._visible_ticket(ticket_id)
        if ticket.status != "done":
            raise Conflict("service_not_finished")
        if self.db.get(Rating, ticket.id):
            raise Conflict("already_rated")
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
                rated_at=self.clock(),
            )
        )
        self.db.record_event(
            "rating_submitted",
            {"ticket_id": ticket.id, "service_code": ticket.service_code, "index": index},
        )
        return wire.Rating().dump(
            {
                "ticket_id": ticket.id,
                "index": index,
                "grade": domain.skm_grade(index),
                "invites_complaint": domain.invites_complaint(elements),
            }
        )

    @rpc
    def satisfaction(self, scope: str, key: str) -> dict:
        """The SKM index (25-100) of a service, a counter or an agency."""
        column = {
            "service": Rating.service_code,
            "counter": Rating.counter_id,
            "agency": Rating.agency,
        }.get(scope)
        if column is None:
            raise InvalidInput("unknown_scope", {"scope": [SCOPES]})
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
            raise Forbidden("staff_only")
        asked = load(wire.DailyStatisticsQuery(), {"day": day} if day else {})["day"]
        tickets = self.db.scalars(
            select(Ticket).where(Ticket.day == (asked or domain.service_day(self.clock())))
        ).all()
        return {
            "services": _statistics(tickets, lambda t: t.service_code),
            "counters": _statistics([t for t in tickets if t.counter_id], lambda t: t.counter_id),
        }


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
