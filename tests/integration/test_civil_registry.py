"""The civil registry over the real RabbitMQ, on SQLite and PostgreSQL: every RPC and event."""

from datetime import date, timedelta

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange

from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.civil_registry.service import CivilRegistryService
from tests.integration.helpers import in_mall_time, rpc_to
from tests.polling import eventually

SITI = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
    "birth_place": "Sragen",
}
BUDI = {
    "nik": "3314010203850002",
    "full_name": "Budi Santoso",
    "birth_date": "1985-03-02",
    "sex": "M",
    "birth_place": "Sragen",
}
CARD = "3314010101200001"
HOSPITAL = {"id": "rsud-sragen-1", "role": "hospital_officer", "agency": "rsud"}
VERIFIER = {"id": "dpmptsp-verifier-1", "role": "verifier", "agency": "dpmptsp"}
DUKCAPIL_DESK = {"id": "dukcapil-desk-1", "role": "counter_officer", "agency": "disdukcapil"}


def citizen(person_id: str) -> dict:
    return {"id": f"citizen-{person_id}", "role": "citizen", "person_id": person_id}


@pytest.fixture
def registry(container_factory, service_config, relay_process):
    config = service_config("civil_registry")
    exchange = get_event_exchange("civil_registry", config)
    events = Queue("test-registry-events", exchange=exchange, routing_key="#")
    with Connection(config["AMQP_URI"]) as conn:
        events(conn.default_channel).declare()
    container_factory(CivilRegistryService, config).start()
    relay_process("civil_registry", config)
    return config


def published(config, event_type: str) -> list[dict]:
    """Events of ``event_type`` the relay has published so far (drains the test queue)."""
    found = published.seen.setdefault(config["AMQP_URI"], [])
    with Connection(config["AMQP_URI"]) as conn:
        queue = Queue("test-registry-events")(conn.default_channel)
        while (message := queue.get(no_ack=True)) is not None:
            found.append(message.payload)
    return [e for e in found if e["event_type"] == event_type]


published.seen = {}


@pytest.fixture
def family(registry):
    """Siti and Budi on one family card, Budi its head."""
    with rpc_to("civil_registry", registry) as civil:
        budi = civil.register_resident(BUDI)
        card = civil.create_family_card(
            {"number": CARD, "address": "Jl. Sukowati 1", "head_id": budi["id"]}
        )
        siti = civil.register_resident(
            {**SITI, "family_card_id": card["id"], "relationship": "spouse"}
        )
    return {"config": registry, "budi": budi, "siti": siti, "card": card}


# --- residents ---------------------------------------------------------------------


def test_a_registrar_registers_a_resident_and_the_event_is_published(registry):
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(SITI)
    assert siti["nik"] == SITI["nik"] and siti["status"] == "alive"
    event = eventually(lambda: published(registry, "resident_registered"))[0]
    assert event["data"] == {"person_id": siti["id"]}


@pytest.mark.parametrize(
    "nik, rule",
    [
        ("3314011708900001", "40 added to the day for women"),
        ("9914015708900001", "province code 99 is unknown"),
        ("3314995708900001", "district code 99 is unknown"),
        ("3314015708900000", "serial"),
    ],
)
def test_a_nik_that_breaks_a_rule_is_refused_naming_the_rule(registry, nik, rule):
    with rpc_to("civil_registry", registry) as civil, pytest.raises(InvalidInput) as err:
        civil.register_resident({**SITI, "nik": nik})
    assert any(rule in reason for reason in err.value.fields["nik"])


@pytest.mark.parametrize("nik", ["٣٣١٤٠١٥٧٠٨٩٠٠٠٠١", "３３１４０１５７０８９０００１"[:15] + "１"])
def test_a_nik_of_another_scripts_digits_is_refused_saying_digits_0_9(registry, nik):
    with rpc_to("civil_registry", registry) as civil, pytest.raises(InvalidInput) as err:
        civil.register_resident({**SITI, "nik": nik})
    assert err.value.fields["nik"] == [
        f"must be 16 digits 0-9: {nik[0]!r} is a digit of another script"
    ]


def test_a_check_code_of_another_script_is_invalid_input_not_a_failure(family):
    with rpc_to("civil_registry", family["config"], actor=None) as public:
        with pytest.raises(InvalidInput) as err:
            public.verify_certificate({"number": "3314-KM-01012026-0001", "check_code": "9F3A٦١C2"})
    assert "check_code" in err.value.fields


