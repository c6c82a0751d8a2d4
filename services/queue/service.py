"""The counter queue: walk-in tickets per service in daily series, counters that call them,
online bookings of time slots, the satisfaction survey and daily statistics.

One nameko service composed of its desks (nameko collects entrypoints from the class and
its bases), each a module of its concern:

- ``tickets``: list service lines, issue, cancel, read a ticket, the display board's calls;
- ``counters``: open, close, release a counter; call next, recall, start, no-show,
  finish, transfer (the ticket lifecycle is ``domain.TICKET_STEPS``);
- ``bookings``: book, open slots, my bookings, cancel, reschedule, check in, the sweep;
- ``ratings``: rate, satisfaction, daily statistics;
- ``reactions``: ``person_died`` and ``permit_issued``;
- ``agency_modules``: ``module_announced``;
- ``chassis.calendar.CalendarReplica``: the replica of the mall's calendar.
"""

from nameko.dependency_providers import Config

from chassis.calendar import CalendarReplica
from chassis.database import Database
from chassis.now import Clock
from chassis.service import MallService
from services.queue.agency_modules import AgencyModules
from services.queue.bookings import Bookings
from services.queue.counters import Counters
from services.queue.models import Holiday, OutboxEvent, ProcessedEvent, RecordedReply
from services.queue.ratings import Ratings
from services.queue.reactions import Reactions
from services.queue.tickets import Tickets


class QueueService(
    Tickets,
    Counters,
    Bookings,
    Ratings,
    Reactions,
    AgencyModules,
    CalendarReplica,
    MallService,
):
    name = "queue"
    calendar_model = Holiday  # no bookings on the mall's closed days
    db = Database(OutboxEvent, ProcessedEvent, RecordedReply)
    config = Config()
    clock = Clock()  # the day of series, slots and check-ins; a test may set it
