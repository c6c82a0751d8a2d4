"""The registry's rules that are not about dates: who may marry, a person dies once, NIK
serials, what a correction must recheck, how identities and check codes are matched."""

from datetime import date

from services.civil_registry import domain


def test_a_deceased_or_married_person_cannot_marry_and_death_is_named_first():
    assert domain.spouse_problem("Siti", "alive", "single") is None
    assert domain.spouse_problem("Siti", "alive", "married") == "Siti is already married"
    assert domain.spouse_problem("Siti", "deceased", "married") == (
        "Siti is registered as deceased"
    )


def test_only_the_living_take_part_in_new_events():
    assert domain.alive_problem("Budi", "alive") is None
    assert domain.alive_problem("Budi", "deceased") == "Budi is registered as deceased"


def test_a_person_dies_once():
    assert domain.second_death_problem("alive", None) is None
    assert domain.second_death_problem("deceased", date(2026, 3, 1)) == (
        "a death is registered once: 2026-03-01"
    )


def test_a_nik_has_four_digits_of_serial():
    assert domain.nik_serial_problem("3374011501", 9999) is None
    assert domain.nik_serial_problem("3374011501", 10000) == ("no NIK serial left for 3374011501")


def test_correcting_the_nik_or_what_it_encodes_rechecks_the_nik():
    for field in ("nik", "birth_date", "sex"):
        assert domain.must_recheck_nik({field, "full_name"})
    assert not domain.must_recheck_nik({"full_name", "birth_place", "marital_status"})


def test_an_identity_matches_by_name_in_any_case_and_by_birth_date():
    born = date(1990, 5, 17)
    assert domain.identity_matches("Siti Aminah", born, "  siti AMINAH ", born)
    assert not domain.identity_matches("Siti Aminah", born, "Siti Amina", born)
    assert not domain.identity_matches("Siti Aminah", born, "Siti Aminah", date(1990, 5, 18))


def test_a_check_code_is_read_without_outer_spaces_or_case():
    assert domain.normal_check_code(" ab12cd34\n") == "AB12CD34"
