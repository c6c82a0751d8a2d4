"""The gateway's own tables: accounts, sign-in sessions, failed sign-ins, audit entries,
the answers kept for idempotency keys, the events its listener has handled and those it
publishes, and the weekly digests of record reads it has told."""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.database import BigId, InboxMixin, OutboxMixin, UTCDateTime, utcnow


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class Account(Base):
    """A citizen (signs in with the NIK) or a member of staff (with a username)."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    login: Mapped[str] = mapped_column(String(64), unique=True)  # stored case-folded
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str | None] = mapped_column(String(40))
    person_id: Mapped[str | None] = mapped_column(String(36), unique=True)  # a citizen's
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(32))
    # why and when the account was closed for good (the holder died): no sign-in any more
    closed_reason: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInSession(Base):
    """One sign-in: its refresh token (kept as a hash) and whether it has ended.

    Access tokens name their session, so revoking it ends them at once."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    refresh_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    address: Mapped[str | None] = mapped_column(String(64))


class FailedSignIns(Base):
    """Failed sign-ins of one account or address within one fixed window."""

    __tablename__ = "failed_sign_ins"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(Base):
    """Who did or read what, whose it was, when, and whether it was allowed."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_subject_at", "subject_id", "at"),
        Index("ix_audit_actor_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[str] = mapped_column(String(32))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    actor_agency: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(200))  # "GET /api/v1/residents/<resident_id>"
    target: Mapped[str | None] = mapped_column(String(100))  # the id in the path
    subject_id: Mapped[str | None] = mapped_column(String(36))  # whose personal data
    status: Mapped[int] = mapped_column(Integer)
    allowed: Mapped[bool] = mapped_column(Boolean)
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))


class IdempotentRequest(Base):
    """A request made with an ``Idempotency-Key``: who claimed it, and its answer once
    given (``status`` is empty while the first try runs)."""

    __tablename__ = "idempotent_requests"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)  # account id, "anonymous"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # method, path and body
    owner: Mapped[str] = mapped_column(String(100))  # host:pid of the worker running it
    claimed_until: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ProcessedEvent(InboxMixin, Base):
    """Events the accounts listener (``gateway.identity.listener``) has handled."""


class OutboxEvent(OutboxMixin, Base):
    """Events of the accounts listener waiting for its relay (``gateway_accounts_relay``)."""


class ReadDigest(Base):
    """A citizen told who read her record in the week beginning ``week_start`` (a
    Monday, WIB). The unique pair is what keeps several listeners from telling twice."""

    __tablename__ = "read_digests"
    __table_args__ = (UniqueConstraint("person_id", "week_start"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(36))
    week_start: Mapped[date] = mapped_column(Date, index=True)
    told_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
