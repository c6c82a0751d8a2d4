"""Tables of the queue service's own database."""

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.calendar import CalendarDayMixin
from chassis.database import InboxMixin, OutboxMixin, ReplyMixin, UTCDateTime, new_id, utcnow
from chassis.sequences import SequenceMixin

ACTIVE = "status IN ('called', 'serving')"
OPEN_COUNTER = "status = 'open'"


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(InboxMixin, Base):
    pass


class RecordedReply(ReplyMixin, Base):
    pass


class Sequence(SequenceMixin, Base):
    """Daily ticket series, one row per service and day (key ``ticket:<code>:<day>``)."""


class Agency(Base):
    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class ServiceLine(Base):
    """A service offered at the mall's counters, with its own ticket series."""

    __tablename__ = "service_lines"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(3), unique=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(ForeignKey("agencies.code"))
    walk_in_quota: Mapped[int | None] = mapped_column(Integer)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    slot_capacity: Mapped[int] = mapped_column(Integer, default=5, server_default="5")


class Counter(Base):
    """A loket: serves a set of services, opened by one officer at a time."""

    __tablename__ = "counters"
    __table_args__ = (
        # an officer works one counter at a time, whatever the code above gets wrong
        Index(
            "one_open_counter_per_officer",
            "officer_id",
            unique=True,
            postgresql_where=text(OPEN_COUNTER),
            sqlite_where=text(OPEN_COUNTER),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)  # what the board shows
    agency: Mapped[str] = mapped_column(ForeignKey("agencies.code"))
    services: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="closed")
    officer_id: Mapped[str | None] = mapped_column(String(100))
    priority_streak: Mapped[int] = mapped_column(Integer, default=0)


class CounterRelease(Base):
    """A counter closed by an agency administrator or the mall manager while open under an
    officer (her account disabled, moved, or away): who, when, why, and the tickets it held,
    which went back in line."""

    __tablename__ = "counter_releases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    counter_id: Mapped[str] = mapped_column(ForeignKey("counters.id"), index=True)
    officer_id: Mapped[str | None] = mapped_column(String(100))
    released_by: Mapped[str] = mapped_column(String(100))
    released_by_role: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    ticket_ids: Mapped[list] = mapped_column(JSON, default=list)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OpeningHours(Base):
    __tablename__ = "opening_hours"

    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)  # Monday 0
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)


class Holiday(CalendarDayMixin, Base):
    """The queue's replica of the mall's calendar: no bookings on these days."""

    __tablename__ = "holidays"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("service_code", "day", "number"),
        # one ticket at a time at a counter, whatever the code above gets wrong
        Index(
            "one_active_ticket_per_counter",
            "counter_id",
            unique=True,
            postgresql_where=text(ACTIVE),
            sqlite_where=text(ACTIVE),
        ),
        Index("ix_tickets_waiting", "status", "service_code", "day", "arrived_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    service_code: Mapped[str] = mapped_column(ForeignKey("service_lines.code"))
    day: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="waiting", index=True)
    priority: Mapped[str | None] = mapped_column(String(20))
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reserved_counter_id: Mapped[str | None] = mapped_column(String(40))
    counter_id: Mapped[str | None] = mapped_column(ForeignKey("counters.id"))
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    calls: Mapped[int] = mapped_column(Integer, default=0)
    serving_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(200))
    transferred_from: Mapped[str | None] = mapped_column(String(36))
    # sha-256 of the code that lets whoever took the ticket give it up (printed on it)
    cancel_code_hash: Mapped[str | None] = mapped_column(String(64))


class Rating(Base):
    """One SKM survey: nine elements rated 1-4, for a finished ticket."""

    __tablename__ = "ratings"

    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(40), index=True)
    counter_id: Mapped[str | None] = mapped_column(String(40), index=True)
    agency: Mapped[str | None] = mapped_column(String(40), index=True)
    elements: Mapped[list] = mapped_column(JSON)
    index_value: Mapped[float] = mapped_column(Float)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SlotLoad(Base):
    """Seats taken in one time slot of a service; the conditional update books the last."""

    __tablename__ = "slot_loads"

    service_code: Mapped[str] = mapped_column(ForeignKey("service_lines.code"), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)


ACTIVE_BOOKING = "status = 'booked'"


class Booking(Base):
    """An online booking of a slot; checked in on arrival it becomes a ticket."""

    __tablename__ = "bookings"
    __table_args__ = (
        # one active booking per citizen, service and day
        Index(
            "one_booking_per_person_service_day",
            "person_id",
            "service_code",
            "day",
            unique=True,
            postgresql_where=text(ACTIVE_BOOKING),
            sqlite_where=text(ACTIVE_BOOKING),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("service_lines.code"))
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(20), default="booked")
    ticket_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(200))


class DeceasedPerson(Base):
    """A person whose death the civil registry announced (``person_died``): the queue books
    nothing and issues no ticket in her name any more."""

    __tablename__ = "deceased_persons"

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    died_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PickupInvitation(Base):
    """A holder invited to book a slot to collect a permit in person."""

    __tablename__ = "pickup_invitations"

    permit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    permit_number: Mapped[str] = mapped_column(String(40))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
