"""Tables of the civil registry's own database."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.database import BigId, InboxMixin, OutboxMixin, ReplyMixin, UTCDateTime, new_id, utcnow
from chassis.sequences import SequenceMixin


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(InboxMixin, Base):
    pass


class RecordedReply(ReplyMixin, Base):
    pass


class Sequence(SequenceMixin, Base):
    pass


class Resident(Base):
    __tablename__ = "residents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[date] = mapped_column(Date)
    birth_place: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    status: Mapped[str] = mapped_column(String(20), default="alive")
    marital_status: Mapped[str] = mapped_column(String(20), default="single")
    died_on: Mapped[date | None] = mapped_column(Date)
    # Known for births registered here, so their dates can be checked against each other.
    mother_id: Mapped[str | None] = mapped_column(String(36), index=True)
    father_id: Mapped[str | None] = mapped_column(String(36), index=True)


class FamilyCard(Base):
    """Kartu Keluarga: a household, its address and its members."""

    __tablename__ = "family_cards"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    region_code: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(300))
    head_id: Mapped[str | None] = mapped_column(ForeignKey("residents.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FamilyMembership(Base):
    """A resident belongs to one family card at a time."""

    __tablename__ = "family_memberships"

    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id"), primary_key=True)
    family_card_id: Mapped[str] = mapped_column(ForeignKey("family_cards.id"), index=True)
    relationship: Mapped[str] = mapped_column(String(20))


class Certificate(Base):
    """Akta: birth, death or marriage, with a number and a check code for verification."""

    __tablename__ = "certificates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    check_code: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(ForeignKey("residents.id"), index=True)
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("residents.id"))
    event_date: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by: Mapped[str | None] = mapped_column(String(100))


class AuditEntry(Base):
    """Every change to a record: who, when, what it was, what it became, and why."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(500))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
