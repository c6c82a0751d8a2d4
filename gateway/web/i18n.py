"""Indonesian first, English on request: the language of a page and how it says things.

Pages say their texts in English through gettext (``_("Queue")`` in templates, ``gettext``
in Python); Flask-Babel finds the Indonesian in ``gateway/translations`` (the catalog, see
babel.cfg). The choice is a ``lang`` cookie set by the switch in the header.
"""

from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel

from chassis.clock import MALL_TIME

LANGUAGES = ("id", "en")
CATALOGS = Path(__file__).resolve().parent.parent / "translations"  # English needs none
COOKIE = "lang"
MONTHS_ID = "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split()
# the reasons marshmallow and the services give most often, for citizens reading Indonesian
REASONS_ID = {
    "this account is closed: the civil registry has recorded its holder's death": (
        "Akun ini ditutup: Dukcapil telah mencatat kematian pemiliknya."
    ),
    "Missing data for required field.": "Wajib diisi.",
    "required to reject: the applicant reads it": "Tulis alasan penolakan untuk pemohon.",
    "required to request_revision: the applicant reads it": (
        "Tulis apa yang perlu diperbaiki pemohon."
    ),
    "a note is required to reject": "Alasan penolakan wajib diisi.",
    "a note is required to request_revision": "Catatan perbaikan wajib diisi.",
    "Not a valid date.": "Tanggal tidak valid.",
    "Not a valid datetime.": "Waktu tidak valid.",
    "Not a valid string.": "Teks tidak valid.",
    "Not a valid integer.": "Angka tidak valid.",
    "Field may not be null.": "Wajib diisi.",
    "slot full": "Jadwal penuh, pilih waktu lain.",
    "one booking per service per day": "Satu pemesanan per layanan per hari.",
    "unknown": "Tidak dikenal.",
    "you already have a booking for this service that day": (
        "Anda sudah memesan layanan ini pada hari itu."
    ),
    "slot full: choose another time": "Jadwal penuh, pilih waktu lain.",
    "check-in opens 60 minutes before the slot": "Check-in dibuka 60 menit sebelum jadwal.",
    "the slot and its grace period have passed": "Jadwal dan masa tenggangnya sudah lewat.",
    "the slot is in the past": "Jadwal sudah lewat.",
    "the cancel code does not match this ticket": "Kode pembatalan tidak cocok dengan tiket ini.",
    "give the code printed on the ticket": "Masukkan kode yang tercetak di tiket.",
    "only a waiting ticket can be given up": (
        "Hanya tiket yang masih menunggu yang bisa dibatalkan."
    ),
    "this birth is already registered on the family card": (
        "Kelahiran ini sudah tercatat di kartu keluarga."
    ),
    "a child of this name born that day is already registered": (
        "Anak dengan nama ini yang lahir pada hari itu sudah tercatat."
    ),
    "only PDF, JPEG and PNG files are accepted": "Hanya berkas PDF, JPEG dan PNG yang diterima.",
    "this permit does not take a document of that kind": (
        "Izin ini tidak memerlukan dokumen jenis itu."
    ),
    "must not contain control characters": "Tidak boleh berisi karakter kontrol.",
    "the PDF does not open: it is damaged or cut off": (
        "Berkas PDF tidak dapat dibuka: rusak atau terpotong."
    ),
    "the PDF has no pages": "Berkas PDF tidak memiliki halaman.",
    "the PDF is password-protected: upload it without a password": (
        "Berkas PDF dilindungi kata sandi: unggah tanpa kata sandi."
    ),
    "the image does not open: it is damaged or cut off": (
        "Gambar tidak dapat dibuka: rusak atau terpotong."
    ),
    "the image is too large: at most 50 megapixels": (
        "Gambar terlalu besar: paling banyak 50 megapiksel."
    ),
    "this file is already attached to this application": (
        "Berkas ini sudah dilampirkan pada permohonan ini."
    ),
    "the fee is already paid": "Biaya sudah dibayar.",
    "this permit has no fee": "Izin ini tanpa biaya.",
    "receipt already used": "Nomor kuitansi sudah dipakai.",
    "wrong amount": "Jumlah tidak sesuai.",
    "only a finished service is rated": "Hanya layanan yang sudah selesai yang dapat dinilai.",
    "this service is already rated": "Layanan ini sudah dinilai.",
    "applicant is registered as deceased": "Pemohon tercatat telah meninggal dunia.",
    "citizens apply for themselves": "Warga mengajukan untuk dirinya sendiri.",
    "only the applicant may do this": "Hanya pemohon yang dapat melakukan ini.",
    "applicant not found in the civil registry": "Pemohon tidak ditemukan di data kependudukan.",
    "does not match a registered resident": "Tidak cocok dengan penduduk yang terdaftar.",
    "wrong NIK/username or password": "NIK/nama pengguna atau kata sandi salah.",
    "must not contain a NUL character": "Tidak boleh berisi karakter NUL.",
    "must be Unicode text (a lone UTF-16 surrogate is not)": (
        "Harus berupa teks Unicode (surrogate UTF-16 tunggal bukan teks)."
    ),
    "must not contain control characters (only tab, line feed and carriage return)": (
        "Tidak boleh berisi karakter kontrol (selain tab dan baris baru)."
    ),
    "must not be nested more than 20 levels deep": "Tidak boleh bersarang lebih dari 20 tingkat.",
    "NIK, full name and birth date do not match the civil registry": (
        "NIK, nama lengkap dan tanggal lahir tidak cocok dengan data kependudukan."
    ),
}

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


def _term(terms: dict, code: str | None) -> str:
    if not code:
        return "-"
    indonesian, english = terms.get(code, (code.replace("_", " "),) * 2)
    return english if language() == "en" else indonesian


def reason(text: str) -> str:
    return REASONS_ID.get(text, text) if language() == "id" else text


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
