"""Rules of civil registration, free of any framework."""

from datetime import date

WOMEN_DAY_OFFSET = 40


def nik_birth_part(birth_date: date, sex: str) -> str:
    """The DDMMYY part of a NIK; women's day of birth is raised by 40."""
    day = birth_date.day + (WOMEN_DAY_OFFSET if sex == "F" else 0)
    return f"{day:02d}{birth_date:%m%y}"


def nik_problems(nik: str, birth_date: date, sex: str) -> list[str]:
    """Reasons a NIK does not fit its holder; empty when it does."""
    problems = []
    if len(nik) != 16 or not nik.isdigit():
        return ["must be 16 digits"]
    if nik[6:12] != nik_birth_part(birth_date, sex):
        problems.append(
            f"digits 7-12 must be the birth date as DDMMYY ({nik_birth_part(birth_date, sex)})"
            + (", with 40 added to the day for women" if sex == "F" else "")
        )
    if nik[12:] == "0000":
        problems.append("serial (digits 13-16) must not be 0000")
    return problems
