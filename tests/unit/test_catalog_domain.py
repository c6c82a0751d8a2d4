"""The catalog's rules: entries of the core services and of modules, search in Indonesian
and English, and when a module counts as alive."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts import catalog as wire
from contracts.modules import Manifest
from services.catalog.domain import (
    agencies,
    is_available,
    matches,
    module_entries,
    permit_entries,
    queue_entries,
    registry_entries,
    search,
    seen_at,
)

NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
MANIFEST = Manifest().load(
    {
        "module": "social_aid",
        "version": "1.0.0",
        "agency": {"code": "dinsos", "name_id": "Dinas Sosial", "name_en": "Social affairs"},
        "services": [
            {
                "code": "pkh",
                "name_id": "Program Keluarga Harapan",
                "name_en": "Family hope programme",
                "description_id": "Bantuan tunai bersyarat bagi keluarga miskin.",
                "description_en": "Conditional cash transfer for poor families.",
                "life_events": ["hardship", "birth"],
                "form": [],
                "service_level_days": 14,
                "queue": {"prefix": "S", "counters": 2},
            },
            {
                "code": "disability_card",
                "name_id": "Kartu Penyandang Disabilitas",
                "name_en": "Disability card",
                "form": [],
                "service_level_days": 7,
            },
        ],
    }
)
NIB = {
    "code": "NIB",
    "name_id": "Nomor Induk Berusaha",
    "name_en": "Business identity number",
    "agency": "dpmptsp",
    "fee": 0,
    "sla_working_days": 1,
    "validity_months": None,
    "risk_level": "low",
    "required_documents": ["ktp"],
}
PBG = {**NIB, "code": "PBG", "name_id": "Persetujuan Bangunan Gedung", "name_en": "Building"}
PBG.update(agency="dpupr", fee=500000, sla_working_days=28, validity_months=12)
LINES = [
    {"code": "population", "prefix": "A", "name_id": "Administrasi Kependudukan",
     "name_en": "Population administration", "agency": "disdukcapil", "waiting": 3},
    {"code": "social_aid.pkh", "prefix": "S", "name_id": "Program Keluarga Harapan",
     "name_en": "Family hope programme", "agency": "dinsos", "waiting": 0},
]  # fmt: skip


def everything(available: bool = True) -> list[dict]:
    return (
        registry_entries()
        + permit_entries([NIB, PBG])
        + module_entries(MANIFEST, available)
        + queue_entries(LINES, {"social_aid": MANIFEST})
    )


def codes(entries: list[dict]) -> list[tuple[str, str]]:
    return [(e["kind"], e["code"]) for e in entries]


def test_every_entry_has_the_wire_shape_and_a_path_to_apply():
    entries = everything()
    assert wire.CatalogEntry(many=True).validate(entries) == {}
    assert {tuple(sorted(e)) for e in entries} == {tuple(sorted(wire.CatalogEntry().fields))}
    assert all(e["apply_path"].startswith("/api/v1/") for e in entries)


def test_a_module_offers_each_service_of_its_manifest_at_its_own_path():
    entries = module_entries(MANIFEST, available=True)
    assert codes(entries) == [("module", "pkh"), ("module", "disability_card")]
    pkh = entries[0]
    assert pkh["module"] == "social_aid" and pkh["agency"] == "dinsos"
    assert pkh["apply_path"] == "/api/v1/modules/social_aid/applications"
    assert pkh["life_events"] == ["hardship", "birth"] and pkh["available"] is True
    assert not module_entries(MANIFEST, available=False)[0]["available"]


def test_core_services_are_core_and_carry_curated_life_events():
    entries = {(e["kind"], e["code"]): e for e in everything()}
    assert entries[("permit", "NIB")]["life_events"] == ["business"]
    assert entries[("permit", "PBG")]["life_events"] == ["building"]
    assert entries[("permit", "NIB")]["apply_path"] == "/api/v1/applications"
    assert entries[("registry", "birth_certificate")]["life_events"] == ["birth"]
    assert entries[("registry", "birth_certificate")]["apply_path"] == "/api/v1/births"
    assert entries[("queue", "population")]["apply_path"] == "/api/v1/tickets"
    assert all(entries[k]["module"] is None for k in entries if k[0] in ("permit", "registry"))
    assert entries[("queue", "population")]["module"] is None


def test_a_module_line_in_the_queue_takes_the_module_name_and_life_events():
    line = next(e for e in everything() if e["code"] == "social_aid.pkh")
    assert (line["kind"], line["module"], line["agency"]) == ("queue", "social_aid", "dinsos")
    assert line["life_events"] == ["hardship", "birth"]


def test_a_permit_description_says_how_long_and_how_much_in_both_languages():
    [pbg] = permit_entries([PBG])
    assert "28 hari kerja" in pbg["description_id"] and "Rp 500.000" in pbg["description_id"]
    assert "28 working days" in pbg["description_en"] and "IDR 500,000" in pbg["description_en"]
    assert "12 months" in pbg["description_en"]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("akta kelahiran", [("registry", "birth_certificate")]),
        ("BIRTH CERTIFICATE", [("registry", "birth_certificate")]),
        ("keluarga harapan", [("module", "pkh"), ("queue", "social_aid.pkh")]),
        ("cash transfer", [("module", "pkh")]),  # the English description
        ("bantuan tunai", [("module", "pkh")]),  # the Indonesian description
        ("disabilitas", [("module", "disability_card")]),
        ("nomor induk berusaha", [("permit", "NIB")]),
        ("akta tidak-ada-kata-ini", []),  # every word must be found
    ],
)
def test_words_are_found_in_either_language_whatever_their_case(q, expected):
    assert codes(search(everything(), q=q)) == expected


def test_no_filter_lists_everything_core_first_then_modules_then_tickets():
    found = search(everything())
    assert len(found) == len(everything())
    kinds = [e["kind"] for e in found]
    assert kinds == sorted(kinds, key=["registry", "permit", "module", "queue"].index)


def test_agency_and_life_event_narrow_the_search():
    assert codes(search(everything(), agency="dinsos")) == [
        ("module", "disability_card"),
        ("module", "pkh"),
        ("queue", "social_aid.pkh"),
    ]
    born = codes(search(everything(), life_event="birth"))
    assert ("registry", "birth_certificate") in born and ("module", "pkh") in born
    assert ("permit", "NIB") not in born and ("module", "disability_card") not in born
    assert codes(search(everything(), q="keluarga", agency="dinsos", life_event="business")) == []
    assert matches(module_entries(MANIFEST, True)[0], q="", agency=None, life_event=None)


def test_a_module_is_available_until_three_intervals_pass_without_an_announcement():
    last = NOON
    assert is_available(last, 10, NOON + timedelta(seconds=30))
    assert not is_available(last, 10, NOON + timedelta(seconds=30, microseconds=1))
    assert is_available(last, 60, NOON + timedelta(seconds=179))
    assert not is_available(last, 60, NOON + timedelta(minutes=4))


def test_an_announcement_counts_from_when_it_was_sent_but_never_from_the_future():
    sent = NOON - timedelta(minutes=5)  # delivered late: the catalog was down
    assert seen_at(sent.isoformat(), NOON) == sent
    assert seen_at((NOON + timedelta(minutes=1)).isoformat(), NOON) == NOON  # clock ahead
    assert seen_at("not a time", NOON) == NOON
    assert seen_at(None, NOON) == NOON


def test_the_search_query_treats_empty_values_as_no_filter_and_checks_life_events():
    assert wire.SearchQuery().load({"q": "", "agency": " ", "life_event": ""}) == {
        "q": None,
        "agency": None,
        "life_event": None,
    }
    assert "life_event" in wire.SearchQuery().validate({"life_event": "holiday"})
    assert "q" in wire.SearchQuery().validate({"q": "x" * 101})


def test_an_announced_manifest_without_descriptions_loads_again_on_the_consumer_side():
    sent = Manifest().dump(MANIFEST)  # what envelope() puts on the wire
    assert Manifest().load(sent)["services"][1]["code"] == "disability_card"


def test_the_mall_agencies_are_the_core_ones_and_those_of_announced_modules():
    dinsos = {"code": "dinsos", "name_id": "Dinas Sosial", "name_en": "Social affairs office"}
    renamed = {"code": "dinkes", "name_id": "Lain", "name_en": "Other"}
    found = agencies([dinsos, renamed, dinsos])
    codes = [agency["code"] for agency in found]
    assert codes == sorted(set(codes))  # each once, in order
    assert {"disdukcapil", "dpmptsp", "dpupr", "dinkes", "bapenda", "bpjs", "dinsos"} == set(codes)
    assert next(a for a in found if a["code"] == "dinkes")["name_id"] == "Dinas Kesehatan"