def test_a_nik_is_registered_once(registry):
    with rpc_to("civil_registry", registry) as civil:
        civil.register_resident(SITI)
        with pytest.raises(Conflict):
            civil.register_resident({**SITI, "full_name": "Someone Else"})


@pytest.mark.parametrize("actor", [None, VERIFIER, {"id": "c", "role": "citizen"}])
def test_only_registrars_register_residents(registry, actor):
    with rpc_to("civil_registry", registry, actor=actor) as civil, pytest.raises(Forbidden):
        civil.register_resident(SITI)


def test_the_owner_sees_her_whole_nik_registry_staff_a_masked_one_others_nothing(family):
    registry, siti = family["config"], family["siti"]
    with rpc_to("civil_registry", registry, actor=citizen(siti["id"])) as civil:
        assert civil.get_resident(siti["id"])["nik"] == SITI["nik"]
    with rpc_to("civil_registry", registry, actor=DUKCAPIL_DESK) as civil:
        assert civil.get_resident(siti["id"])["nik"] == "3314********0001"
    with rpc_to("civil_registry", registry, actor=VERIFIER) as civil:  # another agency
        with pytest.raises(NotFound):
            civil.get_resident(siti["id"])
        with pytest.raises(NotFound):
            civil.get_family_card(family["card"]["id"])
    with rpc_to("civil_registry", registry, actor=citizen(family["budi"]["id"])) as civil:
        with pytest.raises(NotFound):
            civil.get_resident(siti["id"])


# --- family cards ------------------------------------------------------------------


def test_a_family_card_lists_its_members_masking_the_others_niks_to_a_member(family):
    registry, budi, siti = family["config"], family["budi"], family["siti"]
    with rpc_to("civil_registry", registry) as civil:
        card = civil.get_family_card(family["card"]["id"])
    assert (card["regency"], card["district"], card["head_id"]) == (
        "Kabupaten Sragen",
        "Kalijambe",
        budi["id"],
    )
    assert {(m["full_name"], m["relationship"]) for m in card["members"]} == {
        ("Budi Santoso", "head"),
        ("Siti Rahayu", "spouse"),
    }
    with rpc_to("civil_registry", registry, actor=citizen(siti["id"])) as civil:
        seen = {m["full_name"]: m["nik"] for m in civil.get_family_card(card["id"])["members"]}
    assert seen == {"Siti Rahayu": SITI["nik"], "Budi Santoso": "3314********0002"}
    with rpc_to("civil_registry", registry, actor=citizen("someone-else")) as civil:
        with pytest.raises(NotFound):
            civil.get_family_card(card["id"])


def test_a_family_card_number_must_start_with_a_known_region(registry):
    with rpc_to("civil_registry", registry) as civil:
        budi = civil.register_resident(BUDI)
        with pytest.raises(InvalidInput) as err:
            civil.create_family_card(
                {"number": "9914010101200001", "address": "Jl. A", "head_id": budi["id"]}
            )
    assert "province code 99" in err.value.fields["number"][0]


def test_moving_house_puts_the_resident_on_another_card(family):
    registry, siti = family["config"], family["siti"]
    with rpc_to("civil_registry", registry) as civil:
        other = civil.register_resident(
            {**BUDI, "nik": "3314010505800003", "full_name": "Slamet", "birth_date": "1980-05-05"}
        )
        new_card = civil.create_family_card(
            {"number": "3314020101200002", "address": "Jl. Plupuh 2", "head_id": other["id"]}
        )
        moved = civil.change_address(
            {"resident_id": siti["id"], "family_card_id": new_card["id"], "relationship": "other"}
        )
        with pytest.raises(Conflict):
            civil.change_address(
                {
                    "resident_id": siti["id"],
                    "family_card_id": new_card["id"],
                    "relationship": "other",
                }
            )
    assert moved["family_card_id"] == new_card["id"]
    moves = eventually(
        lambda: [
            e
            for e in published(registry, "resident_moved")
            if e["data"]["person_id"] == siti["id"]
            and e["data"]["to_family_card_id"] == new_card["id"]
        ]
    )
    assert moves[0]["data"]["from_family_card_id"] == family["card"]["id"]


# --- births ------------------------------------------------------------------------


