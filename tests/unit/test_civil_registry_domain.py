"""The civil registry's rules: NIKs, family card numbers, masking and certificates."""

import re
from datetime import date, timedelta

import pytest

from services.civil_registry.domain import (
    Life,
    birth_date_problems,
    birth_part,
    certificate_number,
    death_problems,
    family_card_problems,
    make_nik,
    marriage_problems,
    mask_name,
    mask_nik,
    new_check_code,
    nik_problems,
)

# Kalijambe (331401), Sragen, Jawa Tengah; born 17 May 1990; serial 0001.
BORN = date(1990, 5, 17)
MANS_NIK = "3314011705900001"
WOMANS_NIK = "3314015705900001"  # day 17 + 40 = 57


# --- nik_problems --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nik, birth_date, sex",
    [
        pytest.param(MANS_NIK, BORN, "M", id="a man's NIK carries his day of birth"),
        pytest.param(WOMANS_NIK, BORN, "F", id="a woman's NIK carries her day of birth plus 40"),
        pytest.param(
            "3314012902920001", date(1992, 2, 29), "M", id="29 February of a leap year exists"
        ),
        pytest.param(
            "3314016902000001", date(2000, 2, 29), "F", id="29 February 2000 exists for a woman"
        ),
        pytest.param(
            "3314013112990001", date(1999, 12, 31), "M", id="the last day of a year exists"
        ),
        pytest.param("3372054101050001", date(2005, 1, 1), "F", id="women's day 41 is the 1st"),
    ],
)
def test_a_valid_nik_has_no_problems(nik, birth_date, sex):
    assert nik_problems(nik, birth_date, sex) == []


def test_a_valid_nik_has_no_problems_when_the_holder_is_not_given():
    assert nik_problems(WOMANS_NIK) == []


@pytest.mark.parametrize(
    "nik",
    [
        pytest.param("331401170590001", id="15 digits are too few"),
        pytest.param("33140117059000011", id="17 digits are too many"),
        pytest.param("", id="an empty NIK has no digits"),
        pytest.param("33140117O5900001", id="a letter O is not a zero"),
        pytest.param("3314 11705900001", id="a space is not a digit"),
        pytest.param("-314011705900001", id="a sign is not a digit"),
    ],
)
def test_a_nik_that_is_not_16_digits_says_so_and_nothing_else(nik):
    assert nik_problems(nik, BORN, "M") == ["must be 16 digits 0-9"]


@pytest.mark.parametrize(
    "nik, names",
    [
        pytest.param("9914011705900001", "province code 99 is unknown", id="unknown province"),
        pytest.param(
            "3399011705900001",
            "regency code 99 is unknown in province 33",
            id="unknown regency of a known province",
        ),
        pytest.param(
            "3314991705900001",
            "district code 99 is unknown in regency 3314",
            id="unknown district of a known regency",
        ),
    ],
)
def test_an_unknown_region_names_which_part_is_unknown(nik, names):
    (problem,) = nik_problems(nik, BORN, "M")
    assert problem.startswith("region (digits 1-6)")
    assert names in problem


@pytest.mark.parametrize(
    "nik, names",
    [
        pytest.param("3314011713900001", "month 13 does not exist", id="there is no month 13"),
        pytest.param("3314011700900001", "month 00 does not exist", id="there is no month 00"),
        pytest.param("3314013205900001", "day 32 is not a day of month 05", id="no day 32"),
        pytest.param("3314010005900001", "day 00 is not a day of month 05", id="no day 00"),
        pytest.param("3314017205900001", "day 72 is not a day of month 05", id="no women's day 72"),
        pytest.param(
            "3314014005900001",
            "day 40 is not a day of month 05",
            id="day 40 is neither a man's nor a woman's day",
        ),
        pytest.param(
            "3314013102900001", "day 31 is not a day of month 02", id="31 February does not exist"
        ),
        pytest.param(
            "3314017102900001",
            "day 71 is not a day of month 02",
            id="31 February does not exist for women either",
        ),
        pytest.param(
            "3314012902910001",
            "day 29 is not a day of month 02",
            id="29 February does not exist outside leap years",
        ),
    ],
)
def test_an_impossible_birth_date_names_the_month_or_day(nik, names):
    (problem,) = nik_problems(nik)
    assert problem.startswith("birth date (digits 7-12)")
    assert names in problem


def test_a_womans_nik_with_the_mans_day_part_names_the_40_added_rule():
    (problem,) = nik_problems(MANS_NIK, BORN, "F")
    assert "40 added to the day for women" in problem
    assert problem.endswith("570590")


def test_a_mans_nik_with_40_added_to_the_day_expects_the_plain_day():
    (problem,) = nik_problems(WOMANS_NIK, BORN, "M")
    assert problem.endswith("170590")
    assert "women" not in problem


def test_a_nik_of_another_birth_date_expects_the_holders_date():
    (problem,) = nik_problems("3314011805900001", BORN, "M")
    assert problem == "birth date (digits 7-12) must be the birth date as DDMMYY: 170590"


