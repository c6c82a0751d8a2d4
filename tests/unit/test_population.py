"""The synthetic regency population: deterministic, valid, plausible, and loadable once."""

from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select

from chassis.database import make_engine
from chassis.migrate import upgrade
from services.civil_registry import domain, population
from services.civil_registry.models import FamilyCard, FamilyMembership, Resident
from services.civil_registry.population import (
    REFERENCE_DATE,
    NotMigrated,
    PopulationCollision,
    generate,
    load,
)
from services.civil_registry.regions import DISTRICTS


@pytest.fixture(scope="module")
def people():
    return generate(seed=7, families=300)


def fingerprint(p: population.Population) -> list[tuple]:
    return (
        [(r.id, r.nik, r.full_name, r.birth_date, r.sex, r.marital_status) for r in p.residents]
        + [(c.id, c.number, c.address, c.head_id) for c in p.cards]
        + [(m.resident_id, m.family_card_id, m.relationship) for m in p.memberships]
    )


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def households(p: population.Population) -> dict[str, dict[str, list[Resident]]]:
    """Per card id: its members by relationship."""
    by_id = {r.id: r for r in p.residents}
    homes: dict[str, dict[str, list[Resident]]] = defaultdict(lambda: defaultdict(list))
    for m in p.memberships:
        homes[m.family_card_id][m.relationship].append(by_id[m.resident_id])
    return homes


@pytest.fixture
def registry_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'civil_registry.sqlite3'}"
    upgrade("civil_registry", url)
    return url


def count(url: str, model) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        n = connection.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return n


# --- determinism -------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_people_ids_and_numbers(people):
    assert fingerprint(generate(seed=7, families=300)) == fingerprint(people)


def test_a_different_seed_gives_different_people(people):
    other = generate(seed=8, families=300)
    assert [r.nik for r in other.residents] != [r.nik for r in people.residents]
    assert [r.full_name for r in other.residents] != [r.full_name for r in people.residents]
    assert not {r.id for r in other.residents} & {r.id for r in people.residents}


def test_a_population_has_the_families_asked_for_and_more_people_than_families(people):
    assert len(people.cards) == 300
    assert len(people.residents) > 600
    assert len(people.memberships) == len(people.residents)


# --- numbers -----------------------------------------------------------------------------


def test_every_nik_is_valid_for_its_holders_birth_date_and_sex(people):
    problems = {
        r.nik: domain.nik_problems(r.nik, r.birth_date, r.sex)
        for r in people.residents
        if domain.nik_problems(r.nik, r.birth_date, r.sex)
    }
    assert problems == {}


def test_niks_are_unique(people):
    repeated = [nik for nik, n in Counter(r.nik for r in people.residents).items() if n > 1]
    assert repeated == []


def test_people_born_the_same_day_in_the_same_district_get_the_next_serial():
    crowd = generate(seed=1, families=3000)
    serials = Counter(r.nik[12:] for r in crowd.residents)
    assert serials["0002"] > 0


def test_family_card_numbers_are_unique_valid_and_start_with_the_cards_district(people):
    numbers = [c.number for c in people.cards]
    assert len(set(numbers)) == len(numbers)
    for card in people.cards:
        assert domain.family_card_problems(card.number) == []
        assert card.number.startswith(card.region_code)


def test_ids_are_unique_uuid4_strings(people):
    ids = [r.id for r in people.residents] + [c.id for c in people.cards]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 36 and i[14] == "4" for i in ids)


def test_niks_already_taken_are_skipped():
    first = generate(seed=7, families=20)
    taken = {first.residents[0].nik}
    again = generate(seed=7, families=20, taken=taken)
    assert again.residents[0].nik not in taken
    assert again.residents[0].nik[:12] == first.residents[0].nik[:12]


# --- places ------------------------------------------------------------------------------


def test_cards_are_in_districts_of_the_regency_asked_for():
    blora = generate(seed=3, families=100, regency="3316")
    assert {c.region_code[:4] for c in blora.cards} == {"3316"}
    assert {r.nik[:4] for r in blora.residents} == {"3316"}
    for card in blora.cards:
        assert card.address.endswith(f", {DISTRICTS[card.region_code]}")
        assert card.address.startswith("Jl. ")
        assert ", RT " in card.address and "/RW " in card.address


def test_an_unknown_regency_is_refused():
    with pytest.raises(ValueError, match="unknown regency 9999"):
        generate(seed=1, families=1, regency="9999")


# --- families ----------------------------------------------------------------------------


