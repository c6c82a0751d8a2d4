"""Rules of the counter queue, free of any framework.

Call-next order (the fairness rule): a counter calls, among the waiting tickets of the
services it serves, priority tickets (elderly, disability, pregnant) before regular ones
in order of arrival, but after ``MAX_PRIORITY_STREAK`` priority calls in a row it calls the
longest-waiting regular ticket, if there is one, so regular tickets are never starved.
A transferred ticket keeps its original arrival time.
"""

import hashlib
import hmac
import secrets
import statistics
from datetime import date, datetime, time, timedelta

from chassis.clock import MALL_TIME, mall_date

# why a slot or a check-in is refused: a refusal code (contracts.refusals.queue) and the
# values its text names
Problem = tuple[str, dict[str, str | int]]

PRIORITY_CATEGORIES = ("elderly", "disability", "pregnant")
MAX_PRIORITY_STREAK = 3
# the place in line (as her ticket's page shows it) at which a signed-in citizen is told,
# after a call, that her turn is near (notifications tells it once per ticket)
TURN_NEAR_POSITION = 3
SKM_ELEMENTS = 9  # the nine elements of the national satisfaction survey (PermenPAN-RB 14/2017)
COMPLAINT_RATING = 1  # an element rated this (poor) invites a complaint about the service
DEFAULT_SERVICE_MINUTES = 5.0


# --- the ticket's lifecycle -----------------------------------------------------------
# A ticket is issued waiting; each action at the desk moves it from one of its sources to
# its target. A counter works one active ticket at a time; the others end its life.
TICKET_START = "waiting"
TICKET_STEPS: dict[str, tuple[frozenset[str], str]] = {
    "call": (frozenset({"waiting"}), "called"),
    "recall": (frozenset({"called"}), "called"),
    "start_service": (frozenset({"called"}), "serving"),
    "no_show": (frozenset({"called"}), "no_show"),
    "finish": (frozenset({"called", "serving"}), "done"),
    "transfer": (frozenset({"called", "serving"}), "transferred"),
    # the counter is released under its officer: the ticket goes back in line
    "requeue": (frozenset({"called", "serving"}), "waiting"),
    # by its holder, or because the holder died
    "cancel": (frozenset({"waiting"}), "cancelled"),
}
TICKET_STATUSES = frozenset(
    {TICKET_START}
    | {target for _, target in TICKET_STEPS.values()}
    | {source for sources, _ in TICKET_STEPS.values() for source in sources}
)
ACTIVE = ("called", "serving")  # the ticket a counter is working on
FINISHED = frozenset({"done", "no_show", "transferred", "cancelled"})


class IllegalStep(Exception):
    """``action`` does not lead anywhere from ``status``."""

    def __init__(self, status: str, action: str):
        self.status, self.action = status, action
        super().__init__(f"a {status} ticket cannot {action}")


# what an officer does at a counter she holds with a current ticket, in the console's order
TICKET_DESK = ("start_service", "recall", "no_show", "finish", "transfer")


def counter_actions(
    status: str,
    of_her_agency: bool,
    held_by_her: bool,
    she_holds_another: bool,
    current: str | None,
) -> list[str]:
    """What a counter officer may do at a counter now: open it (one counter per officer),
    call the next ticket or close it when it is idle, or the steps its current ticket may
    take. The entrypoints check the same rules; the console only shows this answer."""
    if not of_her_agency:
        return []
    if status != "open":
        return [] if she_holds_another else ["open_counter"]
    if not held_by_her:
        return []
    if current is None:
        return ["call_next", "close_counter"]
    return [action for action in TICKET_DESK if may_take(current, action)]


def sources_of(action: str) -> frozenset[str]:
    """The statuses from which ``action`` may be taken."""
    return TICKET_STEPS[action][0]


def may_take(status: str, action: str) -> bool:
    return action in TICKET_STEPS and status in TICKET_STEPS[action][0]


