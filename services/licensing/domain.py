"""Rules of one-door licensing, free of any framework: the life of an application, service
levels in working days, permit numbers and validity.

    draft -submit-> submitted -start_verification-> in_verification -approve-> approved
          -issue-> issued; in_verification -request_revision-> revision_requested
          -resubmit-> resubmitted -start_verification-> in_verification; reject; withdraw
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from chassis.clock import MALL_TIME

APPLICANT, OFFICER, CASHIER = "applicant", "officer", "cashier"

# action -> (states it may start from, state it leads to, who may take it)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "submit": (frozenset({"draft"}), "submitted", APPLICANT),
    "start_verification": (frozenset({"submitted", "resubmitted"}), "in_verification", OFFICER),
    "request_revision": (frozenset({"in_verification"}), "revision_requested", OFFICER),
    "resubmit": (frozenset({"revision_requested"}), "resubmitted", APPLICANT),
    "approve": (frozenset({"in_verification"}), "approved", OFFICER),
    "reject": (frozenset({"in_verification"}), "rejected", OFFICER),
    "issue": (frozenset({"approved"}), "issued", OFFICER),
    "withdraw": (
        frozenset(
            {
                "draft",
                "submitted",
                "in_verification",
                "revision_requested",
                "resubmitted",
                "approved",
            }
        ),
        "withdrawn",
        APPLICANT,
    ),
}
FINAL_STATES = frozenset({"issued", "rejected", "withdrawn"})
# While these run, the service-level clock is the mall's, not the applicant's.
CLOCK_RUNNING = frozenset({"submitted", "in_verification", "resubmitted", "approved"})


class IllegalTransition(Exception):
    def __init__(self, state: str, action: str):
        self.state, self.action = state, action
        self.allowed = allowed_actions(state)
        super().__init__(
            f"cannot {action} an application that is {state}; allowed: "
            + (", ".join(self.allowed) or "nothing, it is closed")
        )


def allowed_actions(state: str, party: str | None = None) -> list[str]:
    """The actions possible from ``state`` (for one party, when given), in a stable order."""
    return [
        action
        for action, (sources, _, who) in TRANSITIONS.items()
        if state in sources and (party is None or who == party)
    ]


def next_state(state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``; IllegalTransition when it can't."""
    if action not in TRANSITIONS or state not in TRANSITIONS[action][0]:
        raise IllegalTransition(state, action)
    return TRANSITIONS[action][1]


def party_of(action: str) -> str:
    return TRANSITIONS[action][2]


def is_open(status: str) -> bool:
    """An application not yet issued, rejected or withdrawn."""
    return status not in FINAL_STATES


def missing_documents(required: list[str], attached: list[str]) -> list[str]:
    """Required document kinds not yet attached, in the checklist's order."""
    return [kind for kind in required if kind not in set(attached)]


# --- documents ------------------------------------------------------------------------

MAX_DISPLAY_NAME = 120
FALLBACK_NAMES = {
    "application/pdf": "document.pdf",
    "image/jpeg": "document.jpg",
    "image/png": "document.png",
}
# control (Cc), format (Cf: bidi overrides, zero widths) and surrogate (Cs) characters
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})


def display_name(given: str | None, content_type: str) -> str:
    """The name a document is shown by: the last part of what the browser sent (after ``/``
    and ``\\``, so no client's folders are kept), visible characters only, at most
    MAX_DISPLAY_NAME long (the extension kept), never empty."""
    name = re.split(r"[/\\]", given or "")[-1]
    name = "".join(" " if c.isspace() else c for c in name)  # tabs, newlines: spaces
    name = "".join(c for c in name if unicodedata.category(c) not in _INVISIBLE)
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_DISPLAY_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_DISPLAY_NAME - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_DISPLAY_NAME].rstrip(" .")
    return name or FALLBACK_NAMES.get(content_type, "document")


# --- working days ---------------------------------------------------------------------

# The days off (national and regional holidays, collective leave) are the mall's calendar,
# owned by the catalog; the service passes its replica's days in (``holidays``).


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


# --- permits ------------------------------------------------------------------------


def permit_number(type_code: str, year: int, sequence: int) -> str:
    """Like NIB/2026/000123: type, year of issue, yearly sequence of that type."""
    return f"{type_code}/{year}/{sequence:06d}"


@dataclass(frozen=True)
class Validity:
    valid_from: date
    valid_until: date | None  # None: valid indefinitely (like the NIB)


def validity(issued_on: date, months: int | None) -> Validity:
    """Valid until the day before the anniversary ``months`` later, or to the end of that
    month when it has no such day (31 January + 1 month runs to 28/29 February)."""
    if months is None:
        return Validity(issued_on, None)
    if months < 1:
        raise ValueError("a validity period is at least one month")
    month_index = issued_on.month - 1 + months
    year, month = issued_on.year + month_index // 12, month_index % 12 + 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    if issued_on.day > last_day:
        return Validity(issued_on, date(year, month, last_day))
    return Validity(issued_on, date(year, month, issued_on.day) - timedelta(days=1))
