"""The social aid window's rules: who may apply, how poor the household is, which programs
it qualifies for and where the application goes."""

from pathlib import Path

import pytest

from chassis.module import load_manifest
from services.social_aid import domain
from services.social_aid.domain import CASE_REVIEW, Ineligible, Rules

RULES = Rules(regency_code="3314", poverty_line=500_000)
ALIVE = {"status": "alive", "died_on": None}
MANIFEST = Path(domain.__file__).with_name("manifest.yaml")


def card(*statuses: str, region_code: str = "331401", regency: str = "Kabupaten Sragen"):
    return {
        "region_code": region_code,
        "regency": regency,
        "members": [{"resident_id": f"r{n}", "status": s} for n, s in enumerate(statuses)],
    }


FAMILY_OF_FOUR = card("alive", "alive", "alive", "alive")


def codes(assessment: dict) -> list[str]:
    return [p["code"] for p in assessment["eligible_programs"]]


def test_income_is_divided_among_the_living_members_of_the_family_card():
    family = card("alive", "deceased", "alive", "alive")
    assessment = domain.assess(RULES, ALIVE, family, 1_200_000, "food")
    assert assessment["household_size"] == 3
    assert assessment["income_per_person"] == 400_000
    assert assessment["poverty_line_per_person"] == 500_000
    assert assessment["region_code"] == "331401"


def test_a_household_exactly_on_the_poverty_line_is_poor_and_qualifies_for_every_program():
    assessment = domain.assess(RULES, ALIVE, FAMILY_OF_FOUR, 2_000_000, "housing")
    assert assessment["welfare"] == domain.POOR
    assert codes(assessment) == ["jamkesda", "school_aid", "rastra", "rtlh", "disability_aid"]
    assert domain.route(assessment) == "rtlh"


def test_one_rupiah_over_the_line_in_the_household_makes_it_near_poor():
    # 2,000,001 / 4 still floors to 500,000 per person: the comparison is exact, not rounded
    assessment = domain.assess(RULES, ALIVE, FAMILY_OF_FOUR, 2_000_001, "housing")
    assert assessment["income_per_person"] == 500_000
    assert assessment["welfare"] == domain.NEAR_POOR


def test_a_near_poor_household_qualifies_for_health_cover_and_disability_assistance_only():
    assessment = domain.assess(RULES, ALIVE, FAMILY_OF_FOUR, 2_400_000, "health")  # 120 %
    assert assessment["welfare"] == domain.NEAR_POOR
    assert codes(assessment) == ["jamkesda", "disability_aid"]
    assert domain.route(assessment) == "jamkesda"


def test_a_near_poor_household_needing_food_goes_to_a_social_workers_case_review():
    assessment = domain.assess(RULES, ALIVE, FAMILY_OF_FOUR, 2_400_000, "food")
    assert domain.route(assessment) == CASE_REVIEW


def test_a_household_above_the_near_poor_line_qualifies_for_nothing_and_is_reviewed():
    assessment = domain.assess(RULES, ALIVE, FAMILY_OF_FOUR, 2_400_004, "health")
    assert assessment["welfare"] == domain.ABOVE
    assert assessment["eligible_programs"] == []
    assert domain.route(assessment) == CASE_REVIEW


@pytest.mark.parametrize(
    ("need", "program"),
    [
        ("health", "jamkesda"),
        ("education", "school_aid"),
        ("food", "rastra"),
        ("housing", "rtlh"),
        ("disability", "disability_aid"),
    ],
)
def test_a_poor_household_is_routed_to_the_program_of_its_main_need(need, program):
    assessment = domain.assess(RULES, ALIVE, FAMILY_OF_FOUR, 0, need)
    assert domain.route(assessment) == program


def test_programs_are_named_in_indonesian_and_english():
    assessment = domain.assess(RULES, ALIVE, FAMILY_OF_FOUR, 0, "food")
    rastra = assessment["eligible_programs"][2]
    assert rastra == {
        "code": "rastra",
        "name_id": "Beras Sejahtera (Rastra)",
        "name_en": "Rice aid (Rastra)",
    }


def test_a_deceased_applicant_is_refused_naming_the_date_of_death():
    dead = {"status": "deceased", "died_on": "2026-01-05"}
    with pytest.raises(Ineligible) as refused:
        domain.assess(RULES, dead, FAMILY_OF_FOUR, 0, "food")
    assert "deceased on 2026-01-05" in str(refused.value)
    assert refused.value.field == "applicant"


def test_an_applicant_on_no_family_card_is_refused():
    with pytest.raises(Ineligible, match="no family card") as refused:
        domain.assess(RULES, ALIVE, None, 0, "food")
    assert refused.value.field == "applicant"


def test_a_family_card_of_another_regency_is_refused_naming_it():
    solo = card("alive", region_code="337201", regency="Kota Surakarta")
    with pytest.raises(Ineligible) as refused:
        domain.assess(RULES, ALIVE, solo, 0, "food")
    assert "Kota Surakarta (3372)" in str(refused.value)
    assert "3314" in str(refused.value)
    assert refused.value.field == "family_card"


def test_a_family_card_anywhere_in_the_regency_is_accepted():
    other_district = card("alive", region_code="331410")
    assert domain.assess(RULES, ALIVE, other_district, 0, "food")["household_size"] == 1


def test_rules_come_from_config_with_the_regency_as_four_digits():
    # ${REGENCY_CODE:3314} is parsed as YAML, so it arrives as a number
    rules = Rules.from_config({"REGENCY_CODE": 3314, "POVERTY_LINE_PER_PERSON": 550_000})
    assert rules == Rules("3314", 550_000)


@pytest.mark.parametrize(
    "config",
    [
        {"POVERTY_LINE_PER_PERSON": 550_000},
        {"REGENCY_CODE": "33140", "POVERTY_LINE_PER_PERSON": 550_000},
        {"REGENCY_CODE": "3314"},
        {"REGENCY_CODE": "3314", "POVERTY_LINE_PER_PERSON": 0},
        {"REGENCY_CODE": "3314", "POVERTY_LINE_PER_PERSON": "550000"},
    ],
)
def test_a_missing_or_malformed_rule_stops_the_start(config):
    with pytest.raises(ValueError):
        Rules.from_config(config)


def test_the_manifest_offers_exactly_the_needs_the_rules_route():
    [service] = load_manifest(MANIFEST)["services"]
    [need] = [field for field in service["form"] if field["name"] == "need"]
    assert tuple(need["choices"]) == domain.NEEDS