def test_serial_0000_is_not_a_serial():
    assert nik_problems("3314011705900000", BORN, "M") == ["serial (digits 13-16) must not be 0000"]


def test_every_broken_rule_is_named_at_once():
    problems = nik_problems("3314991705900000", BORN, "M")
    assert len(problems) == 2
    assert "district code 99" in problems[0]
    assert "0000" in problems[1]


# --- birth_part and make_nik ---------------------------------------------------------------


@pytest.mark.parametrize(
    "birth_date, sex, part",
    [
        pytest.param(BORN, "M", "170590", id="a man's part is his birth date as DDMMYY"),
        pytest.param(BORN, "F", "570590", id="a woman's day is raised by 40"),
        pytest.param(date(2001, 1, 3), "M", "030101", id="a man's single-digit day is padded"),
        pytest.param(date(2001, 1, 3), "F", "430101", id="a woman born on the 3rd has day 43"),
        pytest.param(date(2000, 12, 31), "F", "711200", id="a woman's last possible day is 71"),
        pytest.param(date(2009, 7, 9), "M", "090709", id="the year keeps its leading zero"),
    ],
)
def test_birth_part(birth_date, sex, part):
    assert birth_part(birth_date, sex) == part


def test_make_nik_joins_region_birth_part_and_padded_serial():
    assert make_nik("331401", BORN, "F", 7) == "3314015705900007"


def test_a_made_nik_is_valid_for_its_holder():
    nik = make_nik("337204", date(1984, 2, 29), "F", 12)
    assert nik == "3372046902840012"
    assert nik_problems(nik, date(1984, 2, 29), "F") == []


# --- family cards --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, problems",
    [
        pytest.param("3314012301200001", [], id="a KK number of a known district is valid"),
        pytest.param("331401230120001", ["must be 16 digits 0-9"], id="15 digits are too few"),
        pytest.param("33140123012000A1", ["must be 16 digits 0-9"], id="letters are refused"),
        pytest.param(
            "9914012301200001",
            ["region (digits 1-6): province code 99 is unknown"],
            id="an unknown province is named",
        ),
        pytest.param(
            "3314992301200001",
            ["region (digits 1-6): district code 99 is unknown in regency 3314"],
            id="an unknown district is named",
        ),
    ],
)
def test_family_card_problems(number, problems):
    assert family_card_problems(number) == problems


# --- masking -------------------------------------------------------------------------------


def test_a_masked_nik_keeps_the_regency_and_serial_and_hides_the_birth_date():
    assert mask_nik("3314015708900001") == "3314********0001"


@pytest.mark.parametrize(
    "full_name, masked",
    [
        pytest.param("Siti Rahayu", "S*** R*****", id="each word keeps only its initial"),
        pytest.param("Slamet", "S*****", id="a single name is masked too"),
        pytest.param("Budi  Santoso ", "B*** S******", id="extra spaces are dropped"),
        pytest.param("Ayu Dewi Lestari", "A** D*** L******", id="three words give three initials"),
    ],
)
def test_mask_name(full_name, masked):
    assert mask_name(full_name) == masked


# --- certificates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, number",
    [
        pytest.param("birth", "3314-LT-23112026-0007", id="a birth certificate is LT"),
        pytest.param("death", "3314-KM-23112026-0007", id="a death certificate is KM"),
        pytest.param("marriage", "3314-KW-23112026-0007", id="a marriage certificate is KW"),
    ],
)
def test_certificate_number_is_regency_kind_date_of_issue_and_sequence(kind, number):
    assert certificate_number("3314", kind, date(2026, 11, 23), 7) == number


def test_certificate_number_pads_day_month_and_sequence():
    assert certificate_number("3372", "birth", date(2026, 1, 5), 123) == "3372-LT-05012026-0123"


def test_a_check_code_is_8_uppercase_hex_characters():
    assert re.fullmatch(r"[0-9A-F]{8}", new_check_code())


def test_check_codes_differ_between_calls():
    codes = {new_check_code() for _ in range(20)}
    assert len(codes) == 20


# --- dates that must agree -----------------------------------------------------------------

TODAY = date(2026, 12, 3)
MOTHER = Life(date(1990, 8, 17))
FATHER = Life(date(1985, 3, 2))


def test_a_birth_date_agreeing_with_everything_known_has_no_problems():
    assert birth_date_problems(date(2020, 1, 1), TODAY, mother=MOTHER, father=FATHER) == []
    assert birth_date_problems(TODAY, TODAY) == []  # born today (in the mall)


