"""Rules of the social aid window, free of any framework: who may apply, how poor the
household is, which programs it qualifies for and where the application goes.

Sragen's UPTPK joined aid programs that sat in separate offices, each with its own list of
poor households, behind one window on one population database. So here: a household
applies once, its members come from its family card at the civil registry (never from the
form), and the application is routed to the program of its main need.

    applicant alive?  family card in the mall's regency?   else refused, with the reason
    income per person = household income / living members of the family card
    poor       (at most the poverty line):       every program
    near poor  (at most 120 % of the line):      health cover and disability assistance
    above that:                                  no program; a social worker reviews the case
"""

import re
from dataclasses import dataclass

from contracts import refusals

NEAR_POOR_PERCENT = 120  # BPS counts households up to 1.2x the poverty line as near poor
POOR, NEAR_POOR, ABOVE = "poor", "near_poor", "above_near_poor_line"


@dataclass(frozen=True)
class Program:
    code: str
    need: str
    name_id: str
    name_en: str
    ceiling_percent: int  # of the poverty line, per person

    def as_dict(self) -> dict:
        return {"code": self.code, "name_id": self.name_id, "name_en": self.name_en}


PROGRAMS = (
    Program(
        "jamkesda",
        "health",
        "Jaminan Kesehatan Daerah (PBI, iuran dibayar pemerintah daerah)",
        "Regional health cover (contributions paid by the regency)",
        NEAR_POOR_PERCENT,  # one hospital stay pushes a near-poor household into poverty
    ),
    Program(
        "school_aid",
        "education",
        "Bantuan Biaya Pendidikan Siswa Miskin",
        "School aid for pupils of poor households",
        100,
    ),
    Program("rastra", "food", "Beras Sejahtera (Rastra)", "Rice aid (Rastra)", 100),
    Program(
        "rtlh",
        "housing",
        "Rehabilitasi Rumah Tidak Layak Huni (RTLH)",
        "Repair of an unfit house (RTLH)",
        100,
    ),
    Program(
        "disability_aid",
        "disability",
        "Asistensi Sosial Penyandang Disabilitas",
        "Social assistance for people with disabilities",
        NEAR_POOR_PERCENT,
    ),
)
PROGRAM_OF_NEED = {program.need: program for program in PROGRAMS}
NEEDS = tuple(PROGRAM_OF_NEED)
CASE_REVIEW = "case_review"  # the desk of a social worker, for households above every line


class Ineligible(Exception):
    """The applicant may not apply here at all; ``field`` names what the registry says."""

    def __init__(self, code: str, field: str, reason: str, **params):
        super().__init__(refusals.text(code, params))
        self.code, self.field, self.reason, self.params = code, field, reason, params


@dataclass(frozen=True)
class Rules:
    regency_code: str  # the mall's regency: the first 4 digits of a region code
    poverty_line: int  # monthly rupiah per person

    @classmethod
    def from_config(cls, config: dict) -> "Rules":
        """Read ``REGENCY_CODE`` and ``POVERTY_LINE_PER_PERSON``; a bad value stops the start."""
        regency = str(config.get("REGENCY_CODE", ""))
        if not re.fullmatch(r"[0-9]{4}", regency):
            raise ValueError(f"REGENCY_CODE must be 4 digits (e.g. 3314), not {regency!r}")
        line = config.get("POVERTY_LINE_PER_PERSON")
        if isinstance(line, bool) or not isinstance(line, int) or line <= 0:
            raise ValueError(f"POVERTY_LINE_PER_PERSON must be a positive integer, not {line!r}")
        return cls(regency, line)


def living_members(family_card: dict) -> int:
    return sum(1 for member in family_card["members"] if member["status"] == "alive")


def within(household_income: int, members: int, line: int, percent: int) -> bool:
    """Income per person at most ``percent`` of the line, in exact integer arithmetic."""
    return household_income * 100 <= line * percent * members


def welfare(household_income: int, members: int, line: int) -> str:
    if within(household_income, members, line, 100):
        return POOR
    if within(household_income, members, line, NEAR_POOR_PERCENT):
        return NEAR_POOR
    return ABOVE


def eligible_programs(household_income: int, members: int, line: int) -> list[Program]:
    return [
        program
        for program in PROGRAMS
        if within(household_income, members, line, program.ceiling_percent)
    ]


def refusal(applicant: dict, family_card: dict | None, rules: Rules) -> Ineligible | None:
    """Why this applicant cannot apply at this window at all, or None."""
    if applicant["status"] != "alive":
        if died_on := applicant.get("died_on"):
            reason = f"registered as deceased on {died_on}"
            return Ineligible("aid_applicant_died_on", "applicant", reason, died_on=died_on)
        return Ineligible("aid_applicant_deceased", "applicant", "registered as deceased")
    if family_card is None:
        return Ineligible("aid_no_family_card", "applicant", "on no family card")
    regency = family_card["region_code"][:4]
    if regency != rules.regency_code:
        where = f"{family_card.get('regency') or 'another regency'} ({regency})"
        return Ineligible(
            "aid_outside_regency",
            "family_card",
            f"registered in {where}, not in regency {rules.regency_code}",
            where=where,
            regency=rules.regency_code,
        )
    return None


def assess(
    rules: Rules, applicant: dict, family_card: dict | None, household_income: int, need: str
) -> dict:
    """What the registry and the form say about the household; raises Ineligible."""
    if problem := refusal(applicant, family_card, rules):
        raise problem
    members = living_members(family_card)
    if members < 1:  # the applicant herself is alive and on the card
        raise ValueError("a family card with a living applicant has a living member")
    return {
        "need": need,
        "region_code": family_card["region_code"],
        "household_size": members,
        "household_income": household_income,
        "income_per_person": household_income // members,
        "poverty_line_per_person": rules.poverty_line,
        "welfare": welfare(household_income, members, rules.poverty_line),
        "eligible_programs": [
            p.as_dict() for p in eligible_programs(household_income, members, rules.poverty_line)
        ],
    }


def route(assessment: dict) -> str:
    """The program of the household's main need if it qualifies, else a case review."""
    program = PROGRAM_OF_NEED[assessment["need"]]
    qualifies = {p["code"] for p in assessment["eligible_programs"]}
    return program.code if program.code in qualifies else CASE_REVIEW