def test_a_birth_gets_a_nik_a_certificate_and_a_place_on_the_mothers_card(family):
    registry, siti = family["config"], family["siti"]
    born = (date.today() - timedelta(days=3)).isoformat()
    with rpc_to("civil_registry", registry, actor=HOSPITAL) as civil:
        record = civil.register_birth(
            {
                "full_name": "Ayu Lestari",
                "sex": "F",
                "birth_date": born,
                "birth_place": "RSUD Sragen",
                "mother_id": siti["id"],
                "father_id": family["budi"]["id"],
            }
        )
    child, certificate = record["child"], record["certificate"]
    day = date.fromisoformat(born)
    assert child["nik"] == f"331401{day.day + 40:02d}{day:%m%y}0001"
    assert (child["family_card_id"], child["relationship"]) == (family["card"]["id"], "child")
    assert certificate["number"].startswith("3314-LT-") and len(certificate["check_code"]) == 8
    event = eventually(lambda: published(registry, "birth_registered"))[0]
    assert event["data"]["person_id"] == child["id"]
    assert event["data"]["certificate_number"] == certificate["number"]


def test_twins_get_consecutive_serials(family):
    born = date.today().isoformat()
    with rpc_to("civil_registry", family["config"]) as civil:
        niks = [
            civil.register_birth(
                {
                    "full_name": name,
                    "sex": "M",
                    "birth_date": born,
                    "birth_place": "Sragen",
                    "mother_id": family["siti"]["id"],
                }
            )["child"]["nik"]
            for name in ("Eko", "Dwi")
        ]
    assert [nik[-4:] for nik in niks] == ["0001", "0002"]


def test_a_birth_sent_twice_is_registered_once(family):
    birth = {
        "full_name": "Sekar Ayu",
        "sex": "F",
        "birth_date": date.today().isoformat(),
        "birth_place": "Sragen",
        "mother_id": family["siti"]["id"],
    }
    with rpc_to("civil_registry", family["config"], actor=HOSPITAL) as civil:
        first = civil.register_birth(birth)
        with pytest.raises(Conflict) as err:
            civil.register_birth(birth | {"full_name": "SEKAR AYU"})
        members = civil.get_family_card(first["child"]["family_card_id"])["members"]
    assert "full_name" in err.value.fields
    assert [m["full_name"] for m in members].count("Sekar Ayu") == 1


def test_a_birth_to_an_unknown_mother_is_a_conflict(registry):
    with rpc_to("civil_registry", registry) as civil, pytest.raises(Conflict) as err:
        civil.register_birth(
            {
                "full_name": "X",
                "sex": "M",
                "birth_date": "2026-01-01",
                "birth_place": "Sragen",
                "mother_id": "nobody",
            }
        )
    assert "mother_id" in err.value.fields


def test_a_birth_in_the_future_is_invalid(family):
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    with rpc_to("civil_registry", family["config"]) as civil, pytest.raises(InvalidInput):
        civil.register_birth(
            {
                "full_name": "X",
                "sex": "M",
                "birth_date": tomorrow,
                "birth_place": "Sragen",
                "mother_id": family["siti"]["id"],
            }
        )


def test_counter_officers_do_not_register_births(family):
    officer = {"id": "loket-3", "role": "counter_officer", "agency": "mpp"}
    with rpc_to("civil_registry", family["config"], actor=officer) as civil:
        with pytest.raises(Forbidden):
            civil.register_birth(
                {
                    "full_name": "X",
                    "sex": "M",
                    "birth_date": "2026-01-01",
                    "birth_place": "Sragen",
                    "mother_id": family["siti"]["id"],
                }
            )


# --- deaths and marriages ----------------------------------------------------------


def test_a_death_is_certified_once_and_announced(family):
    registry, budi = family["config"], family["budi"]
    with rpc_to("civil_registry", registry) as civil:
        record = civil.register_death({"resident_id": budi["id"], "died_on": "2026-11-01"})
        with pytest.raises(Conflict, match="already registered on 2026-11-01"):
            civil.register_death({"resident_id": budi["id"], "died_on": "2026-11-02"})
    assert record["person"]["status"] == "deceased"
    assert record["certificate"]["number"].startswith("3314-KM-")
    event = eventually(lambda: published(registry, "person_died"))[0]
    assert event["data"] == {"person_id": budi["id"], "died_on": "2026-11-01"}


