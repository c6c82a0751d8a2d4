"""Replicas of the mall's calendar (national and regional holidays, collective leave).

The catalog owns the calendar; a service that needs it (the queue for bookings, licensing
for working-day deadlines) keeps a replica table of ``CalendarDayMixin`` and inherits
``CalendarReplica``, which keeps that table current in two ways:

- ``calendar_changed`` events from the catalog, applied idempotently and in order: each
  carries the whole state of one day and its version, and a version not newer than the
  stored one changes nothing (a late, repeated or reordered event is harmless);
- a full refresh from the catalog's ``list_calendar_days`` on start and hourly, applied
  the same way, so a replica that missed an event heals.

A removed day stays as a tombstone (``removed``) so an older event cannot bring it back.

    class QueueService(CalendarReplica, MallService):
        calendar_model = Holiday
"""

import logging
from datetime import date, datetime, timedelta

import eventlet
from nameko.timer import timer
from sqlalchemy import Boolean, Date, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from chassis.clock import MALL_TIME
from chassis.events import event_handler, idempotent
from chassis.reconnect import RpcProxy
from desk.deadlines import add_working_days, working_days_left

log = logging.getLogger("mpp.calendar")
REFRESH_SECONDS = 3600
# each try waits this long for the catalog; the first is short because, fired as the service
# starts, its reply may come before the service listens for replies (and be lost)
REFRESH_TIMEOUTS_SECONDS = (2, 10, 30)
STATE_FIELDS = ("kind", "name_id", "name_en", "region", "provisional", "removed")


class CalendarDayMixin:
    """One day of the calendar on which the mall is closed (unless ``removed``)."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="national_holiday")
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str | None] = mapped_column(String(20))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)


def apply_day(session: Session, model, state: dict) -> bool:
    """Store ``state`` (a ``contracts.catalog.CalendarDay``) unless the stored version is
    as new or newer; True when it changed the replica."""
    day = state["day"] if isinstance(state["day"], date) else date.fromisoformat(state["day"])
    found = session.get(model, day, with_for_update=True)
    if found is not None and found.version >= state["version"]:
        return False
    if found is None:
        found = model(day=day)
        session.add(found)
    for name in STATE_FIELDS:
        setattr(found, name, state.get(name))
    found.version = state["version"]
    session.flush()
    return True


def closed_day(session: Session, model, day: date):
    """The calendar's entry closing ``day``, or None when the day is not in the calendar."""
    found = session.get(model, day)
    return found if found is not None and not found.removed else None


def names(entry) -> str:
    """A closed day's name in Indonesian and English, for a citizen's message."""
    return " / ".join(dict.fromkeys(n for n in (entry.name_id, entry.name_en) if n))


def closed_days(session: Session, model, start: date, end: date) -> frozenset[date]:
    """The closed days from ``start`` to ``end`` (both included)."""
    return frozenset(
        session.scalars(
            select(model.day).where(model.day >= start, model.day <= end, model.removed.is_(False))
        )
    )


class CalendarReplica:
    """Keeps ``calendar_model`` (a ``CalendarDayMixin`` table) in step with the catalog."""

    calendar_model = None
    catalog = RpcProxy("catalog")

    @event_handler("catalog", "calendar_changed")
    @idempotent
    def on_calendar_changed(self, event: dict) -> None:
        """Apply one day's new state, if it is newer than the replica's."""
        if apply_day(self.db, self.calendar_model, event["data"]):
            self._closed_if_so(event["data"])

    @timer(interval=REFRESH_SECONDS, eager=True)
    def refresh_calendar(self) -> None:
        """Apply the catalog's whole calendar (removed days included), so that a replica
        that missed an event heals; a catalog that does not answer is tried next time."""
        days = self._catalog_calendar()
        if days is None:
            return
        changed = 0
        for state in days:
            if apply_day(self.db, self.calendar_model, state):
                changed += 1
                self._closed_if_so(state)
        if changed:
            log.info("calendar refresh applied %d changed days", changed)

    def day_closed(self, entry) -> None:
        """A hook: the mall now closes on ``entry.day`` (a day added, or a removed one
        restored), in the transaction that stored it; a service undoes what it had
        promised for that day. Called once per change of the replica."""

    def _closed_if_so(self, state: dict) -> None:
        day = state["day"] if isinstance(state["day"], date) else date.fromisoformat(state["day"])
        entry = closed_day(self.db, self.calendar_model, day)
        if entry is not None:
            self.day_closed(entry)

    def days_off(self, start: datetime, end: datetime) -> frozenset[date]:
        """The mall's closed days between two moments (their days in mall time)."""
        first, last = (moment.astimezone(MALL_TIME).date() for moment in (start, end))
        return closed_days(self.db, self.calendar_model, first, last)

    def deadline(self, start: datetime, working_days: int) -> datetime:
        """The end of the ``working_days``-th working day after ``start``."""
        # a generous window: every weekend and holiday of the stretch fits in it
        window = start + timedelta(days=working_days * 2 + 60)
        return add_working_days(start, working_days, self.days_off(start, window))

    def working_days_left(self, now: datetime, due: datetime) -> int:
        low, high = sorted((now, due))
        return working_days_left(now, due, self.days_off(low, high))

    def _catalog_calendar(self) -> list[dict] | None:
        """The catalog's whole calendar, tombstones included; None if it does not answer."""
        for timeout in REFRESH_TIMEOUTS_SECONDS:
            try:  # before any transaction: none waits on a remote call
                reply = self.catalog.list_calendar_days.call_async({"include_removed": True})
                with eventlet.Timeout(timeout):
                    return reply.result()
            except eventlet.Timeout:
                log.info("the catalog did not send the calendar within %ss", timeout)
            except Exception as exc:  # UnknownService: no catalog runs yet
                log.warning("calendar not refreshed: %s: %s", type(exc).__name__, exc)
                return None
        log.warning("calendar not refreshed: the catalog does not answer")
        return None
