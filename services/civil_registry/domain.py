"""Rules of civil registration, free of any framework.

A NIK is 16 digits: region (province 2, regency 2, district 2), birth date as DDMMYY with
40 added to the day for women, then a 4-digit serial. A family card (KK) number is also 16
digits and starts with the region of the family.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from contracts import refusals
from contracts.digits import digits_problem
from contracts.privacy import mask_name, mask_nik  # noqa: F401  (re-exported)
from contracts.refusals.registry import SERIAL_ZERO
from services.civil_registry.regions import region_problem

WOMEN_DAY_OFFSET = 40
FEMALE, MALE = "F", "M"
CERTIFICATE_KINDS = {"birth": "LT", "death": "KM", "marriage": "KW"}
RELATIONSHIPS = ("head", "spouse", "child", "parent", "other")
MARRIAGE_MIN_AGE = 19  # Law 16/2019, on the day of the marriage
# A parent younger than this at a birth is a wrong date, not a fact: the youngest recorded
# mothers were about 10; the same floor is used for fathers.
PARENT_MIN_AGE = 10
ALIVE, DECEASED = "alive", "deceased"
MAX_NIK_SERIAL = 9999
NIK_FIELDS = frozenset({"nik", "birth_date", "sex"})  # what a NIK encodes, and itself
# A child may be born after the father's death: a pregnancy lasts up to about 300 days
# (the civil code's presumption of paternity, KUHPerdata art. 255, uses 300 days too).
POSTHUMOUS_BIRTH_DAYS = 300


class Problem(str):
    """A rule broken that refuses the whole request: its English text (as the rule reads),
    with the refusal code and values the service refuses with, so that the pages say it in
    the visitor's language."""

    code: str
    params: dict

    def __new__(cls, code: str, **params):
        problem = super().__new__(cls, refusals.text(code, params))
        problem.code, problem.params = code, params
        return problem


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
    if problem := digits_problem(nik, 16):
        return [problem]
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
        problems.append(SERIAL_ZERO)
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
    if problem := digits_problem(number, 16):
        return [problem]
    problem = region_problem(number[:6])
    return [f"region (digits 1-6): {problem}"] if problem else []


# --- dates that must agree ------------------------------------------------------------------


