"""The rules of telling people, in plain Python: whose inbox, a citizen's settings, on
which channels a notification goes, and the backoff of a failed send."""

from datetime import timedelta

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
