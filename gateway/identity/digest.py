"""The weekly digest of who read a citizen's record: the week it covers and who the
readers were, as plain Python (the listener's timer finds the reads and tells them).

A week runs from Monday 00:00 to the next Monday 00:00 in the mall's time (WIB)::

    >>> last_full_week(datetime(2027, 1, 12, 1, tzinfo=UTC)).start
    datetime.date(2027, 1, 4)
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from contracts.times import MALL_TIME

Reader = tuple[str | None, str | None]  # the role and the agency of whoever read


@dataclass(frozen=True)
class Week:
    """Monday ``start`` to the next Monday, 00:00 WIB; ``begins`` and ``ends`` are the
    moments (aware) that bound its reads, ``ends`` excluded."""

    start: date

    @property
    def end(self) -> date:
        return self.start + timedelta(days=7)

    @property
    def begins(self) -> datetime:
        return datetime.combine(self.start, time(), MALL_TIME)

    @property
    def ends(self) -> datetime:
        return datetime.combine(self.end, time(), MALL_TIME)


def last_full_week(now: datetime) -> Week:
    """The latest week that is over at ``now`` (an aware moment)."""
    today = now.astimezone(MALL_TIME).date()
    this_monday = today - timedelta(days=today.weekday())
    return Week(this_monday - timedelta(days=7))


def readers(reads: Iterable[Reader]) -> list[dict]:
    """The reads of one record grouped by who read (role and agency), most reads first."""
    counted = Counter(reads)
    ordered = sorted(
        counted.items(), key=lambda item: (-item[1], item[0][0] or "", item[0][1] or "")
    )
    return [
        {"actor_role": role, "actor_agency": agency, "reads": reads}
        for (role, agency), reads in ordered
    ]


def digest(person_id: str, week: Week, reads: Iterable[Reader]) -> dict:
    """The ``record_reads_digest`` event of one citizen's week."""
    grouped = readers(reads)
    return {
        "person_id": person_id,
        "week_start": week.start.isoformat(),
        "week_end": week.end.isoformat(),
        "total": sum(r["reads"] for r in grouped),
        "readers": grouped,
    }
