"""Service-level deadlines in working days on the mall's calendar, and the worklist's order.

The days off (national and regional holidays, collective leave) are the mall's calendar,
owned by the catalog; a service passes its replica's days in (``holidays``).
"""

from datetime import date, datetime, time, timedelta

from contracts.times import MALL_TIME


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: datetime, days: int, holidays: frozenset[date]) -> datetime:
    """The deadline ``days`` working days after ``start``: the end of that day, mall time.

    The day of submission does not count, so a promise of 1 working day made on a Friday
    falls due at the end of Monday (or of the next working day after a holiday).
    """
    day = start.astimezone(MALL_TIME).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return datetime.combine(day, time(23, 59, 59), MALL_TIME)


def working_days_left(now: datetime, deadline: datetime, holidays: frozenset[date]) -> int:
    """Working days from today to the deadline's day: 0 on the day itself, negative once
    it has passed (at least -1, even on the weekend after a Friday deadline)."""
    today, due = now.astimezone(MALL_TIME).date(), deadline.astimezone(MALL_TIME).date()
    low, high = sorted((today, due))
    count = sum(
        is_working_day(low + timedelta(days=n), holidays) for n in range(1, (high - low).days + 1)
    )
    return count if due >= today else -max(1, count)


def most_urgent_first(due_at: datetime | None, submitted_at: datetime | None, key: str):
    """The worklist's order: the nearest deadline first, then the oldest, then a stable id
    (an application off the clock, without a deadline, goes last)."""
    far = datetime.max.replace(tzinfo=MALL_TIME)
    return (due_at or far, submitted_at or far, key)
