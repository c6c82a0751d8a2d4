"""Tables of the licensing service's own database."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.calendar import CalendarDayMixin
from chassis.database import InboxMixin, OutboxMixin, ReplyMixin, UTCDateTime, new_id, utcnow
from chassis.sequences import SequenceMixin
from chassis.steps import StepMixin


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(InboxMixin, Base):
    pass


class RecordedReply(ReplyMixin, Base):
    pass


class Sequence(SequenceMixin, Base):
    """Permit numbers, one row per type and year (key ``permit:<type>:<year>``)."""


class PermitType(Base):
    """A kind of permit, as data: who issues it, what it needs, costs and promises."""

    __tablename__ = "permit_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(100))
    fee: Mapped[int] = mapped_column(Integer, default=0)
    sla_working_days: Mapped[int] = mapped_column(Integer)
    validity_months: Mapped[int | None] = mapped_column(Integer)
    risk_level: Mapped[str] = mapped_column(String(20))
    required_documents: Mapped[list] = mapped_column(JSON, default=list)


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    permit_type: Mapped[str] = mapped_column(ForeignKey("permit_types.code"))
    agency: Mapped[str] = mapped_column(String(100), index=True)
    applicant_id: Mapped[str] = mapped_column(String(36), index=True)
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(30), default="draft", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    renewal_of: Mapped[str | None] = mapped_column(String(36))
    closed_reason: Mapped[str | None] = mapped_column(String(200))


class Transition(StepMixin, Base):
    """One step in an application's life (the desk's one step shape, ``chassis.steps``)."""

    __tablename__ = "application_transitions"  # its name from before the shape was shared


class Document(Base):
    """A reference to an uploaded file in the document store, attached to an application."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("application_id", "kind", "sha256"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Payment(Base):
    """A fee paid at the cashier, with the receipt's reference."""

    __tablename__ = "payments"

    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    amount: Mapped[int] = mapped_column(Integer)
    receipt_reference: Mapped[str] = mapped_column(String(100), unique=True)
    cashier_id: Mapped[str] = mapped_column(String(100))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Permit(Base):
    __tablename__ = "permits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), unique=True)
    permit_type: Mapped[str] = mapped_column(ForeignKey("permit_types.code"))
    holder_id: Mapped[str] = mapped_column(String(36), index=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_reason: Mapped[str | None] = mapped_column(String(300))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CalendarDay(CalendarDayMixin, Base):
    """Licensing's replica of the mall's calendar: these days are not working days."""

    __tablename__ = "calendar_days"
