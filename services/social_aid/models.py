"""Tables of the social aid module's own database."""

from sqlalchemy.orm import DeclarativeBase

from chassis.calendar import CalendarDayMixin
from chassis.database import InboxMixin, OutboxMixin, ReplyMixin
from chassis.module import ApplicationMixin
from chassis.steps import StepMixin


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(InboxMixin, Base):
    pass


class RecordedReply(ReplyMixin, Base):
    pass


class Application(ApplicationMixin, Base):
    """One household's application: the form, what the registry showed, the program."""


class Step(StepMixin, Base):
    """One step of an application's life (``chassis.steps``): application_steps."""


class CalendarDay(CalendarDayMixin, Base):
    """The mall's calendar: deadlines count working days."""

    __tablename__ = "calendar_days"