def next_status(status: str, action: str) -> str:
    """The status ``action`` leads to from ``status``; IllegalStep when it can't."""
    if not may_take(status, action):
        raise IllegalStep(status, action)
    return TICKET_STEPS[action][1]


def service_day(now: datetime) -> date:
    """Ticket series reset at midnight mall time (WIB), not UTC."""
    return mall_date(now)


def ticket_label(prefix: str, number: int) -> str:
    """What the display board calls: A-001."""
    return f"{prefix}-{number:03d}"


def priority_first(priority_streak: int) -> bool:
    """Whether the next call may prefer a priority ticket at a counter with this streak."""
    return priority_streak < MAX_PRIORITY_STREAK


def next_streak(priority_streak: int, called_priority: bool) -> int:
    return priority_streak + 1 if called_priority else 0


def is_open_at(moment: time, hours: tuple[time, time] | None) -> bool:
    """Whether a weekday's opening hours (None: closed all day) include ``moment``."""
    return hours is not None and hours[0] <= moment < hours[1]


def skm_index(ratings: list[list[int]]) -> float | None:
    """The satisfaction index on 25-100: the mean rating (1-4) of every element, times 25."""
    if not ratings:
        return None
    per_element = [statistics.fmean(r[i] for r in ratings) for i in range(SKM_ELEMENTS)]
    return round(statistics.fmean(per_element) * 25, 2)


def invites_complaint(elements: list[int]) -> bool:
    """Whether a rating asks for an answer: an element rated 1 (poor) invites a complaint
    about the service, which the mall's complaint desk follows up."""
    return COMPLAINT_RATING in elements


def skm_grade(index: float) -> str:
    """The survey's quality grade: A (very good) to D (poor)."""
    if index >= 88.31:
        return "A"
    if index >= 76.61:
        return "B"
    if index >= 65.0:
        return "C"
    return "D"


