"""The complaint desk's rules: redaction for the public, "add my voice", service levels and
escalation, accountability per agency, and who sees the complainant."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chassis import actor
from services.complaints import domain
from services.complaints.domain import (
    CLOSED,
    DISPOSITIONED,
    FOLLOWED_UP,
    RECEIVED,
    REJECTED,
    REOPENED,
    RESOLVED,
    VERIFIED,
    AgencyStats,
    Complaint,
    agency_stats,
    escalation_target,
    likely_duplicate,
    public,
    redact,
    shown_complainant,
    similar,
)
from services.complaints.service import COMPLAINT, MANIFEST

NIK, PHONE, EMAIL = "[NIK]", "[telepon/phone]", "[email]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NIK saya 3314015708900001.", f"NIK saya {NIK}."),
        ("NIK 3314 0101 0101 0001 a.n. Siti", f"NIK {NIK} a.n. Siti"),
        ("3314-0101-0101-0001", NIK),
        ("3314.0101.0101.0001", NIK),
        ("331401 570890 0001", NIK),
        ("33 14 01 570890 0001", NIK),
        ("NIK:3314015708900001", f"NIK:{NIK}"),
        ("NIK3314015708900001", f"NIK{NIK}"),
        ("6271015708900001", NIK),  # Central Kalimantan starts 62, like a phone's country code
        ("NIK 3314015708900001 12 orang", f"NIK {NIK} orang"),  # a leak costs more than a 12
        ("+62 812-3456-7890", PHONE),
        ("+62-812-3456-7890", PHONE),
        ("+6281234567890", PHONE),
        ("62812345678", PHONE),
        ("+44 20 7946 0958", PHONE),  # a visitor from abroad leaks just as much
        ("62 812 3456 7890", PHONE),
        ("hubungi 0812 3456 7890 ya", f"hubungi {PHONE} ya"),
        ("0812-3456-7890", PHONE),
        ("0812.3456.7890", PHONE),
        ("081234567890", PHONE),
        ("Telp.081234567890", f"Telp.{PHONE}"),
        ("HP: 0857 1234 567", f"HP: {PHONE}"),
        ("(0271) 123456", PHONE),
        ("(021) 555 1234", PHONE),
        ("+62 (271) 891234", PHONE),
        ("0271-891234", PHONE),
        ("0271 891234", PHONE),
        ("budi.santoso+mpp@mail.sragenkab.go.id", EMAIL),
        ("tulis ke siti_a@gmail.com, terima kasih", f"tulis ke {EMAIL}, terima kasih"),
        ("siti0812345678@gmail.com", EMAIL),  # the address goes whole, not its digits
        (
            "Saya (NIK 3314015708900001, HP 0812-3456-7890) bayar Rp 150.000 pada 12-03-2026",
            f"Saya (NIK {NIK}, HP {PHONE}) bayar Rp 150.000 pada 12-03-2026",
        ),
    ],
)
def test_personal_numbers_and_addresses_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Rp 150.000",
        "Rp150.000",
        "Rp. 1.500.000.000",
        "biaya Rp 1.234.567.890.123.456",  # 16 digits, but written as thousands
        "Rp 628.000.000",  # starts like a 62 8.. phone, written as thousands
        "tagihan 150.000 200.000 175.000",
        "1,500,000",
        "tanggal 12-03-2026",
        "05-03-2026",
        "05.03.2026 pukul 08.30",
        "12/03/2026",
        "antrian A-012 dipanggil",
        "nomor antrian 012",
        "tahun 2026",
        "2025-2026",
        "kode pos 57211",
        "izin PBG-3314-2027-0001 belum terbit",
        "izin PBG/3314/2027/0001",
        "izin PBG-3314-2027-0001-0002",  # 16 digits in a label
        "akta kelahiran 3314-LT-05032026-0001",  # its tail starts 0 like a telephone number
        "Rp 1.500.000,00",
        "nomor 503/0123/2026",
        "RT 02 RW 05",
        "(2026) 1234",
        "suhu +5, antrian 40",
        "loket 3, 2 jam",
        "0271 1234",  # too short for any telephone
        "",
    ],
)
def test_ordinary_numbers_stay_as_written(text):
    assert redact(text) == text


def test_a_complaint_may_hold_several_personal_numbers():
    text = "Hubungi 0812 3456 7890 atau (0271) 891234; NIK 3314-0101-0101-0001."
    assert redact(text) == f"Hubungi {PHONE} atau {PHONE}; NIK {NIK}."


# --- duplicates ---------------------------------------------------------------------------
def complaint(text="Antrian loket 3 lama sekali", **fields) -> Complaint:
    return Complaint(
        **{
            "object_kind": "counter",
            "object_id": "counter-3",
            "category": "waiting_time",
            "text": text,
            "status": VERIFIED,
            **fields,
        }
    )


@pytest.mark.parametrize(
    ("a", "b", "at_least", "below"),
    [
        ("Antrian di loket 3 lama, 2 jam", "Antrian loket 3 sangat lama, menunggu 2 jam", 0.9, 1),
        ("ANTRIAN LOKET 3 LAMA!!!", "antrian, loket 3... lama", 1.0, 1.01),
        ("Petugasnya kasar", "petugas kasar", 1.0, 1.01),  # the possessive -nya is dropped
        ("AC mati, ruang tunggu panas", "Ruang tunggu sangat panas karena AC rusak", 0.75, 1),
        ("Petugas loket 2 kasar", "Loket 2 tutup jam 11", 0, domain.DUPLICATE_THRESHOLD),
        ("Petugas meminta uang tambahan", "Antrian lama, petugas lambat", 0, 0.3),
        ("Toilet kotor", "Parkir penuh", 0, 0.01),
        ("yang dan di ke", "yang dan di ke", 0, 0.01),  # stop words only say nothing
        ("", "", 0, 0.01),
    ],
)
def test_similarity_compares_content_words(a, b, at_least, below):
    assert at_least <= similar(a, b) < below
    assert similar(a, b) == similar(b, a)


def test_an_open_complaint_about_the_same_object_is_offered_most_similar_first():
    near = complaint("Antrian loket 3 lama sekali, sudah 2 jam menunggu")
    nearer = complaint("Antrian di loket 3 lama, 2 jam", status=DISPOSITIONED)
    unlike = complaint("Kursi ruang tunggu loket 3 rusak")
    new = complaint("Antrian loket 3 sangat lama, 2 jam")
    assert likely_duplicate(new, [near, unlike, nearer]) == [nearer, near]


@pytest.mark.parametrize(
    "status", [VERIFIED, DISPOSITIONED, FOLLOWED_UP, RESOLVED, REOPENED], ids=str
)
def test_a_complaint_still_open_is_offered(status):
    assert likely_duplicate(complaint(), [complaint(status=status)]) == [complaint(status=status)]


@pytest.mark.parametrize(
    "other",
    [
        complaint(status=CLOSED),
        complaint(status=REJECTED),
        complaint(status=RECEIVED),  # not yet verified: maybe no complaint at all
        complaint(anonymous=True),  # the citizen would read what is offered
        complaint(confidential=True),
        complaint(object_id="counter-4"),
        complaint(object_kind="service", object_id="counter-3"),
        complaint(category="staff_conduct"),
    ],
    ids=[
        "closed",
        "rejected",
        "received",
        "anonymous",
        "confidential",
        "other object",
        "other kind",
        "other category",
    ],
)
def test_a_like_complaint_is_not_offered_when_it_is_ended_hidden_or_about_something_else(other):
    assert likely_duplicate(complaint(), [other]) == []


# --- service levels and escalation ---------------------------------------------------------
def test_the_service_levels_are_lapors_in_working_days():
    assert domain.SERVICE_LEVEL_DAYS == {RECEIVED: 3, DISPOSITIONED: 5, REOPENED: 5, RESOLVED: 5}


@pytest.mark.parametrize(
    ("level", "role"),
    [(1, actor.AGENCY_ADMIN), (2, actor.MALL_MANAGER), (3, actor.MALL_MANAGER)],
)
def test_a_late_step_is_told_to_the_agency_administrator_then_the_mall_manager(level, role):
    assert escalation_target(level) == role


def test_escalation_levels_start_at_one():
    with pytest.raises(ValueError):
        escalation_target(0)


# --- accountability --------------------------------------------------------------------------
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def record(received_days_ago, answered_after_hours=None, due_in_days=5, rating=None, **fields):
    received = NOW - received_days_ago * DAY
    answered = (
        None if answered_after_hours is None else received + timedelta(hours=answered_after_hours)
    )
    return complaint(
        agency="disdukcapil",
        received_at=received,
        due_at=received + due_in_days * DAY,
        answered_at=answered,
        rating=rating,
        **fields,
    )


def test_no_complaints_give_zeros_and_no_averages():
    assert agency_stats([], NOW) == AgencyStats(
        received=0,
        resolved=0,
        resolved_within_level=0,
        overdue=0,
        median_hours_to_answer=None,
        rated=0,
        satisfied_share=None,
        mean_rating=None,
    )


def test_an_agency_is_counted_by_what_it_answered_how_fast_and_how_well():
    complaints = [
        record(10, answered_after_hours=10, rating=4),
        record(10, answered_after_hours=20, rating=3),
        record(10, answered_after_hours=30, rating=1),
        record(10, answered_after_hours=200, due_in_days=5),  # answered, but late and unrated
        record(10),  # never answered, due five days ago
        record(1),  # not answered yet, still within its service level
        record(10, status=REJECTED),  # not a complaint: nothing is owed
    ]
    assert agency_stats(complaints, NOW) == AgencyStats(
        received=7,
        resolved=4,
        resolved_within_level=3,
        overdue=1,
        median_hours_to_answer=25.0,
        rated=3,
        satisfied_share=0.67,
        mean_rating=2.67,
    )


def test_a_recorded_service_level_outcome_wins_over_the_due_date():
    late_but_excused = record(10, answered_after_hours=200, resolved_within_level=True)
    assert agency_stats([late_but_excused], NOW).resolved_within_level == 1


def test_an_answer_after_now_does_not_count_yet():
    stats = agency_stats([record(1, answered_after_hours=48)], NOW)
    assert (stats.resolved, stats.median_hours_to_answer) == (0, None)


def test_ratings_without_an_answer_timestamp_do_not_skew_satisfaction():
    stats = agency_stats([record(3, rating=1)], NOW)
    assert (stats.rated, stats.satisfied_share, stats.mean_rating) == (0, None, None)


# --- visibility ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "listed"),
    [
        ({}, True),
        ({"status": RESOLVED}, True),
        ({"status": CLOSED}, True),
        ({"status": RECEIVED}, False),
        ({"status": REJECTED}, False),
        ({"anonymous": True}, False),
        ({"confidential": True}, False),
        ({"anonymous": True, "confidential": True}, False),
    ],
)
def test_the_public_page_lists_verified_complaints_the_complainant_did_not_hide(fields, listed):
    assert public(complaint(**fields)) is listed


ORDINARY = complaint(complainant="Siti Aminah")
CONFIDENTIAL = replace(ORDINARY, confidential=True)
ANONYMOUS = replace(ORDINARY, anonymous=True)
BOTH = replace(ORDINARY, anonymous=True, confidential=True)
HERSELF = {
    "viewer_role": actor.CITIZEN,
    "viewer_is_complaint_officer": False,
    "viewer_is_complainant": True,
}
OFFICER = {"viewer_role": actor.MALL_MANAGER, "viewer_is_complaint_officer": True}
ANYONE = [None, actor.CITIZEN, actor.MALL_ADMIN, actor.SYSTEM, "someone_new"]
STAFF = sorted(domain.STAFF_ROLES)


def viewers(*roles):
    return [{"viewer_role": role, "viewer_is_complaint_officer": False} for role in roles]


# (viewer, complaint, shown?) for every row and column of shown_complainant's table
TABLE = (
    [(HERSELF, c, True) for c in (ORDINARY, CONFIDENTIAL, ANONYMOUS, BOTH)]
    + [(OFFICER, ORDINARY, True), (OFFICER, CONFIDENTIAL, True)]
    + [(OFFICER, ANONYMOUS, False), (OFFICER, BOTH, False)]
    + [(v, ORDINARY, True) for v in viewers(*STAFF)]
    + [(v, c, False) for v in viewers(*STAFF) for c in (CONFIDENTIAL, ANONYMOUS, BOTH)]
    + [(v, c, False) for v in viewers(*ANYONE) for c in (ORDINARY, CONFIDENTIAL, ANONYMOUS)]
)


@pytest.mark.parametrize(("viewer", "complaint_", "shown"), TABLE)
def test_the_complainant_is_shown_by_the_rule_table(viewer, complaint_, shown):
    assert shown_complainant(complaint_, **viewer) == ("Siti Aminah" if shown else None)


def test_agency_staff_never_see_who_filed_an_anonymous_complaint():
    assert all(shown_complainant(ANONYMOUS, role, False) is None for role in STAFF)


def test_a_visitor_who_gave_no_name_shows_none_even_to_the_officer():
    assert shown_complainant(replace(ORDINARY, complainant=None), None, True) is None


def test_the_roles_that_see_the_complainant_are_the_malls_staff_roles():
    assert domain.STAFF_ROLES <= actor.STAFF_ROLES
    assert actor.MALL_ADMIN not in domain.STAFF_ROLES  # it creates accounts, it handles no case


def test_the_complaint_desks_lifecycle_table_is_sound():
    assert COMPLAINT.problems() == []
    assert dict(COMPLAINT.service_levels) == domain.SERVICE_LEVEL_DAYS
    assert COMPLAINT.final_states == {domain.REJECTED, domain.CLOSED}


# --- her own ticket, booking or application ------------------------------------------------
TICKET = {"ticket": {"person_id": "person-siti", "service_code": "population"}}


@pytest.mark.parametrize(
    ("kind", "found", "hers"),
    [
        ("ticket", TICKET, True),
        ("ticket", {"ticket": {"person_id": None}}, True),  # a walk-in ticket: its bearer's
        ("ticket", {"ticket": {"person_id": "person-budi"}}, False),
        ("application", {"applicant_id": "person-siti"}, True),
        ("application", {"applicant_id": "person-budi"}, False),
        ("booking", {"service_code": "population"}, True),  # the queue shows it to her alone
    ],
    ids=["her ticket", "walk-in ticket", "his ticket", "her application", "his", "booking"],
)
def test_a_complaint_names_only_an_object_she_holds_or_bears(kind, found, hers):
    assert domain.is_hers(kind, found, "person-siti") is hers


def test_what_is_kept_of_her_ticket_names_the_service_and_not_her():
    found = {
        "ticket": {
            "id": "t-1",
            "person_id": "person-siti",
            "service_code": "population",
            "counter_id": "loket-1",
            "day": "2026-12-07",
            "label": "A-001",
        }
    }
    facts = domain.object_facts("ticket", found)
    assert facts == {
        "kind": "ticket",
        "service_code": "population",
        "counter_id": "loket-1",
        "day": "2026-12-07",
    }


@pytest.mark.parametrize("kind", domain.OWNED_OBJECTS)
def test_her_own_objects_are_in_the_kinds_a_complaint_may_name(kind):
    assert kind in domain.OBJECT_KINDS and domain.names_her(kind)


@pytest.mark.parametrize("kind", ["service", "counter", "agency", "mall"])
def test_a_place_of_the_mall_does_not_name_the_complainant(kind):
    assert not domain.names_her(kind)


def test_the_manifest_offers_exactly_the_kinds_the_rules_know():
    [service] = MANIFEST["services"]
    [object_kind] = [f for f in service["form"] if f["name"] == "object_kind"]
    assert tuple(object_kind["choices"]) == domain.OBJECT_KINDS
