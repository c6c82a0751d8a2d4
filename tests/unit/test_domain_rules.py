"""Framework-free rules of the civil registry, the queue and licensing."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.civil_registry.domain import nik_birth_part, nik_problems
from services.licensing.domain import is_open
from services.queue.domain import service_day, ticket_label

# Region 320101, born 17 May 1990, serial 0001.
MAN_BORN_17_MAY_1990 = "3201011705900001"
WOMAN_BORN_17_MAY_1990 = "3201015705900001"  # day 17 + 40 = 57
BIRTH = date(1990, 5, 17)


# --- civil registry: NIK -------------------------------------------------------------------


def test_mans_nik_day_part_is_his_day_of_birth():
    assert nik_birth_part(BIRTH, "M") == "170590"


def test_womens_nik_day_part_is_raised_by_40():
    assert nik_birth_part(BIRTH, "F") == "570590"


def test_single_digit_day_is_zero_padded_for_men():
    assert nik_birth_part(date(2001, 1, 3), "M") == "030101"


@pytest.mark.parametrize(
    "nik, sex, expected",
    [
        pytest.param(MAN_BORN_17_MAY_1990, "M", [], id="valid-male"),
        pytest.param(WOMAN_BORN_17_MAY_1990, "F", [], id="valid-female-day-plus-40"),
        pytest.param("320101170590001", "M", ["must be 16 digits"], id="too-short"),
        pytest.param("32010117059000012", "M", ["must be 16 digits"], id="too-long"),
        pytest.param("32O1011705900001", "M", ["must be 16 digits"], id="letter-O-for-zero"),
        pytest.param("3201 11705900001", "M", ["must be 16 digits"], id="space"),
        pytest.param(
            "3201011805900001",
            "M",
            ["digits 7-12 must be the birth date as DDMMYY (170590)"],
            id="wrong-date-part",
        ),
        pytest.param(
            "3201011705900000", "M", ["serial (digits 13-16) must not be 0000"], id="serial-0000"
        ),
    ],
)
def test_nik_problems(nik, sex, expected):
    assert nik_problems(nik, BIRTH, sex) == expected


def test_nik_with_the_wrong_birth_date_part_names_the_expected_digits():
    problems = nik_problems("3201011805900001", BIRTH, "M")
    assert problems == ["digits 7-12 must be the birth date as DDMMYY (170590)"]


def test_womans_nik_without_the_40_mentions_the_rule_for_women():
    (problem,) = nik_problems(MAN_BORN_17_MAY_1990, BIRTH, "F")
    assert "(570590)" in problem
    assert "40 added to the day for women" in problem


def test_mans_nik_with_the_40_added_is_wrong():
    (problem,) = nik_problems(WOMAN_BORN_17_MAY_1990, BIRTH, "M")
    assert "(170590)" in problem
    assert "women" not in problem


def test_nik_with_serial_0000_is_rejected():
    assert nik_problems("3201011705900000", BIRTH, "M") == [
        "serial (digits 13-16) must not be 0000"
    ]


def test_nik_with_wrong_date_and_serial_0000_reports_both():
    problems = nik_problems("3201011805900000", BIRTH, "M")
    assert len(problems) == 2


# --- queue -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix, number, label",
    [("A", 1, "A-001"), ("B", 42, "B-042"), ("KTP", 999, "KTP-999"), ("A", 1000, "A-1000")],
)
def test_ticket_label_is_prefix_dash_zero_padded_number(prefix, number, label):
    assert ticket_label(prefix, number) == label


def test_service_day_late_evening_utc_is_already_tomorrow_in_jakarta():
    assert service_day(datetime(2026, 11, 23, 17, 30, tzinfo=UTC)) == date(2026, 11, 24)


def test_service_day_just_before_jakarta_midnight_is_still_today():
    assert service_day(datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC)) == date(2026, 11, 23)


def test_service_day_starts_exactly_at_jakarta_midnight():
    assert service_day(datetime(2026, 11, 23, 17, 0, tzinfo=UTC)) == date(2026, 11, 24)


def test_service_day_reads_times_given_in_other_zones():
    tokyo = timezone(timedelta(hours=9))
    # 01:30 in Tokyo on the 24th is 23:30 on the 23rd in Jakarta (UTC+7).
    assert service_day(datetime(2026, 11, 24, 1, 30, tzinfo=tokyo)) == date(2026, 11, 23)


# --- licensing -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "submitted", "in_verification", "revision_requested"])
def test_applications_waiting_for_action_are_open(status):
    assert is_open(status)


@pytest.mark.parametrize("status", ["approved", "rejected", "withdrawn", "issued", ""])
def test_closed_applications_are_not_open(status):
    assert not is_open(status)
