"""Tables of the catalog's own database."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.calendar import CalendarDayMixin
from chassis.database import BigId, InboxMixin, OutboxMixin, ReplyMixin, UTCDateTime, utcnow


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(InboxMixin, Base):
    pass


class RecordedReply(ReplyMixin, Base):
    pass


class Module(Base):
    """An agency module as last announced: one row per module, upserted by name."""

    __tablename__ = "modules"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    version: Mapped[str] = mapped_column(String(40))
    agency: Mapped[str] = mapped_column(String(40), index=True)
    manifest: Mapped[dict] = mapped_column(JSON)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarDay(CalendarDayMixin, Base):
    """The mall's calendar, the one the queue and licensing replicate."""

    __tablename__ = "calendar_days"


class CalendarChange(Base):
    """Who changed which day of the calendar, when, to what (the calendar's audit trail)."""

    __tablename__ = "calendar_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # set | remove
    actor_id: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(40))
    state: Mapped[dict] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
