"""Every kind of notification has a template, and every text of it has Indonesian."""

from datetime import UTC, date, datetime

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.notifications import texts
from services.notifications.reactions import Reactions

CATALOG = texts.TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po"
SAMPLE = {
    "permit_type": "PBG",
    "agency": "dpmptsp",
    "due": datetime(2027, 1, 4, 1, 0, tzinfo=UTC),
    "application": "PBG",
    "note": "Lampirkan denah",
    "number": "PBG-3314-2027-0001",
    "valid_until": date(2032, 1, 4),
    "verify_url": "http://127.0.0.1:8000/verify?number=PBG-3314-2027-0001",
    "service": "population",
    "starts": datetime(2027, 1, 5, 2, 0, tzinfo=UTC),
    "approved": True,
    "day_before": True,
    "tax_kind": "pbb_p2",
    "object": "Jl. Sukowati 1",
    "district": "Sragen",
    "amount": "Rp 125.000",
    "due_on": date(2027, 8, 31),
}


def texts_of_the_templates() -> set[str]:
    found = extract_from_dir(
        str(texts.TEMPLATES.parent), method_map=[("templates/**.txt", "jinja2")]
    )
    return {message for _file, _line, message, _comments, _context in found}


def test_every_text_of_the_templates_has_indonesian():
    catalog = read_po(CATALOG.open("rb"))
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(t for t in texts_of_the_templates() if not translated.get(t))
    assert missing == []


def test_every_kind_the_service_tells_has_a_template():
    source = "".join(
        p.read_text() for p in (texts.TEMPLATES.parent).glob("*.py") if p.name != "texts.py"
    )
    told = {kind for kind in texts.kinds() if f'"{kind}"' in source}
    assert told == set(texts.kinds())  # no template left unused
    assert Reactions  # the handlers' module imports


def test_each_kind_renders_in_both_languages_and_differs():
    for kind in texts.kinds():
        english = texts.render(kind, "en", **SAMPLE)
        indonesian = texts.render(kind, "id", **SAMPLE)
        assert all(english) and all(indonesian), kind
        assert english != indonesian, kind


def test_a_permit_is_told_with_its_number_and_link_in_indonesian():
    subject, body = texts.render("permit_issued", "id", **SAMPLE)
    assert subject == "Izin PBG-3314-2027-0001 Anda telah terbit"
    assert "berlaku sampai 4 Januari 2032" in body
    assert SAMPLE["verify_url"] in body


def test_moments_are_told_in_mall_time_and_amounts_as_the_language_writes_them():
    _, body = texts.render("booking_created", "en", **SAMPLE)
    assert "5 January 2027, 09:00 WIB" in body
    assert texts.rupiah(1250000, "id") == "Rp 1.250.000"
    assert texts.rupiah(1250000, "en") == "Rp 1,250,000"
