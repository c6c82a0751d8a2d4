"""Every kind of notification has a template, and every text of it has Indonesian."""

import ast
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
    "receipt": "KW-2027-000123",
    "paid_at": datetime(2027, 1, 6, 3, 30, tzinfo=UTC),
    "label": "A-012",
    "position": 3,
    "married_on": date(2027, 1, 9),
    "closed_day": {"id": "Cuti bersama", "en": "Collective leave"},
    "week_start": date(2027, 1, 4),
    "week_last_day": date(2027, 1, 10),
    "total": 4,
    "readers": [
        {"actor_role": "verifier", "actor_agency": "dpmptsp", "reads": 3},
        {"actor_role": "registrar", "actor_agency": "disdukcapil", "reads": 1},
    ],
    "record_reads_url": "http://127.0.0.1:8000/my-record",
    "status": "in_review",
    "status_name": None,
    "by_mall": False,
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


def kinds_the_code_tells() -> set[str]:
    """Every kind named in a call that makes a notification or schedules one (and the
    kinds a status maps to), read from the service's source."""
    positions = {
        "_tell_person": 1,
        "_tell_agency": 1,
        "_tell_bill": 1,
        "_tell_fee": 1,
        "_schedule": 3,
    }
    found = set()
    for path in texts.TEMPLATES.parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                at = positions.get(node.func.attr)
                if at is not None and len(node.args) > at:
                    argument = node.args[at]
                    if isinstance(argument, ast.Constant):
                        found.add(argument.value)
                    else:  # a variable: the mapping it comes from is below
                        found.add(None)
            if isinstance(node, ast.Dict) and "revision_requested" in [
                getattr(k, "value", None) for k in node.keys
            ]:
                found |= {v.value for v in node.values if isinstance(v, ast.Constant)}
    return found - {None}


def test_every_kind_the_code_tells_has_a_template():
    told = kinds_the_code_tells()
    assert {"permit_issued", "booking_reminder", "application_rejected"} <= told
    assert told == set(texts.kinds())  # each told kind has a template, each template is told


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


def test_the_weekly_digest_of_record_reads_lists_each_reader_in_indonesian():
    subject, body = texts.render("record_reads", "id", **SAMPLE)
    assert subject == "Siapa yang membaca data Anda pada pekan 4 Januari 2027"
    assert "dari 4 Januari 2027 sampai 10 Januari 2027. Jumlah pembacaan: 4." in body
    assert "- verifier (dpmptsp): 3\n- registrar (disdukcapil): 1" in body
    assert body.endswith("tercantum di http://127.0.0.1:8000/my-record")


def test_a_modules_step_is_told_by_the_modules_name_of_the_state_or_the_malls_word():
    complaint = {"id": "Pengaduan layanan", "en": "Complaint about a service"}
    verified = {"id": "Terverifikasi", "en": "Verified"}
    values = {**SAMPLE, "service": complaint, "status": "verified", "status_name": verified}
    subject, body = texts.render("module_step", "id", **values)
    assert subject == "Pengaduan layanan: kini Terverifikasi"
    assert body == (
        "Permohonan Anda untuk Pengaduan layanan telah berlanjut. Statusnya kini: "
        "Terverifikasi.\n\nLampirkan denah"
    )
    subject, _ = texts.render("module_step", "en", **values)
    assert subject == "Complaint about a service: now Verified"
    # no name from the module: the decision table's states in the mall's words, else the code
    in_review = {**SAMPLE, "service": "Bantuan pangan", "note": ""}
    assert (
        texts.render("module_step", "id", **in_review)[0] == "Bantuan pangan: kini Sedang ditinjau"
    )
    unnamed = {**in_review, "status": "appealed"}
    assert texts.render("module_step", "id", **unnamed)[0] == "Bantuan pangan: kini appealed"
    _, by_mall = texts.render("module_step", "id", **{**in_review, "by_mall": True})
    assert by_mall.endswith("Langkah ini diambil oleh mal secara otomatis.")


def test_the_agency_owing_a_modules_step_is_told_in_the_malls_language():
    sent = {"id": "Diteruskan ke instansi", "en": "Sent to the agency"}
    values = {**SAMPLE, "service": "Pengaduan layanan", "status_name": sent, "note": ""}
    subject, body = texts.render("module_step_awaited", "id", **values)
    assert subject == "Menunggu langkah instansi Anda: Pengaduan layanan (Diteruskan ke instansi)"
    assert body == (
        "Permohonan Pengaduan layanan kini berstatus Diteruskan ke instansi dan menunggu "
        "langkah berikutnya dari instansi Anda."
    )
