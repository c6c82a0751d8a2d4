"""Sign-in sessions: a refresh token per session, rotated on every use.

A refresh token is ``<session id>.<secret>``; only the secret's SHA-256 is stored. Using a
refresh token replaces it; presenting one that was already replaced means it was copied,
so the whole session is revoked. Signing out revokes the session, and with it every access
token that names it.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from contracts import refusals
from gateway.identity.models import Account, SignInSession


class SessionEnded(Exception):
    """The session is unknown, expired, revoked, or its account is disabled."""

    code = "unauthorized"


class AccountClosed(SessionEnded):
    """The account was closed for good: its holder has died."""

    code = "account_holder_deceased"
    message = refusals.text(code)

    def __init__(self):
        super().__init__(self.message)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(
    db: Session, account: Account, now: datetime, lifetime: timedelta, address: str | None
) -> tuple[SignInSession, str]:
    """A new session for ``account`` and its first refresh token."""
    secret = secrets.token_urlsafe(32)
    session = SignInSession(
        account_id=account.id,
        refresh_hash=_digest(secret),
        created_at=now,
        expires_at=now + lifetime,
        address=address,
    )
    db.add(session)
    db.flush()
    return session, f"{session.id}.{secret}"


def rotate(db: Session, refresh_token: str, now: datetime) -> tuple[SignInSession, Account, str]:
    """Exchange a refresh token for a new one in the same session."""
    session_id, _, secret = refresh_token.partition(".")
    session = db.scalar(
        select(SignInSession).where(SignInSession.id == session_id).with_for_update()
    )
    if session is None or not secret:
        raise SessionEnded("unknown refresh token")
    account = _live_account(db, session, now)
    if not hmac.compare_digest(_digest(secret), session.refresh_hash):
        session.revoked_at = now  # an old token came back: someone else may hold it
        raise SessionEnded("this refresh token was already used; the session is ended")
    secret = secrets.token_urlsafe(32)
    session.refresh_hash, session.refreshed_at = _digest(secret), now
    return session, account, f"{session.id}.{secret}"


def account_of(db: Session, session_id: str, now: datetime) -> Account:
    """The account a live session belongs to (every authenticated request asks)."""
    session = db.get(SignInSession, session_id)
    if session is None:
        raise SessionEnded("unknown session")
    return _live_account(db, session, now)


def revoke(db: Session, session_id: str, now: datetime) -> None:
    db.execute(
        update(SignInSession)
        .where(SignInSession.id == session_id, SignInSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def revoke_all(db: Session, account_id: str, now: datetime) -> None:
    db.execute(
        update(SignInSession)
        .where(SignInSession.account_id == account_id, SignInSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _live_account(db: Session, session: SignInSession, now: datetime) -> Account:
    account = db.get(Account, session.account_id)
    if account is not None and account.closed_reason is not None:
        raise AccountClosed()  # said before "signed out": closing it revoked its sessions
    if session.revoked_at is not None:
        raise SessionEnded("signed out")
    if session.expires_at <= now:
        raise SessionEnded("the session has expired; sign in again")
    if account is None or not account.active:
        raise SessionEnded("the account is disabled")
    return account