def median_and_p90(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(ordered), p90


def estimated_wait_minutes(
    position: int, recent_service_minutes: list[float], open_counters: int
) -> float | None:
    """Tickets ahead times the median recent service time, shared by the open counters;
    None when no counter of the line is open (nobody is being served: no number is true)."""
    if open_counters < 1:
        return None
    per_ticket = (
        statistics.median(recent_service_minutes)
        if recent_service_minutes
        else DEFAULT_SERVICE_MINUTES
    )
    return round((position - 1) * per_ticket / open_counters, 1)


OPENING_HORIZON_DAYS = 31


def next_opening(
    now: datetime, hours: dict[int, tuple[time, time]], closed_days: set[date]
) -> datetime | None:
    """When the mall opens next (mall time), by its weekly hours and closed days; None
    while it is open now, or when it does not open within a month."""
    local = now.astimezone(MALL_TIME)
    for offset in range(OPENING_HORIZON_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        span = hours.get(day.weekday())
        if span is None or day in closed_days:
            continue
        opens, closes = (datetime.combine(day, t, MALL_TIME) for t in span)
        if offset == 0 and local >= closes:
            continue
        return None if local >= opens else opens
    return None


# --- giving up a ticket ---------------------------------------------------------------

CANCEL_CODE_LENGTH = 10  # 50 bits: not guessed through the API


def new_cancel_code() -> str:
    """The code printed on a walk-in ticket (and given in the reply that issues it) with
    which whoever took it can give it up; its id alone does not do, since ids show on the
    display board once called."""
    return "".join(secrets.choice(BOOKING_CODE_ALPHABET) for _ in range(CANCEL_CODE_LENGTH))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def code_matches(code: str | None, stored_hash: str | None) -> bool:
    return bool(code and stored_hash) and hmac.compare_digest(code_hash(code), stored_hash)


# --- online bookings ------------------------------------------------------------------

BOOKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at desks
CHECK_IN_GRACE_MINUTES = 15
CHECK_IN_EARLY_MINUTES = 60


def new_booking_code() -> str:
    return "".join(secrets.choice(BOOKING_CODE_ALPHABET) for _ in range(8))


def slot_problem(
    starts_at: datetime,
    now: datetime,
    hours: tuple[time, time] | None,
    holiday: str | None,
    slot_minutes: int,
) -> Problem | None:
    """Why a slot can't be booked (in the past, a holiday, closed, misaligned), or None."""
    local = starts_at.astimezone(MALL_TIME)
    if starts_at <= now:
        return "slot_in_the_past", {}
    if holiday:
        return "mall_closed_on_holiday", {"day": local.date().isoformat(), "holiday": holiday}
    if hours is None:
        return "mall_closed_on_weekday", {"day": local.date().isoformat(), "weekday": f"{local:%A}"}
    end = (datetime.combine(local.date(), local.time()) + timedelta(minutes=slot_minutes)).time()
    opens, closes = f"{hours[0]:%H:%M}", f"{hours[1]:%H:%M}"
    if local.time() < hours[0] or end > hours[1]:
        return "outside_opening_hours", {"opens": opens, "closes": closes}
    minutes_since_opening = (local.hour * 60 + local.minute) - (
        hours[0].hour * 60 + hours[0].minute
    )
    if minutes_since_opening % slot_minutes or local.second or local.microsecond:
        return "slot_misaligned", {"minutes": slot_minutes, "opens": opens}
    return None


def slot_starts(day: date, hours: tuple[time, time] | None, slot_minutes: int) -> list[datetime]:
    """The start of every slot of ``day`` that fits in its opening hours (mall time)."""
    if hours is None:
        return []
    moment = datetime.combine(day, hours[0], MALL_TIME)
    closes = datetime.combine(day, hours[1], MALL_TIME)
    starts = []
    while moment + timedelta(minutes=slot_minutes) <= closes:
        starts.append(moment)
        moment += timedelta(minutes=slot_minutes)
    return starts


def check_in_problem(starts_at: datetime, now: datetime) -> Problem | None:
    if now < starts_at - timedelta(minutes=CHECK_IN_EARLY_MINUTES):
        return "check_in_too_early", {"minutes": CHECK_IN_EARLY_MINUTES}
    if now > starts_at + timedelta(minutes=CHECK_IN_GRACE_MINUTES):
        return "check_in_too_late", {}
    return None


# --- agency modules -------------------------------------------------------------------


def module_lines(manifest: dict) -> list[dict]:
    """The ticket series a module asks for: one per offered service with a queue section,
    coded ``<module>.<service>`` (at most 40 characters)."""
    return [
        {
            "code": f"{manifest['module']}.{service['code']}"[:40],
            "prefix": service["queue"]["prefix"],
            "name_id": service["name_id"],
            "name_en": service["name_en"],
            "counters": service["queue"].get("counters", 1),
        }
        for service in manifest["services"]
        if service.get("queue")
    ]


def counter_plan(
    counters: list[list[str]], wanted: dict[str, int], new_lines: set[str]
) -> tuple[list[list[str]], list[list[str]]]:
    """What an agency's counters should serve so that every line of ``wanted`` (code ->
    counters) has at least that many counters.

    ``counters`` are the services of the agency's counters; lines created just now go to
    every one of them; a line still short gets new counters. Returns the services of the
    existing counters (same order) and those of the counters to open; nothing changes
    when every line is served enough, whatever the counters serve besides.
    """
    fresh = [code for code in wanted if code in new_lines]
    updated = [services + [c for c in fresh if c not in services] for services in counters]
    served = {code: sum(code in services for services in updated) for code in wanted}
    missing = max((wanted[code] - served[code] for code in wanted), default=0)
    opened = [[code for code in wanted if served[code] + n < wanted[code]] for n in range(missing)]
    return updated, opened


def names_of(line) -> dict:
    """A service line's name in the mall's two languages, as events carry it."""
    return {"id": line.name_id, "en": line.name_en}
