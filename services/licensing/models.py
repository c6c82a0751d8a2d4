"""Tables of the licensing service's own database."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.database import InboxMixin, OutboxMixin, UTCDateTime, new_id, utcnow


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(InboxMixin, Base):
    pass


class PermitType(Base):
    """A kind of permit, as data: who issues it, what it costs, how fast it is promised."""

    __tablename__ = "permit_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(100))
    fee: Mapped[int] = mapped_column(Integer, default=0)
    sla_working_days: Mapped[int] = mapped_column(Integer)
    validity_months: Mapped[int | None] = mapped_column(Integer)
    risk_level: Mapped[str] = mapped_column(String(20))


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    permit_type: Mapped[str] = mapped_column(ForeignKey("permit_types.code"))
    applicant_id: Mapped[str] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(30), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_reason: Mapped[str | None] = mapped_column(String(200))
