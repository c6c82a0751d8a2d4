"""Tables of the notifications service's own database: who is told how, what she was
told, and each attempt to send it."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.database import InboxMixin, ReplyMixin, UTCDateTime, new_id, utcnow


class Base(DeclarativeBase):
    pass


class ProcessedEvent(InboxMixin, Base):
    pass


class RecordedReply(ReplyMixin, Base):
    pass


class Recipient(Base):
    """A citizen's contact and choices, set by herself."""

    __tablename__ = "recipients"

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), default="id")
    channels: Mapped[list] = mapped_column(JSON, default=list)
    quiet_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    essential_only: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(Base):
    """One thing told to one recipient (a person, or an agency's inbox), rendered in her
    language when it was created. One per (event, kind, recipient): a redelivered event
    cannot make a second one, whatever the code above gets wrong."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint(
            "event_id", "kind", "recipient_kind", "recipient_id", name="one_notification_per_event"
        ),
        Index("ix_notifications_inbox", "recipient_kind", "recipient_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(60))
    recipient_kind: Mapped[str] = mapped_column(String(10))  # 'person' | 'agency'
    recipient_id: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    essential: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Delivery(Base):
    """Sending one notification on one channel: claimed by one instance at a time, tried
    again with backoff while the failure is temporary."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    notification_id: Mapped[str] = mapped_column(ForeignKey("notifications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # 'email' | 'sms'
    address: Mapped[str] = mapped_column(String(254))
    # pending, temporary_failure (will be tried again), delivered, permanent_failure
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KnownApplication(Base):
    """Whose an application is, learnt from its submission event: later events of a
    module's application name only the application."""

    __tablename__ = "known_applications"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36))
    service: Mapped[str | None] = mapped_column(String(60))
    service_names: Mapped[dict | None] = mapped_column(JSON)  # {id, en}, when told


class KnownBooking(Base):
    """A booking as its creation event told it: its cancellation names only its id."""

    __tablename__ = "known_bookings"

    booking_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    service_code: Mapped[str] = mapped_column(String(40))
    service_names: Mapped[dict | None] = mapped_column(JSON)  # {id, en}, when told
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class KnownBill(Base):
    """A regional tax bill as its issue event told it: its payment names only its id."""

    __tablename__ = "known_bills"

    bill_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    tax_kind: Mapped[str] = mapped_column(String(20))
    object: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(60))
    amount: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Reminder(Base):
    """A notification due later, under a key that names what and when
    (``booking:<id>:day_before``): scheduled once whatever the events repeat, sent once by
    whichever instance's timer takes its row first, cancelled with what it reminds of."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "due_at"),)

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(80), index=True)  # booking:<id>, bill:<id>
    kind: Mapped[str] = mapped_column(String(60))
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    values: Mapped[dict] = mapped_column(JSON, default=dict)  # the template's, as text
    link: Mapped[str | None] = mapped_column(String(500))
    essential: Mapped[bool] = mapped_column(Boolean, default=False)
    # scheduled, sent, cancelled, skipped (she asked for the essential ones only)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    deferred_from: Mapped[datetime | None] = mapped_column(UTCDateTime())  # quiet hours
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notification_id: Mapped[str | None] = mapped_column(String(36))
