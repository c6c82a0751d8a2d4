"""Indonesian first, English on request: the language of a page and how it says things.

Pages say their texts in English through gettext (``_("Queue")`` in templates, ``gettext``
in Python); Flask-Babel finds the Indonesian in ``gateway/translations`` (the catalog, see
babel.cfg). The choice is a ``lang`` cookie set by the switch in the header.
"""

from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel, gettext

from chassis.clock import MALL_TIME
from contracts.refusals import REFUSALS

LANGUAGES = ("id", "en")
CATALOGS = Path(__file__).resolve().parent.parent / "translations"  # English needs none
COOKIE = "lang"
MONTHS_ID = "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split()
# statuses of applications, permits, tickets and bookings, as citizens read them
STATUSES = {
    "draft": ("Draf", "Draft"),
    "submitted": ("Diajukan", "Submitted"),
    "in_verification": ("Sedang diverifikasi", "Being verified"),
    "in_review": ("Sedang ditinjau", "In review"),
    "revision_requested": ("Perlu perbaikan", "Revision requested"),
    "resubmitted": ("Diajukan ulang", "Resubmitted"),
    "approved": ("Disetujui", "Approved"),
    "rejected": ("Ditolak", "Rejected"),
    "issued": ("Terbit", "Issued"),
    "withdrawn": ("Ditarik", "Withdrawn"),
    "active": ("Berlaku", "Valid"),
    "revoked": ("Dicabut", "Revoked"),
    "expired": ("Kedaluwarsa", "Expired"),
    "waiting": ("Menunggu", "Waiting"),
    "called": ("Dipanggil", "Called"),
    "serving": ("Sedang dilayani", "Being served"),
    "done": ("Selesai", "Done"),
    "no_show": ("Tidak hadir", "Missed"),
    "transferred": ("Dialihkan", "Transferred"),
    "cancelled": ("Dibatalkan", "Cancelled"),
    "booked": ("Terjadwal", "Booked"),
    "checked_in": ("Sudah hadir", "Checked in"),
    "open": ("Buka", "Open"),
    "closed": ("Tutup", "Closed"),
}

LIFE_EVENTS = {
    "birth": ("Kelahiran", "Birth"),
    "death": ("Kematian", "Death"),
    "marriage": ("Perkawinan", "Marriage"),
    "moving": ("Pindah domisili", "Moving house"),
    "business": ("Berusaha", "Doing business"),
    "building": ("Membangun", "Building"),
    "health": ("Kesehatan", "Health"),
    "education": ("Pendidikan", "Education"),
    "hardship": ("Kesulitan ekonomi", "Hardship"),
    "work": ("Pekerjaan", "Work"),
    "tax": ("Pajak", "Tax"),
}


def language() -> str:
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="id") or "id"


def install(app: Flask) -> None:
    """gettext for the app's pages and templates, in the language ``language()`` picks."""
    Babel(
        app,
        locale_selector=language,
        default_locale="id",
        default_translation_directories=str(CATALOGS),
    )


def named(item: dict, field: str = "name") -> str:
    """The Indonesian or English name of a catalog item (``name_id`` / ``name_en``)."""
    return item.get(f"{field}_{language()}") or item.get(f"{field}_id") or ""


def status(code: str | None) -> str:
    return _term(STATUSES, code)


def life_event(code: str | None) -> str:
    return _term(LIFE_EVENTS, code)


def state(manifest: dict | None, code: str | None) -> str:
    """A state of a module's application in the visitor's language: the manifest's word
    for its own lifecycle's states, the mall's for the others."""
    return _word(manifest, "states", code) or status(code)


def step(manifest: dict | None, action: str) -> str | None:
    """The manifest's word for an action of its lifecycle (None: the mall's own word)."""
    return _word(manifest, "actions", action)


def step_note(manifest: dict | None, action: str) -> str | None:
    """What the note of an action of a module's lifecycle is for, as its manifest says."""
    return _word(manifest, "actions", action, "note")


def choice(spec: dict, value) -> str:
    """A choice of a manifest's form field as the manifest names it (else its code)."""
    names = spec.get("choice_names") or {}
    if value in names:
        return named(names[value])
    return str(value).replace("_", " ") if value not in (None, "") else "-"


def _word(manifest: dict | None, kind: str, code: str | None, field: str = "name") -> str | None:
    texts = ((manifest or {}).get("lifecycle") or {}).get(kind) or {}
    entry = texts.get(code or "")
    return (named(entry, field) or None) if entry else None


def _term(terms: dict, code: str | None) -> str:
    if not code:
        return "-"
    indonesian, english = terms.get(code, (code.replace("_", " "),) * 2)
    return english if language() == "en" else indonesian


def refused(error) -> str:
    """A service's refusal (a remote or the gateway's own error) in the visitor's language:
    the catalog's text of its code with the values it names; its English message when the
    code is not one of the mall's."""
    if (error.code or "") not in REFUSALS:
        return reason(error.message)
    return refusal(error.code, error.params) or error.message


def refusal(code: str, params: dict | None = None) -> str:
    """The text of refusal ``code`` in the visitor's language, with its values."""
    template = REFUSALS[code]
    try:
        return gettext(template, **params) if params else gettext(template)
    except (KeyError, TypeError, ValueError):  # a translation naming a value not given
        return ""


def reason(text: str) -> str:
    """Why a field was refused, in the visitor's language (contracts.refusals.fields)."""
    return gettext(text) if text else text


def rupiah(amount: int | None) -> str:
    """Rp 1.250.000, as rupiah are written in Indonesia."""
    return "Rp " + f"{amount or 0:,}".replace(",", ".")


def when(value, with_time: bool = True) -> str:
    """A date or moment as people in the mall read it: 23 Nov 2026 14:05 (WIB)."""
    if value in (None, ""):
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        local = instant(value).astimezone(MALL_TIME)
        day = _day(local.date())
        return f"{day} {local:%H:%M}" if with_time else day
    return _day(value)


def clock(value) -> str:
    """The time of day in the mall: 14:05 (a moment without a zone is UTC, as stored)."""
    moment = instant(value)
    return f"{moment.astimezone(MALL_TIME):%H:%M}" if moment else "-"


def instant(value) -> datetime | None:
    """An aware moment from a service's answer (ISO text or datetime), or None."""
    if not value:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(day: date) -> str:
    month = MONTHS_ID[day.month - 1] if language() == "id" else f"{day:%b}"
    return f"{day.day} {month} {day.year}"
