"""Tables of the complaint desk's own database."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.calendar import CalendarDayMixin
from chassis.database import InboxMixin, OutboxMixin, ReplyMixin, UTCDateTime, utcnow
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
    """One complaint: the desk's columns (``routed_to`` is the agency it is dispositioned
    to) and what the complaint rules read without opening the form."""

    category: Mapped[str] = mapped_column(String(60), index=True)
    object_kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str | None] = mapped_column(String(60))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    supporters: Mapped[int] = mapped_column(Integer, default=0)  # voices added by others
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the first answer
    # whether the first answer came within the service level of its step (due_at moves on)
    answered_within_level: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1..4, given when confirming


class Supporter(Base):
    """A citizen who added her voice to a public complaint (once each)."""

    __tablename__ = "supporters"
    __table_args__ = (UniqueConstraint("application_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(36))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Step(StepMixin, Base):
    """One step of an application's life (``chassis.steps``): application_steps."""


class CalendarDay(CalendarDayMixin, Base):
    """The mall's calendar: deadlines count working days."""

    __tablename__ = "calendar_days"
