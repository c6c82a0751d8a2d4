"""Rules of the complaint desk (SP4N-LAPOR style), free of any framework: what the public
may read, which open complaint a new one repeats, the service levels and who is told when
one runs out, the accountability figures per agency, and who may see the complainant.

    received --3 working days--> verified (or rejected: not a complaint) --> dispositioned
    --5 working days--> followed up --> resolved --5 working days--> closed, unless the
    citizen confirms (and rates) or reopens it first

The lifecycle itself (actions, roles, clocks) lives on the desk; this module holds the
rules the desk cannot know.
"""

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

RECEIVED, VERIFIED, REJECTED = "received", "verified", "rejected"
DISPOSITIONED, FOLLOWED_UP, RESOLVED = "dispositioned", "followed_up", "resolved"
REOPENED, CLOSED = "reopened", "closed"
ENDED = frozenset({CLOSED, REJECTED})  # nobody adds a voice to these
UNVERIFIED = frozenset({RECEIVED, REJECTED})  # not (or not yet) accepted as a complaint

# what a complaint may be about: a place or body of the mall, or one of her own dealings
# with it, which she names by its id and which must be hers (``OWNED_OBJECTS``)
OWNED_OBJECTS = ("ticket", "booking", "application")
OBJECT_KINDS = ("service", "counter", "agency", "mall", *OWNED_OBJECTS)


@dataclass(frozen=True)
class Complaint:
    """What the rules read of a complaint; the service builds one from its row."""

    object_kind: str
    object_id: str
    category: str
    text: str
    status: str = RECEIVED
    agency: str | None = None
    complainant: str | None = None  # the name shown; a visitor may give none
    anonymous: bool = False
    confidential: bool = False
    received_at: datetime | None = None
    due_at: datetime | None = None  # end of the service level of the answer
    answered_at: datetime | None = None  # the first answer or resolution
    resolved_within_level: bool | None = None  # as recorded; else derived from due_at
    rating: int | None = None  # 1..4, the citizen's rating of the answer


# --- her own ticket, booking or application ---------------------------------------------
def holder_of(kind: str, found: dict) -> str | None:
    """Whom the owning service's reply says holds the object: a ticket's person (None for
    a walk-in ticket, whose id is its bearer's claim), an application's applicant; a
    booking's reply names none, and the queue shows a booking to its holder alone."""
    if kind == "ticket":
        return found["ticket"]["person_id"]
    if kind == "application":
        return found["applicant_id"]
    return None


def is_hers(kind: str, found: dict, person_id: str) -> bool:
    """Whether a complainant may name the object she was shown: a walk-in ticket by its
    bearer, anything else by its holder only."""
    return holder_of(kind, found) in (None, person_id)


def object_facts(kind: str, found: dict) -> dict:
    """What the desk keeps of her ticket, booking or application that does not name her:
    which service (and counter, and day) it was, for whoever follows the complaint up
    when the id itself is kept from them."""
    if kind == "ticket":
        ticket = found["ticket"]
        return {
            "kind": kind,
            "service_code": ticket["service_code"],
            "counter_id": ticket["counter_id"],
            "day": ticket["day"],
        }
    if kind == "booking":
        return {"kind": kind, "service_code": found["service_code"], "day": found["day"]}
    return {"kind": kind, "permit_type": found["permit_type"], "agency": found["agency"]}


def names_her(object_kind: str) -> bool:
    """Whether the object's id leads to the complainant (her ticket, booking or
    application): then it is kept from whoever may not know who she is."""
    return object_kind in OWNED_OBJECTS


