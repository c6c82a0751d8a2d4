"""Tables of the queue service's own database."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.database import InboxMixin, OutboxMixin, UTCDateTime, new_id, utcnow
from chassis.sequences import SequenceMixin


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(InboxMixin, Base):
    pass


class ServiceLine(Base):
    """A service offered at the mall's counters, with its own ticket series."""

    __tablename__ = "service_lines"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(3), unique=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class Sequence(SequenceMixin, Base):
    """Daily ticket series, one row per service and day (key ``ticket:<code>:<day>``)."""


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("service_code", "day", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_code: Mapped[str] = mapped_column(ForeignKey("service_lines.code"))
    day: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="waiting", index=True)
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
