"""Tables of the Mpp Template module's own database.

A change here needs a migration beside it (``migrations/versions``); the module's test
``test_migrations_build_the_tables_of_the_models`` fails until they agree.
"""

from sqlalchemy.orm import DeclarativeBase

from chassis.calendar import CalendarDayMixin
from chassis.database import InboxMixin, OutboxMixin, ReplyMixin
from chassis.module import ApplicationMixin
from chassis.steps import StepMixin


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    """Events waiting for the relay, written in the transaction that caused them."""


class ProcessedEvent(InboxMixin, Base):
    """Events already handled, so a redelivery does nothing twice."""


class RecordedReply(ReplyMixin, Base):
    """Replies of calls that changed something, so a repeated call runs once."""


class Application(ApplicationMixin, Base):
    """A citizen's application for one of the services in ``manifest.yaml``."""


class Step(StepMixin, Base):
    """One step of an application's life (``chassis.steps``): application_steps."""


class CalendarDay(CalendarDayMixin, Base):
    """The mall's calendar, kept current from the catalog: deadlines count working days."""

    __tablename__ = "calendar_days"