def test_every_card_has_exactly_one_head_and_it_is_the_cards_head_id(people):
    homes = households(people)
    for card in people.cards:
        heads = homes[card.id]["head"]
        assert [h.id for h in heads] == [card.head_id]


def test_heads_are_25_to_70_years_old(people):
    homes = households(people)
    ages = {age_on(home["head"][0].birth_date, REFERENCE_DATE) for home in homes.values()}
    assert min(ages) >= 25 and max(ages) <= 70


def test_spouses_are_of_the_other_sex_and_both_are_married(people):
    homes = households(people)
    couples = [home for home in homes.values() if home["spouse"]]
    assert len(couples) > len(homes) / 2  # usually married
    for home in couples:
        (head,), (spouse,) = home["head"], home["spouse"]
        assert {head.sex, spouse.sex} == {"F", "M"}
        assert head.marital_status == spouse.marital_status == "married"


def test_mothers_are_at_least_19_at_each_childs_birth(people):
    homes = households(people)
    checked = 0
    for home in homes.values():
        mothers = [adult for adult in home["head"] + home["spouse"] if adult.sex == "F"]
        for mother in mothers:
            for child in home["child"]:
                assert age_on(mother.birth_date, child.birth_date) >= 19, child.full_name
                checked += 1
        for parent in home["parent"]:
            # the head's own mother or father
            if parent.sex == "F":
                assert age_on(parent.birth_date, home["head"][0].birth_date) >= 19
    assert checked > 100


def test_nobody_is_born_on_or_after_the_reference_date(people):
    assert max(r.birth_date for r in people.residents) < REFERENCE_DATE


def test_families_have_zero_to_four_children_and_some_a_grandparent(people):
    homes = households(people)
    children = Counter(len(home["child"]) for home in homes.values())
    assert set(children) <= {0, 1, 2, 3, 4}
    assert children[0] > 0 and children[2] > 0
    assert any(home["parent"] for home in homes.values())


def test_relationships_are_the_registrys_and_everyone_is_alive(people):
    assert {m.relationship for m in people.memberships} <= set(domain.RELATIONSHIPS)
    assert {r.status for r in people.residents} == {"alive"}


def test_names_are_given_names_by_sex(people):
    women = {r.full_name.split()[0] for r in people.residents if r.sex == "F"}
    men = {r.full_name.split()[0] for r in people.residents if r.sex == "M"}
    assert "Siti" in women or "Sri" in women
    assert not women & men - {"Tri", "Dwi"}


# --- loading -----------------------------------------------------------------------------


def test_load_writes_every_resident_card_and_membership(registry_url, people):
    load(registry_url, people)
    assert count(registry_url, Resident) == len(people.residents)
    assert count(registry_url, FamilyCard) == len(people.cards)
    assert count(registry_url, FamilyMembership) == len(people.memberships)


def test_loading_the_same_population_twice_is_refused_and_writes_nothing(registry_url, people):
    load(registry_url, people)
    with pytest.raises(PopulationCollision) as refused:
        load(registry_url, people)
    message = str(refused.value)
    assert "seed 7" in message and "loaded before" in message
    assert f"{len(people.residents)} of its {len(people.residents)} NIKs" in message
    assert "3314********" in message  # NIKs are shown masked
    assert count(registry_url, Resident) == len(people.residents)


def test_a_population_can_be_loaded_into_two_databases(tmp_path, people):
    for name in ("one", "two"):
        url = f"sqlite:///{tmp_path / name}.sqlite3"
        upgrade("civil_registry", url)
        load(url, people)
        assert count(url, Resident) == len(people.residents)


def test_loading_into_an_unmigrated_database_names_the_migration(tmp_path, people):
    with pytest.raises(NotMigrated, match="chassis.migrate civil_registry"):
        load(f"sqlite:///{tmp_path / 'empty.sqlite3'}", people)


# --- command line ------------------------------------------------------------------------


def test_the_command_loads_then_refuses_politely_with_exit_code_1(
    registry_url, write_config, capsys
):
    config = write_config("civil_registry", {"DATABASE_URL": registry_url})
    argv = ["--seed", "5", "--families", "10", "--config", str(config)]

    assert population.main(argv) == 0
    written = capsys.readouterr().out
    assert f"wrote {count(registry_url, Resident)} residents and 10 family cards" in written

    assert population.main(argv) == 1
    refusal = capsys.readouterr()
    assert "refusing to load the population of seed 5" in refusal.err
    assert "Traceback" not in refusal.err
    assert count(registry_url, FamilyCard) == 10
