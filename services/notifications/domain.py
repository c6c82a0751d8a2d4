"""The rules of telling people, in plain Python: whose inbox, a citizen's settings, on
which channels a notification goes, and the backoff of a failed send."""

from datetime import UTC, date, datetime, time, timedelta

from contracts.times import MALL_TIME

PERSON, AGENCY = "person", "agency"
DEFAULTS = {
    "email": None,
    "phone": None,
    "language": "id",
    "channels": [],
    "quiet_hours": True,
    "essential_only": False,
}
ADDRESS_OF = {"email": "email", "sms": "phone"}


def settings_of(recipient) -> dict:
    """A recipient's settings, or the defaults for someone who never set any."""
    if recipient is None:
        return dict(DEFAULTS)
    return {name: getattr(recipient, name) for name in DEFAULTS}


def settings_after(current: dict, changes: dict) -> dict:
    """``current`` with ``changes``; an email given for the first time, with no channels
    named, turns the email channel on (what she means by giving it)."""
    wanted = {**current, **changes}
    wanted["channels"] = list(wanted["channels"] or [])
    if "channels" not in changes and changes.get("email") and not current.get("email"):
        if "email" not in wanted["channels"]:
            wanted["channels"].append("email")
    if "channels" not in changes:  # an address taken away takes its channel with it
        wanted["channels"] = [c for c in wanted["channels"] if wanted.get(ADDRESS_OF[c])]
    return wanted


def settings_problems(settings: dict) -> dict[str, list[str]]:
    """Why these settings cannot be kept: a channel without its address."""
    missing = [c for c in settings["channels"] if not settings.get(ADDRESS_OF[c])]
    if missing:
        return {"channels": [f"{c} needs the {ADDRESS_OF[c]} set" for c in missing]}
    return {}


def addresses(settings: dict, essential: bool) -> list[tuple[str, str]]:
    """The (channel, address) pairs a notification is sent on; none of a non-essential
    one for a citizen who asked for the essential ones only."""
    if not essential and settings["essential_only"]:
        return []
    return [
        (c, settings[ADDRESS_OF[c]]) for c in settings["channels"] if settings.get(ADDRESS_OF[c])
    ]


def retry_delay(attempts: int, base_seconds: float, cap_seconds: float) -> timedelta:
    """Exponential backoff after the ``attempts``-th failed try: base, 2 base, 4 base, ..."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))


def short_id(identifier: str) -> str:
    """An id as people can read it in a text (the first block of a UUID)."""
    return identifier.split("-", 1)[0].upper()


# --- the steps of an agency module's applications --------------------------------------

MODULE_DECISIONS = frozenset({"approved", "rejected"})  # told as ``module_decision``


def applicant_told_of_step(data: dict) -> bool:
    """Whether the applicant is told of a step of her application at a module (the data
    of ``application_status_changed``): of every step she did not take herself; of an
    event published before it said who took the step, of a decision only, as then."""
    if "by_applicant" not in data:
        return data["status"] in MODULE_DECISIONS
    return not data["by_applicant"]


def agency_told_of_step(data: dict) -> str | None:
    """The agency whose inbox is told of a module's step: the one that owes the next step
    now, unless it took this one itself (nobody when no staff owe a step)."""
    agency = data.get("agency")
    return agency if agency and agency != data.get("by_agency") else None


def step_by_mall(data: dict) -> bool:
    """Whether the mall took the step by itself (a time that ended, a death), not a
    person: neither staff of an agency nor the applicant."""
    return "by_applicant" in data and not data["by_applicant"] and not data.get("by_agency")


# --- reminders ---------------------------------------------------------------------------

QUIET_STARTS, QUIET_ENDS = time(21, 0), time(6, 0)  # WIB
REMINDER_HOUR = time(9, 0)  # a reminder of a day (a bill, a permit) goes at 09:00 WIB
DAYS_BEFORE = (30, 7, 1)


def in_quiet_hours(moment: datetime) -> bool:
    """Whether ``moment`` is between 21:00 and 06:00 in the mall."""
    clock = moment.astimezone(MALL_TIME).time()
    return clock >= QUIET_STARTS or clock < QUIET_ENDS


def end_of_quiet_hours(moment: datetime) -> datetime:
    """The 06:00 WIB that ends the quiet hours ``moment`` is in."""
    local = moment.astimezone(MALL_TIME)
    day = local.date() if local.time() < QUIET_ENDS else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_ENDS, tzinfo=MALL_TIME).astimezone(UTC)


def at_reminder_hour(day: date) -> datetime:
    return datetime.combine(day, REMINDER_HOUR, tzinfo=MALL_TIME).astimezone(UTC)


def booking_reminders(starts_at: datetime) -> list[tuple[str, datetime]]:
    """The day before (the same time, a day earlier) and two hours before the slot."""
    return [
        ("day_before", starts_at - timedelta(days=1)),
        ("two_hours_before", starts_at - timedelta(hours=2)),
    ]


def days_before(last_day: date) -> list[tuple[str, datetime, int]]:
    """30, 7 and 1 days before ``last_day``, at the reminder hour: (suffix, when, days)."""
    return [
        (f"{days}_days_before", at_reminder_hour(last_day - timedelta(days=days)), days)
        for days in DAYS_BEFORE
    ]


def day_after(last_day: date) -> datetime:
    """The morning after ``last_day``: when a bill unpaid by then is overdue."""
    return at_reminder_hour(last_day + timedelta(days=1))


def encoded(values: dict) -> dict:
    """Template values as JSON: dates and moments tagged, to be given back as themselves."""
    out = {}
    for name, value in values.items():
        if isinstance(value, datetime):
            out[name] = {"moment": value.isoformat()}
        elif isinstance(value, date):
            out[name] = {"day": value.isoformat()}
        else:
            out[name] = value
    return out


def decoded(values: dict) -> dict:
    out = {}
    for name, value in values.items():
        if isinstance(value, dict) and "moment" in value:
            out[name] = datetime.fromisoformat(value["moment"])
        elif isinstance(value, dict) and "day" in value:
            out[name] = date.fromisoformat(value["day"])
        else:
            out[name] = value
    return out