def test_a_marriage_marries_both_and_can_open_their_own_family_card(registry):
    with rpc_to("civil_registry", registry) as civil:
        siti, budi = civil.register_resident(SITI), civil.register_resident(BUDI)
        record = civil.register_marriage(
            {
                "first_spouse_id": budi["id"],
                "second_spouse_id": siti["id"],
                "married_on": "2015-06-20",
                "new_family_card": {"number": "3314010101150009", "address": "Jl. Baru 9"},
            }
        )
        with pytest.raises(Conflict, match="already married"):
            civil.register_marriage(
                {
                    "first_spouse_id": budi["id"],
                    "second_spouse_id": siti["id"],
                    "married_on": "2016-01-01",
                }
            )
        card = civil.get_family_card(record["family_card_id"])
        assert civil.get_resident(siti["id"])["marital_status"] == "married"
    assert record["certificate"]["number"].startswith("3314-KW-")
    assert {(m["full_name"], m["relationship"]) for m in card["members"]} == {
        ("Budi Santoso", "head"),
        ("Siti Rahayu", "spouse"),
    }
    (event,) = eventually(lambda: published(registry, "marriage_registered"))
    assert event["data"]["spouse_ids"] == [budi["id"], siti["id"]]  # both are told its number
    assert event["data"]["certificate_number"] == record["certificate"]["number"]


def test_no_one_marries_under_nineteen_on_the_day_of_the_marriage(registry):
    with rpc_to("civil_registry", registry) as civil:
        siti, budi = civil.register_resident(SITI), civil.register_resident(BUDI)
        with pytest.raises(InvalidInput) as err:
            civil.register_marriage(
                {
                    "first_spouse_id": budi["id"],
                    "second_spouse_id": siti["id"],
                    "married_on": "2009-08-16",  # Siti is 19 today, but was 18 that day
                }
            )
    assert err.value.fields["married_on"] == ["Siti Rahayu is under 19 on that date"]


# --- dates that contradict each other ------------------------------------------------


def birth(mother: dict, born: str, father: dict | None = None, name: str = "Ayu") -> dict:
    return {
        "full_name": name,
        "sex": "F",
        "birth_date": born,
        "birth_place": "Sragen",
        "mother_id": mother["id"],
        "father_id": father["id"] if father else None,
    }


def refusal(call, *args) -> dict:
    """The field reasons of a refusal that must be invalid input (422)."""
    with pytest.raises(InvalidInput) as err:
        call(*args)
    return err.value.fields


def test_a_resident_born_in_the_future_is_refused(registry):
    born = date.today() + timedelta(days=400)
    nik = f"331401{born.day + 40:02d}{born:%m%y}0001"
    with rpc_to("civil_registry", registry) as civil:
        fields = refusal(civil.register_resident, {**SITI, "nik": nik, "birth_date": str(born)})
    assert "is in the future" in fields["birth_date"][0]


@pytest.mark.parametrize(
    "born, reason",
    [
        ("1989-05-01", "is not after the mother's own birth date (1990-08-17)"),
        ("1998-01-01", "the mother (born 1990-08-17) would be under 10 at the birth"),
    ],
)
def test_a_birth_before_the_mother_could_give_birth_is_refused(family, born, reason):
    with rpc_to("civil_registry", family["config"]) as civil:
        fields = refusal(civil.register_birth, birth(family["siti"], born))
    assert fields["birth_date"] == [reason]


def test_a_birth_after_the_mothers_death_or_long_after_the_fathers_is_refused(family):
    siti, budi = family["siti"], family["budi"]
    with rpc_to("civil_registry", family["config"]) as civil:
        civil.register_death({"resident_id": budi["id"], "died_on": "2024-01-10"})
        # within 300 days of the father's death: his child
        civil.register_birth(birth(siti, "2024-10-20", father=budi, name="Wulan"))
        late = refusal(civil.register_birth, birth(siti, "2024-11-20", father=budi))
        civil.register_death({"resident_id": siti["id"], "died_on": "2025-01-01"})
        orphan = refusal(civil.register_birth, birth(siti, "2025-01-02"))
    assert late["birth_date"] == ["is more than 300 days after the father's death (2024-01-10)"]
    assert orphan["birth_date"] == ["is after the mother's death (2025-01-01)"]


