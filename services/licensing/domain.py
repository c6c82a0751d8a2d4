"""Rules of one-door licensing, free of any framework: the life of an application, service
levels in working days, permit numbers and validity.

    draft -submit-> submitted -start_verification-> in_verification -approve-> approved
          -issue-> issued; in_verification -request_revision-> revision_requested
          -resubmit-> resubmitted -start_verification-> in_verification; reject; withdraw
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from desk.lifecycle import APPLICANT, Action, IllegalTransition, Lifecycle

__all__ = ["APPLICANT", "IllegalTransition"]  # the desk's, named here for licensing's callers

OFFICER, CASHIER = "officer", "cashier"  # the cashier records fees and takes no step
OPEN_STATES = {"draft", "submitted", "in_verification", "revision_requested", "resubmitted"}

PERMIT = Lifecycle(
    kind="permit",
    start="draft",
    actions=(
        Action("submit", frozenset({"draft"}), "submitted", APPLICANT),
        Action(
            "start_verification",
            frozenset({"submitted", "resubmitted"}),
            "in_verification",
            OFFICER,
        ),
        Action(
            "request_revision",
            frozenset({"in_verification"}),
            "revision_requested",
            OFFICER,
            note_required=True,
        ),
        Action("resubmit", frozenset({"revision_requested"}), "resubmitted", APPLICANT),
        Action("approve", frozenset({"in_verification"}), "approved", OFFICER),
        Action("reject", frozenset({"in_verification"}), "rejected", OFFICER, note_required=True),
        Action("issue", frozenset({"approved"}), "issued", OFFICER),
        Action("withdraw", frozenset(OPEN_STATES | {"approved"}), "withdrawn", APPLICANT),
    ),
    parties={OFFICER: frozenset({"verifier"})},  # staff roles, of the permit type's agency
    # while these run, the service-level clock is the mall's, not the applicant's
    clock_running=frozenset({"submitted", "in_verification", "resubmitted", "approved"}),
    closed="withdrawn",
)
# action -> (states it may start from, state it leads to, who may take it)
TRANSITIONS = {a.name: (a.sources, a.target, a.party) for a in PERMIT.actions}
FINAL_STATES = PERMIT.final_states
CLOCK_RUNNING = PERMIT.clock_running


def allowed_actions(state: str, party: str | None = None) -> list[str]:
    """The actions possible from ``state`` (for one party, when given), in a stable order."""
    return PERMIT.allowed(state, None if party is None else [party])


def next_state(state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``; IllegalTransition when it can't."""
    return PERMIT.next_state(state, action)


def party_of(action: str) -> str:
    return PERMIT.action(action).party


def is_open(status: str) -> bool:
    """An application not yet issued, rejected or withdrawn."""
    return PERMIT.is_open(status)


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
