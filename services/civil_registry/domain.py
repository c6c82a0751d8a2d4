"""Rules of civil registration, free of any framework.

A NIK is 16 digits: region (province 2, regency 2, district 2), birth date as DDMMYY with
40 added to the day for women, then a 4-digit serial. A family card (KK) number is also 16
digits and starts with the region of the family.
"""

import secrets
from datetime import date

from contracts.privacy import mask_name, mask_nik  # noqa: F401  (re-exported)
from services.civil_registry.regions import region_problem

WOMEN_DAY_OFFSET = 40
FEMALE, MALE = "F", "M"
CERTIFICATE_KINDS = {"birth": "LT", "death": "KM", "marriage": "KW"}
RELATIONSHIPS = ("head", "spouse", "child", "parent", "other")


def birth_part(birth_date: date, sex: str) -> str:
    """The DDMMYY part of a NIK; women's day of birth is raised by 40."""
    day = birth_date.day + (WOMEN_DAY_OFFSET if sex == FEMALE else 0)
    return f"{day:02d}{birth_date:%m%y}"


def make_nik(region: str, birth_date: date, sex: str, serial: int) -> str:
    if not 1 <= serial <= 9999:
        raise ValueError(f"a NIK serial is 0001-9999, not {serial}")
    return f"{region}{birth_part(birth_date, sex)}{serial:04d}"


def nik_problems(nik: str, birth_date: date | None = None, sex: str | None = None) -> list[str]:
    """Every rule the NIK breaks, named; empty when it is valid (for this holder, if given)."""
    if len(nik) != 16 or not nik.isdigit():
        return ["must be exactly 16 digits"]
    problems = []
    if problem := region_problem(nik[:6]):
        problems.append(f"region (digits 1-6): {problem}")
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > WOMEN_DAY_OFFSET
    real_day = day - WOMEN_DAY_OFFSET if female else day
    if not 1 <= month <= 12:
        problems.append(f"birth date (digits 7-12): month {month:02d} does not exist")
    elif not _is_day_of_month(real_day, month, year2):
        women = " (women's days are 41-71)" if day > 31 else ""
        problems.append(
            f"birth date (digits 7-12): day {day:02d} is not a day of month {month:02d}{women}"
        )
    elif birth_date is not None and sex is not None:
        expected = birth_part(birth_date, sex)
        if nik[6:12] != expected:
            women = ", with 40 added to the day for women" if sex == FEMALE else ""
            problems.append(
                f"birth date (digits 7-12) must be the birth date as DDMMYY{women}: {expected}"
            )
    if nik[12:] == "0000":
        problems.append("serial (digits 13-16) must not be 0000")
    return problems


def _is_day_of_month(day: int, month: int, year2: int) -> bool:
    # The century is not in a NIK: a day is valid if it exists in either candidate year.
    for year in (1900 + year2, 2000 + year2):
        try:
            date(year, month, day)
            return True
        except ValueError:
            continue
    return False


def family_card_problems(number: str) -> list[str]:
    if len(number) != 16 or not number.isdigit():
        return ["must be exactly 16 digits"]
    problem = region_problem(number[:6])
    return [f"region (digits 1-6): {problem}"] if problem else []


def certificate_number(regency: str, kind: str, issued_on: date, sequence: int) -> str:
    """Like 3314-LT-23112026-0007: regency, kind, date of issue, daily sequence."""
    return f"{regency}-{CERTIFICATE_KINDS[kind]}-{issued_on:%d%m%Y}-{sequence:04d}"


def new_check_code() -> str:
    """Printed beside the number; asked for by public verification so numbers can't be
    enumerated."""
    return secrets.token_hex(4).upper()