def test_a_death_contradicting_a_birth_a_marriage_or_today_is_refused(family):
    siti, budi = family["siti"], family["budi"]
    with rpc_to("civil_registry", family["config"]) as civil:
        civil.register_birth(birth(siti, "2020-01-05", father=budi))
        civil.register_marriage(
            {
                "first_spouse_id": budi["id"],
                "second_spouse_id": siti["id"],
                "married_on": "2015-06-20",
            }
        )
        early = refusal(civil.register_death, {"resident_id": siti["id"], "died_on": "2019-12-31"})
        unmarried = refusal(
            civil.register_death, {"resident_id": budi["id"], "died_on": "2015-06-19"}
        )
        future = str(date.today() + timedelta(days=2))
        ahead = refusal(civil.register_death, {"resident_id": budi["id"], "died_on": future})
        assert civil.get_resident(siti["id"])["status"] == "alive"
    assert early["died_on"] == [
        "is before the birth of a child (2020-01-05) of whom the person is the mother"
    ]
    assert "is before the person's marriage of 2015-06-20" in unmarried["died_on"]
    assert "is in the future" in ahead["died_on"][0]


def test_a_second_death_names_the_field(family):
    budi = family["budi"]
    with rpc_to("civil_registry", family["config"]) as civil:
        civil.register_death({"resident_id": budi["id"], "died_on": "2026-11-01"})
        with pytest.raises(Conflict) as err:
            civil.register_death({"resident_id": budi["id"], "died_on": "2026-10-01"})
    assert err.value.fields == {"died_on": ["a death is registered once: 2026-11-01"]}


def test_a_marriage_in_the_future_or_after_a_spouses_death_is_refused(registry):
    with rpc_to("civil_registry", registry) as civil:
        siti, budi = civil.register_resident(SITI), civil.register_resident(BUDI)
        marriage = {"first_spouse_id": budi["id"], "second_spouse_id": siti["id"]}
        future = str(date.today() + timedelta(days=2))
        ahead = refusal(civil.register_marriage, {**marriage, "married_on": future})
        civil.register_death({"resident_id": budi["id"], "died_on": "2020-01-01"})
        widowed = refusal(civil.register_marriage, {**marriage, "married_on": "2021-01-01"})
    assert "is in the future" in ahead["married_on"][0]
    assert widowed["married_on"] == ["is after the death of Budi Santoso (2020-01-01)"]


def test_a_corrected_birth_date_is_checked_against_parents_children_and_marriages(family):
    siti, budi = family["siti"], family["budi"]
    with rpc_to("civil_registry", family["config"]) as civil:
        child = civil.register_birth(birth(siti, "2020-01-05", father=budi))["child"]
        civil.register_marriage(
            {
                "first_spouse_id": budi["id"],
                "second_spouse_id": siti["id"],
                "married_on": "2015-06-20",
            }
        )

        def correct(resident_id: str, birth_date: str, nik: str) -> dict:
            return refusal(
                civil.correct_resident,
                {
                    "resident_id": resident_id,
                    "reason": "wrong year on the form",
                    "changes": {"birth_date": birth_date, "nik": nik},
                },
            )

        as_mother = correct(siti["id"], "2012-08-17", "3314015708120001")
        as_child = correct(child["id"], "1990-01-05", "3314014501900009")
        assert civil.get_resident(siti["id"])["birth_date"] == "1990-08-17"
    assert as_mother["birth_date"] == [
        "would make the person under 19 at the marriage of 2015-06-20",
        "contradicts a child born 2020-01-05: the mother (born 2012-08-17) would be under 10"
        " at the birth",
    ]
    assert as_child["birth_date"] == [
        "is not after the mother's own birth date (1990-08-17)",
        "the father (born 1985-03-02) would be under 10 at the birth",
    ]


# --- certificates and identity -----------------------------------------------------


def test_public_verification_reveals_only_validity_kind_dates_and_a_masked_name(family):
    with rpc_to("civil_registry", family["config"]) as civil:
        certificate = civil.register_death(
            {"resident_id": family["budi"]["id"], "died_on": "2026-11-01"}
        )["certificate"]
    with rpc_to("civil_registry", family["config"], actor=None) as public:
        answer = public.verify_certificate(
            {"number": certificate["number"], "check_code": certificate["check_code"].lower()}
        )
        forged = public.verify_certificate(
            {"number": certificate["number"], "check_code": "00000000"}
        )
        unknown = public.verify_certificate(
            {"number": "3314-KM-01012026-9999", "check_code": certificate["check_code"]}
        )
    assert answer == {
        "valid": True,
        "kind": "death",
        "event_date": "2026-11-01",
        "issued_on": answer["issued_on"],
        "holder": "B*** S******",
    }
    assert forged["valid"] is False and unknown == forged
    assert forged["holder"] is None