@pytest.mark.parametrize(
    "born, known, reason",
    [
        pytest.param(TODAY + timedelta(days=1), {}, "is in the future", id="future"),
        pytest.param(
            date(1989, 1, 1), {"mother": MOTHER}, "not after the mother's own birth", id="before"
        ),
        pytest.param(
            date(2000, 8, 16), {"mother": MOTHER}, "mother (born 1990-08-17) would be under 10"
        ),
        pytest.param(
            date(2020, 1, 2),
            {"mother": Life(MOTHER.born, date(2020, 1, 1))},
            "after the mother's death (2020-01-01)",
            id="after the mother's death",
        ),
        pytest.param(
            date(2020, 1, 1),
            {"father": Life(FATHER.born, date(2019, 3, 1))},
            "more than 300 days after the father's death",
            id="long after the father's death",
        ),
        pytest.param(date(1995, 1, 1), {"father": Life(date(1990, 1, 1))}, "father", id="young"),
        pytest.param(date(2000, 1, 1), {"died": date(1999, 1, 1)}, "after the date of death"),
        pytest.param(
            date(2000, 1, 1), {"married_on": (date(2018, 6, 1),)}, "under 19 at the marriage"
        ),
        pytest.param(
            date(2012, 1, 1),
            {"sex": "F", "children_born": (date(2020, 1, 1),)},
            "contradicts a child born 2020-01-01",
            id="her child would be born when she is 8",
        ),
    ],
)
def test_a_birth_date_contradicting_a_known_date_is_named(born, known, reason):
    problems = birth_date_problems(born, TODAY, **known)
    assert any(reason in problem for problem in problems), problems


def test_a_child_born_within_300_days_of_the_fathers_death_is_his():
    father = Life(FATHER.born, date(2019, 3, 1))
    assert birth_date_problems(date(2019, 12, 26), TODAY, father=father) == []


@pytest.mark.parametrize(
    "died_on, known, reason",
    [
        pytest.param(TODAY + timedelta(days=1), {}, "is in the future", id="future"),
        pytest.param(date(1980, 1, 1), {}, "before the birth date", id="before birth"),
        pytest.param(
            date(2015, 1, 1), {"married_on": (date(2016, 1, 1),)}, "before the person's marriage"
        ),
        pytest.param(
            date(2019, 12, 31),
            {"sex": "F", "children_born": (date(2020, 1, 1),)},
            "before the birth of a child",
            id="a mother dies before her child's birth",
        ),
        pytest.param(
            date(2018, 1, 1),
            {"sex": "M", "children_born": (date(2020, 1, 1),)},
            "more than 300 days before the birth of a child",
            id="a father dies long before his child's birth",
        ),
    ],
)
def test_a_date_of_death_contradicting_a_known_date_is_named(died_on, known, reason):
    problems = death_problems(died_on, TODAY, Life(date(1985, 3, 2)), **({"sex": "M"} | known))
    assert any(reason in problem for problem in problems), problems


def test_a_father_may_die_before_his_childs_birth():
    born = (date(2020, 1, 1),)
    assert death_problems(date(2019, 6, 1), TODAY, FATHER, sex="M", children_born=born) == []


@pytest.mark.parametrize(
    "married_on, reason",
    [
        (TODAY + timedelta(days=1), "is in the future"),
        (date(2009, 3, 1), "Siti is under 19 on that date"),  # 18, though 19 today
        (date(1980, 1, 1), "before Siti was born"),
        (date(2021, 1, 1), "after the death of Budi (2020-01-01)"),
    ],
)
def test_a_marriage_date_contradicting_the_spouses_lives_is_named(married_on, reason):
    spouses = [("Siti", Life(date(1990, 8, 17))), ("Budi", Life(FATHER.born, date(2020, 1, 1)))]
    assert any(reason in problem for problem in marriage_problems(married_on, TODAY, spouses))


def test_a_marriage_on_the_nineteenth_birthday_is_allowed():
    spouses = [("Siti", Life(date(1990, 8, 17))), ("Budi", FATHER)]
    assert marriage_problems(date(2009, 8, 17), TODAY, spouses) == []


# --- digits of other scripts ---------------------------------------------------------------

ARABIC_INDIC = "٣٣١٤٠١٥٧٠٥٩٠٠٠٠١"  # 3314015705900001 in Arabic-Indic digits
FULL_WIDTH = "３３１４０１５７０５９０００１"[:15] + "１"  # 16 full-width digits


@pytest.mark.parametrize(
    "nik, digit",
    [
        pytest.param(ARABIC_INDIC, "٣", id="Arabic-Indic digits"),
        pytest.param(FULL_WIDTH, "３", id="full-width digits"),
        pytest.param("331401570590000३", "३", id="one Devanagari digit"),
    ],
)
def test_a_nik_of_another_scripts_digits_is_refused_naming_the_digit(nik, digit):
    assert len(nik) == 16 and nik.isdigit()  # what the old check let through
    assert nik_problems(nik) == [f"must be 16 digits 0-9: {digit!r} is a digit of another script"]
    assert family_card_problems(nik) == nik_problems(nik)


def test_a_nik_with_a_trailing_newline_is_not_16_digits():
    assert nik_problems("3314015705900001\n") == ["must be 16 digits 0-9"]