# --- redaction for the public view -----------------------------------------------------
NIK_PLACEHOLDER, PHONE_PLACEHOLDER, EMAIL_PLACEHOLDER = "[NIK]", "[telepon/phone]", "[email]"
NIK_DIGITS = 16
PHONE_MIN_DIGITS = 9  # the shortest Indonesian number with its area code: 0xxx xxxxx

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A number: digit groups joined by one kind of separator (3314 0101 0101 0001, 0812-3456-7890,
# 150.000), with a phone's country code or bracketed area code in front (+62 812-3456-7890,
# +44 20 7946 0958, (0271) 891234). It is not glued to a label by a dash or slash:
# PBG-3314-2027-0001, A-012, 12/03/2026 and the birth certificate 3314-LT-05032026-0001
# (whose tail starts like a phone number) are no one's personal number.
NUMBER = re.compile(
    r"""
    (?<![0-9+]) (?<!\w[/-])
    (?P<prefix> \+[0-9]{1,3}[ .-]?(?:\(0?[0-9]{1,4}\)[ .-]?)? | \(0[0-9]{2,3}\)[ .-]? )?
    (?P<run> [0-9]+ (?: (?P<sep>[ .-]) [0-9]+ (?:(?P=sep)[0-9]+)* )? )
    """,
    re.VERBOSE,
)
AMOUNT = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")  # Indonesian thousands: Rp 1.500.000


def redact(text: str) -> str:
    """The text as the public page shows it: no NIK, phone number or e-mail address."""
    return NUMBER.sub(_redacted_number, EMAIL.sub(EMAIL_PLACEHOLDER, text))


def _redacted_number(match: re.Match) -> str:
    """A number's placeholder if it is a phone number or a NIK, else the number itself."""
    number, run = match[0], match["run"]
    digits = re.sub("[^0-9]", "", number)
    if match["prefix"]:
        return PHONE_PLACEHOLDER if len(digits) >= PHONE_MIN_DIGITS else number
    if AMOUNT.fullmatch(run):
        return number
    # Mobiles start 08 (or 628: no NIK does, Central Kalimantan's regencies are 6201-6271),
    # landlines 0 and an area code; no other ordinary number starts with 0 and is this long.
    if digits.startswith(("0", "628")) and len(digits) >= PHONE_MIN_DIGITS:
        return PHONE_PLACEHOLDER
    # A run longer than a NIK is a NIK with something after it (3314010101010001 12 orang):
    # nothing ordinary in a complaint is that long, and a leaked NIK costs more than a lost date.
    return NIK_PLACEHOLDER if len(digits) >= NIK_DIGITS else number


# --- duplicates: "add my voice" ------------------------------------------------------
STOP_WORDS = frozenset(
    "yang dan di ke dari untuk dengan tidak saya sudah ini itu ada akan atau juga pada "
    "karena sangat sekali bisa oleh kami kita aku telah masih belum agar supaya".split()
)
# Dice overlap of the content words at which a complaint about the same object and category
# is offered as the same grievance. Object and category already agree, so sharing half the
# content words ("antrian di loket 3 lama, 2 jam" / "antrian loket 3 sangat lama, menunggu
# 2 jam": 0.92) means the same matter, while two matters at one counter share little more
# than its name ("petugas loket 2 kasar" / "loket 2 tutup jam 11": 0.44). An offer costs the
# citizen one click (she may still file her own case); a miss only splits the supporters.
DUPLICATE_THRESHOLD = 0.5


def content_words(text: str) -> frozenset[str]:
    """The words that carry a text's meaning: lower case, no punctuation or stop words."""
    words = re.findall(r"[^\W_]+", text.lower())
    return frozenset(_stem(word) for word in words if word not in STOP_WORDS)


def _stem(word: str) -> str:
    """A word without its possessive -nya (petugasnya is petugas), unless too little is left."""
    return word[:-3] if word.endswith("nya") and len(word) >= 7 else word


def similar(a_text: str, b_text: str) -> float:
    """How alike two texts are, 0..1: the Dice coefficient of their content words."""
    a, b = content_words(a_text), content_words(b_text)
    if not a or not b:
        return 0.0  # nothing said is nothing repeated
    return 2 * len(a & b) / (len(a) + len(b))


def likely_duplicate(new: Complaint, open_complaints: Iterable[Complaint]) -> list[Complaint]:
    """The open complaints a new one probably repeats, most similar first, to offer her voice.

    The citizen is shown what is offered, so only complaints the public may read are.
    """
    scored = [
        (similar(new.text, other.text), other)
        for other in open_complaints
        if (other.object_kind, other.object_id, other.category)
        == (new.object_kind, new.object_id, new.category)
        and other.status not in ENDED
        and public(other)
    ]
    ranked = sorted(scored, key=lambda pair: pair[0], reverse=True)
    return [other for score, other in ranked if score >= DUPLICATE_THRESHOLD]


# --- service levels and escalation -------------------------------------------------------
VERIFY_WITHIN_DAYS = 3  # LAPOR: the complaint officer verifies within 3 working days
FOLLOW_UP_WITHIN_DAYS = 5  # LAPOR: the agency follows up within 5 working days of disposition
REOPEN_WITHIN_DAYS = 5  # the citizen may reopen; after that an unconfirmed resolution closes
# working days a complaint may stay in a status: then its step is late and escalates, except
# a resolution, which closes
SERVICE_LEVEL_DAYS = {
    RECEIVED: VERIFY_WITHIN_DAYS,
    DISPOSITIONED: FOLLOW_UP_WITHIN_DAYS,
    REOPENED: FOLLOW_UP_WITHIN_DAYS,  # reopened, the agency owes a new follow-up
    RESOLVED: REOPEN_WITHIN_DAYS,
}
AGENCY_ADMIN, MALL_MANAGER = "agency_admin", "mall_manager"  # as chassis.actor names them
# a late step tells its agency when its level ends, and the mall's managers this many
# working days later if it is still undone (LAPOR names no second level: the mall's choice)
ESCALATE_TO_MALL_AFTER_DAYS = 2


def escalation_target(level: int) -> str:
    """The role told when a step is late: its agency's administrator first, then the mall's."""
    if level < 1:
        raise ValueError(f"escalation levels start at 1, not {level}")
    return AGENCY_ADMIN if level == 1 else MALL_MANAGER


# --- accountability per agency ------------------------------------------------------------
SATISFIED_RATINGS = frozenset({3, 4})  # of 1..4, as the SKM counts "puas" and "sangat puas"


@dataclass(frozen=True)
class AgencyStats:
    """An agency's figures on the manager's page and the public one."""

    received: int = 0
    resolved: int = 0  # answered or resolved at least once
    resolved_within_level: int = 0
    overdue: int = 0  # unanswered and past the service level now
    median_hours_to_answer: float | None = None  # calendar hours, not working hours
    rated: int = 0
    satisfied_share: float | None = None  # of the rated answers, the share rated 3 or 4
    mean_rating: float | None = None


def within_level(complaint: Complaint) -> bool | None:
    """Whether the answer came within its service level (None while nobody can tell)."""
    if complaint.resolved_within_level is not None:
        return complaint.resolved_within_level
    if complaint.answered_at is None or complaint.due_at is None:
        return None
    return complaint.answered_at <= complaint.due_at


def agency_stats(complaints: Iterable[Complaint], now: datetime) -> AgencyStats:
    """The accountability figures of one agency's complaints, as of ``now``.

    The time to answer is counted in calendar hours: simpler to read and to check, and the
    service levels in working days are already counted by ``resolved_within_level``.
    """
    complaints = list(complaints)
    answered, waiting = [], []
    for c in complaints:
        if c.answered_at is not None and c.answered_at <= now:
            answered.append(c)
        elif c.status not in ENDED:
            waiting.append(c)
    hours = [
        (c.answered_at - c.received_at).total_seconds() / 3600
        for c in answered
        if c.received_at is not None
    ]
    ratings = [c.rating for c in answered if c.rating is not None]
    return AgencyStats(
        received=len(complaints),
        resolved=len(answered),
        resolved_within_level=sum(within_level(c) is True for c in answered),
        overdue=sum(c.due_at is not None and c.due_at < now for c in waiting),
        median_hours_to_answer=round(statistics.median(hours), 1) if hours else None,
        rated=len(ratings),
        satisfied_share=(
            round(sum(r in SATISFIED_RATINGS for r in ratings) / len(ratings), 2)
            if ratings
            else None
        ),
        mean_rating=round(statistics.fmean(ratings), 2) if ratings else None,
    )


# --- visibility ------------------------------------------------------------------------
def public(complaint: Complaint) -> bool:
    """Whether the public page lists the complaint: accepted, and neither anonymous nor
    confidential (the complainant chose to keep it from the public)."""
    hidden = complaint.anonymous or complaint.confidential
    return not hidden and complaint.status not in UNVERIFIED


class Audience(IntEnum):
    """Viewers from the closest to the complainant to the farthest from her."""

    COMPLAINANT = 0
    COMPLAINT_OFFICER = 1  # the mall's, who verifies and dispositions
    STAFF = 2  # the agency's staff and the mall manager, who answer and oversee
    ANYONE = 3  # other citizens, visitors, account administrators, the public page


# the roles that handle a complaint once it is dispositioned (chassis.actor's names)
STAFF_ROLES = frozenset(
    {
        "counter_officer",
        "verifier",
        "cashier",
        "registrar",
        "hospital_officer",
        AGENCY_ADMIN,
        MALL_MANAGER,
    }
)


def shown_complainant(
    complaint: Complaint,
    viewer_role: str | None,
    viewer_is_complaint_officer: bool,
    *,
    viewer_is_complainant: bool = False,
) -> str | None:
    """The complainant's name as this viewer may see it, or None when it is kept from her.

    The viewer is one who may see the complaint at all (that is the desk's rule); this
    decides only whether she learns who filed it:

        viewer                          ordinary  confidential  anonymous (either way)
        the complainant herself            yes        yes           yes
        the mall's complaint officer       yes        yes           no
        agency staff, the mall manager     yes        no            no
        anyone else (visitor, citizen,     no         no            no
          mall admin, the public page)

    Anonymous means what LAPOR promises: nobody at the mall knows who; confidential keeps
    her from the agency she complains about, so only the mall's complaint officers know.
    """
    if viewer_is_complainant:
        audience = Audience.COMPLAINANT
    elif viewer_is_complaint_officer:
        audience = Audience.COMPLAINT_OFFICER
    elif viewer_role in STAFF_ROLES:
        audience = Audience.STAFF
    else:
        audience = Audience.ANYONE
    if complaint.anonymous:
        widest = Audience.COMPLAINANT
    elif complaint.confidential:
        widest = Audience.COMPLAINT_OFFICER
    else:
        widest = Audience.STAFF
    return complaint.complainant if audience <= widest else None