def test_identity_check_answers_yes_or_no_without_the_record(family):
    question = {k: SITI[k] for k in ("nik", "full_name", "birth_date")}
    with rpc_to("civil_registry", family["config"], actor=None) as civil:
        assert civil.verify_identity(question) == {
            "verified": True,
            "person_id": family["siti"]["id"],
            "alive": True,
        }
        assert civil.verify_identity({**question, "birth_date": "1990-08-18"})["verified"] is False


def test_a_citizen_lists_her_own_certificates_only(family):
    siti = family["siti"]
    with rpc_to("civil_registry", family["config"]) as civil:
        civil.register_birth(
            {
                "full_name": "Ayu",
                "sex": "F",
                "birth_date": "2026-01-05",
                "birth_place": "Sragen",
                "mother_id": siti["id"],
            }
        )
    with rpc_to("civil_registry", family["config"], actor=citizen(siti["id"])) as civil:
        assert civil.list_certificates(siti["id"]) == []  # the child's, not hers
        with pytest.raises(NotFound):
            civil.list_certificates(family["budi"]["id"])


# --- search, corrections, audit ----------------------------------------------------


def test_staff_search_pages_by_name_nik_or_family_card(family):
    registry = family["config"]
    with rpc_to("civil_registry", registry) as civil:
        for n in range(3, 8):
            civil.register_resident(
                {**BUDI, "nik": f"33140102038500{n:02d}", "full_name": f"Budi Number {n}"}
            )
        first = civil.search_residents({"name": "budi", "per_page": 4})
        second = civil.search_residents({"name": "budi", "per_page": 4, "page": 2})
        by_nik = civil.search_residents({"nik": SITI["nik"]})
        by_card = civil.search_residents({"family_card_number": CARD})
    assert (first["total"], len(first["items"]), len(second["items"])) == (6, 4, 2)
    assert {r["id"] for r in first["items"]}.isdisjoint({r["id"] for r in second["items"]})
    assert [r["full_name"] for r in by_nik["items"]] == ["Siti Rahayu"]
    assert {r["full_name"] for r in by_card["items"]} == {"Siti Rahayu", "Budi Santoso"}
    with rpc_to("civil_registry", registry, actor=DUKCAPIL_DESK) as civil:
        masked = civil.search_residents({"nik": SITI["nik"]})["items"][0]["nik"]
    assert masked == "3314********0001"
    with rpc_to("civil_registry", registry, actor=VERIFIER) as civil, pytest.raises(NotFound):
        civil.search_residents({"nik": SITI["nik"]})
    with rpc_to("civil_registry", registry, actor=citizen(family["siti"]["id"])) as civil:
        with pytest.raises(NotFound):
            civil.search_residents({"name": "budi"})


def test_a_correction_needs_a_reason_and_is_kept_in_the_audit_trail(family):
    registry, siti = family["config"], family["siti"]
    with rpc_to("civil_registry", registry) as civil:
        with pytest.raises(InvalidInput) as err:
            civil.correct_resident({"resident_id": siti["id"], "changes": {"full_name": "Siti R"}})
        assert "reason" in err.value.fields
        with pytest.raises(InvalidInput) as err:
            civil.correct_resident(
                {
                    "resident_id": siti["id"],
                    "reason": "typo on the form",
                    "changes": {"birth_date": "1990-08-18"},
                }
            )
        assert "nik" in err.value.fields  # the NIK would no longer fit
        civil.correct_resident(
            {
                "resident_id": siti["id"],
                "reason": "typo on the form",
                "changes": {"full_name": "Siti Rahayu Lestari"},
            }
        )
        trail = civil.audit_trail(siti["id"])
    correction = trail[-1]
    assert (correction["action"], correction["reason"]) == ("corrected", "typo on the form")
    assert correction["actor_id"] == "staff-registrar-1"
    assert correction["before"]["full_name"] == "Siti Rahayu"
    assert correction["after"]["full_name"] == "Siti Rahayu Lestari"
    assert [entry["action"] for entry in trail] == ["registered", "corrected"]
    assert in_mall_time(*[entry["at"] for entry in trail]), trail
    event = eventually(lambda: published(registry, "resident_corrected"))[0]
    assert event["data"]["fields_changed"] == ["full_name"]
