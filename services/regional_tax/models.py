"""Tables of the regional tax module's own database.

A change here needs a migration beside it (``migrations/versions``); the module's test
``test_migrations_build_the_tables_of_the_models`` fails until they agree.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.calendar import CalendarDayMixin
from chassis.database import InboxMixin, OutboxMixin, ReplyMixin, UTCDateTime, utcnow
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


class Bill(Base):
    """A regional tax bill: one tax on one object, due on one day, for one taxpayer. Its
    status (due, paid, overdue) is read from ``paid_at`` and the day, never stored."""

    __tablename__ = "bills"
    __table_args__ = (UniqueConstraint("tax_kind", "object", "due_on", name="uq_bills_object"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    nik: Mapped[str] = mapped_column(String(16), index=True)
    tax_kind: Mapped[str] = mapped_column(String(20))
    object: Mapped[str] = mapped_column(String(200))  # the NOP and address, or the billboard
    district: Mapped[str] = mapped_column(String(60), index=True)  # kecamatan
    amount: Mapped[int] = mapped_column(BigInteger)  # rupiah
    due_on: Mapped[date] = mapped_column(Date, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receipt_reference: Mapped[str | None] = mapped_column(String(60), unique=True)
    paid_by: Mapped[str | None] = mapped_column(String(36))  # the cashier's account
    imported_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
