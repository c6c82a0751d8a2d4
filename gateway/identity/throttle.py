"""Failed sign-ins (and failed public checks of documents) are counted in fixed windows.

An attempt first reserves a failure in every window it belongs to, with a conditional
``UPDATE ... WHERE failures < limit``, and gives it back only when the password was right.
So concurrent guesses cannot overshoot the limit, and a crash mid-attempt counts as a
failure. Any hour overlaps at most ``3600 / window + 1`` windows, which bounds the failures
an hour can see (the README gives the figures of the default config).
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.identity.models import FailedSignIns


class Throttled(Exception):
    def __init__(self, retry_after: int, what: str = "failed sign-ins"):
        super().__init__(f"too many {what}; try again in {retry_after} seconds")
        self.retry_after = retry_after


KEY_LENGTH = 120  # FailedSignIns.key


@dataclass(frozen=True)
class Limit:
    key: str  # "pair:<login>@<ip>", "account:<login>", "address:<ip>", "verification:<ip>"
    failures: int  # allowed per window

    def __post_init__(self):
        if len(self.key) > KEY_LENGTH:  # a case-folded login and an IPv6 address may not fit
            kind, _, _ = self.key.partition(":")
            digest = hashlib.sha256(self.key.encode()).hexdigest()
            object.__setattr__(self, "key", f"{kind[:40]}:{digest}")


def window_of(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def reserve(
    db: Session,
    limits: list[Limit],
    now: datetime,
    window_seconds: int,
    what: str = "failed sign-ins",
) -> datetime:
    """Count one failure against every limit, or raise Throttled (the caller rolls back)."""
    window = window_of(now, window_seconds)
    for limit in limits:
        if not _take(db, limit, window):
            retry_after = int((window + timedelta(seconds=window_seconds) - now).total_seconds())
            raise Throttled(max(retry_after, 1), what)
    return window


def release(db: Session, limits: list[Limit], window: datetime) -> None:
    """The password was right: give back what ``reserve`` took in ``window``."""
    for limit in limits:
        db.execute(
            update(FailedSignIns)
            .where(
                FailedSignIns.key == limit.key,
                FailedSignIns.window_start == window,
                FailedSignIns.failures > 0,
            )
            .values(failures=FailedSignIns.failures - 1)
        )


def _take(db: Session, limit: Limit, window: datetime) -> bool:
    if _increment(db, limit, window):
        return True
    if db.get(FailedSignIns, (limit.key, window)) is not None:
        # full, or opened by an attempt that committed after our UPDATE began (PostgreSQL)
        return _increment(db, limit, window)
    try:
        with db.begin_nested():
            db.add(FailedSignIns(key=limit.key, window_start=window, failures=1))
    except IntegrityError:  # another attempt opened the window first
        return _increment(db, limit, window)
    # windows a day old count for nothing any more
    db.execute(delete(FailedSignIns).where(FailedSignIns.window_start < window - timedelta(days=1)))
    return limit.failures >= 1


def _increment(db: Session, limit: Limit, window: datetime) -> bool:
    result = db.execute(
        update(FailedSignIns)
        .where(
            FailedSignIns.key == limit.key,
            FailedSignIns.window_start == window,
            FailedSignIns.failures < limit.failures,
        )
        .values(failures=FailedSignIns.failures + 1)
    )
    return result.rowcount == 1