@dataclass(frozen=True)
class Life:
    """The dates the registry knows of a person."""

    born: date
    died: date | None = None


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def age_on(born: date, day: date) -> int:
    """Whole years of someone born on ``born`` on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def parent_problems(child_born: date, parent: Life, role: str) -> list[str]:
    """Why a child born on ``child_born`` cannot be a child of ``parent`` (``role`` is
    "mother" or "father"); empty when the dates agree."""
    problems = []
    if child_born <= parent.born:
        problems.append(f"is not after the {role}'s own birth date ({parent.born.isoformat()})")
    elif child_born < add_years(parent.born, PARENT_MIN_AGE):
        problems.append(
            f"the {role} (born {parent.born.isoformat()}) would be under {PARENT_MIN_AGE}"
            " at the birth"
        )
    if parent.died is not None:
        last_day = parent.died
        if role == "father":
            last_day = parent.died + timedelta(days=POSTHUMOUS_BIRTH_DAYS)
        if child_born > last_day:
            after = f"more than {POSTHUMOUS_BIRTH_DAYS} days after" if role == "father" else "after"
            problems.append(f"is {after} the {role}'s death ({parent.died.isoformat()})")
    return problems


def birth_date_problems(
    born: date,
    today: date,
    *,
    sex: str | None = None,
    died: date | None = None,
    married_on: tuple[date, ...] = (),
    mother: Life | None = None,
    father: Life | None = None,
    children_born: tuple[date, ...] = (),
) -> list[str]:
    """Every date known of a person that a birth date of ``born`` contradicts: today (in the
    mall), her death, her marriages, her parents and her children."""
    problems = []
    if born > today:
        problems.append(f"is in the future (today is {today.isoformat()})")
    if died is not None and born > died:
        problems.append(f"is after the date of death ({died.isoformat()})")
    for day in married_on:
        if age_on(born, day) < MARRIAGE_MIN_AGE:
            problems.append(
                f"would make the person under {MARRIAGE_MIN_AGE} at the marriage of"
                f" {day.isoformat()}"
            )
    if mother is not None:
        problems += parent_problems(born, mother, "mother")
    if father is not None:
        problems += parent_problems(born, father, "father")
    role = "mother" if sex == FEMALE else "father"
    for child in children_born:
        problems += [
            f"contradicts a child born {child.isoformat()}: {problem}"
            for problem in parent_problems(child, Life(born, died), role)
            if "death" not in problem
        ]
    return problems


def death_problems(
    died_on: date,
    today: date,
    person: Life,
    *,
    sex: str,
    married_on: tuple[date, ...] = (),
    children_born: tuple[date, ...] = (),
) -> list[str]:
    """Why ``person`` cannot have died on ``died_on``; empty when every known date agrees."""
    problems = []
    if died_on > today:
        problems.append(f"is in the future (today is {today.isoformat()})")
    if died_on < person.born:
        problems.append(f"is before the birth date ({person.born.isoformat()})")
    for day in married_on:
        if died_on < day:
            problems.append(f"is before the person's marriage of {day.isoformat()}")
    # a mother is alive at her child's birth; a father up to POSTHUMOUS_BIRTH_DAYS before it
    grace = timedelta(days=0 if sex == FEMALE else POSTHUMOUS_BIRTH_DAYS)
    role = "mother" if sex == FEMALE else "father"
    for child in children_born:
        if child > died_on + grace:
            too_early = "before" if sex == FEMALE else f"more than {grace.days} days before"
            problems.append(
                f"is {too_early} the birth of a child ({child.isoformat()}) of whom the"
                f" person is the {role}"
            )
    return problems


def marriage_problems(married_on: date, today: date, spouses: list[tuple[str, Life]]) -> list[str]:
    """Why the named ``spouses`` cannot have married on ``married_on``: it is in the future,
    one was not born, under age or already dead on that day."""
    problems = []
    if married_on > today:
        problems.append(f"is in the future (today is {today.isoformat()})")
    for name, life in spouses:
        if married_on < life.born:
            problems.append(f"is before {name} was born ({life.born.isoformat()})")
        elif age_on(life.born, married_on) < MARRIAGE_MIN_AGE:
            problems.append(f"{name} is under {MARRIAGE_MIN_AGE} on that date")
        if life.died is not None and married_on > life.died:
            problems.append(f"is after the death of {name} ({life.died.isoformat()})")
    return problems


def spouse_problem(name: str, status: str, marital_status: str) -> Problem | None:
    """Why this person cannot marry now, whatever the date: dead, or married already."""
    return alive_problem(name, status) or (
        Problem("already_married", name=name) if marital_status == "married" else None
    )


def alive_problem(name: str, status: str) -> Problem | None:
    """A deceased resident takes part in no new event: a card, a move, a marriage."""
    return Problem("resident_deceased", name=name) if status != ALIVE else None


def second_death_problem(status: str, died_on: date | None) -> str | None:
    """A person dies once: the death already registered, if there is one."""
    if status != DECEASED:
        return None
    return f"a death is registered once: {died_on.isoformat() if died_on else 'day unknown'}"


def nik_serial_problem(prefix: str, serial: int) -> Problem | None:
    """A NIK has four digits of serial per region, birth date and sex."""
    return Problem("nik_serials_exhausted", prefix=prefix) if serial > MAX_NIK_SERIAL else None


def must_recheck_nik(changes: set[str]) -> bool:
    """A correction of the NIK or of what it encodes gives a NIK that must fit the record."""
    return bool(NIK_FIELDS & changes)


def identity_matches(full_name: str, birth_date: date, given_name: str, given_birth: date) -> bool:
    """A NIK's holder is asked for by name (any case, outer spaces ignored) and birth date."""
    return full_name.casefold() == given_name.strip().casefold() and birth_date == given_birth


def normal_check_code(code: str) -> str:
    """A certificate's check code as typed: outer spaces and case do not matter."""
    return code.strip().upper()


def certificate_number(regency: str, kind: str, issued_on: date, sequence: int) -> str:
    """Like 3314-LT-23112026-0007: regency, kind, date of issue, daily sequence."""
    return f"{regency}-{CERTIFICATE_KINDS[kind]}-{issued_on:%d%m%Y}-{sequence:04d}"


def new_check_code() -> str:
    """Printed beside the number; asked for by public verification so numbers can't be
    enumerated."""
    return secrets.token_hex(4).upper()
