"""The registry's HTTP routes against the real service over RabbitMQ (SQLite, PostgreSQL)."""

from datetime import date

import pytest

from chassis.actor import Actor
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from services.civil_registry.service import CivilRegistryService
from tests.accounts import bearer as bearer_of

SITI = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
}


@pytest.fixture
def api(container_factory, service_config, database_url_factory):
    config = service_config("civil_registry")
    container_factory(CivilRegistryService, config).start()
    app = create_app(
        {
            "AMQP_URI": config["AMQP_URI"],
            "JWT_SECRET": "integration-secret",
            "DATABASE_URL": database_url_factory("gateway"),
        }
    )
    client = RpcClient(config["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    yield app
    client.close()


def bearer(app, **actor) -> dict:
    return bearer_of(app, Actor(**actor))


def test_a_registrar_records_a_family_and_a_birth_and_the_mother_reads_her_record(api):
    http, registrar = api.test_client(), bearer(api, id="reg-1", role="registrar")
    siti = http.post("/api/v1/residents", json=SITI, headers=registrar)
    assert siti.status_code == 201
    siti_id = siti.get_json()["id"]
    card = http.post(
        "/api/v1/family-cards",
        headers=registrar,
        json={"number": "3314010101200001", "address": "Jl. Sukowati 1", "head_id": siti_id},
    )
    assert card.status_code == 201
    birth = http.post(
        "/api/v1/births",
        headers=registrar,
        json={
            "full_name": "Ayu",
            "sex": "F",
            "birth_date": date.today().isoformat(),
            "birth_place": "Sragen",
            "mother_id": siti_id,
        },
    )
    assert birth.status_code == 201
    certificate = birth.get_json()["certificate"]

    mine = http.get(
        f"/api/v1/residents/{siti_id}",
        headers=bearer(api, id="c-1", role="citizen", person_id=siti_id),
    )
    assert mine.status_code == 200 and mine.get_json()["nik"] == SITI["nik"]
    theirs = http.get(
        f"/api/v1/residents/{siti_id}",
        headers=bearer(api, id="c-2", role="citizen", person_id="other"),
    )
    assert theirs.status_code == 404
    assert SITI["nik"] not in theirs.get_data(as_text=True)

    check = http.get(
        "/api/v1/certificates/verification",
        query_string={"number": certificate["number"], "check_code": certificate["check_code"]},
    )
    assert check.get_json() == {
        "valid": True,
        "kind": "birth",
        "holder": "A**",
        "event_date": date.today().isoformat(),
        "issued_on": check.get_json()["issued_on"],
    }


def test_service_refusals_keep_their_status_and_field_reasons(api):
    http, registrar = api.test_client(), bearer(api, id="reg-1", role="registrar")
    invalid = http.post(
        "/api/v1/residents", headers=registrar, json={**SITI, "nik": "3314011708900001"}
    )
    assert invalid.status_code == 422
    assert "40 added" in invalid.get_json()["error"]["fields"]["nik"][0]
    http.post("/api/v1/residents", json=SITI, headers=registrar)
    duplicate = http.post("/api/v1/residents", json=SITI, headers=registrar)
    assert duplicate.status_code == 409
    forbidden = http.post(
        "/api/v1/residents", json=SITI, headers=bearer(api, id="v-1", role="verifier")
    )
    assert forbidden.status_code == 403
    unknown_mother = http.post(
        "/api/v1/births",
        headers=registrar,
        json={
            "full_name": "X",
            "sex": "M",
            "birth_date": "2026-01-01",
            "birth_place": "Sragen",
            "mother_id": "nobody",
        },
    )
    assert unknown_mother.status_code == 409
    missing = http.get("/api/v1/family-cards/nope", headers=registrar)
    assert missing.status_code == 404


def test_contradicting_dates_are_422_naming_the_field_and_the_reason(api):
    http, registrar = api.test_client(), bearer(api, id="reg-1", role="registrar")
    future = http.post(
        "/api/v1/residents",
        headers=registrar,
        json={**SITI, "nik": "3314015708400001", "birth_date": "2040-08-17"},
    )
    assert future.status_code == 422
    assert "is in the future" in future.get_json()["error"]["fields"]["birth_date"][0]
    siti_id = http.post("/api/v1/residents", json=SITI, headers=registrar).get_json()["id"]
    http.post(
        "/api/v1/family-cards",
        headers=registrar,
        json={"number": "3314010101200001", "address": "Jl. Sukowati 1", "head_id": siti_id},
    )
    too_young = http.post(
        "/api/v1/births",
        headers=registrar,
        json={
            "full_name": "X",
            "sex": "M",
            "birth_date": "1995-01-01",
            "birth_place": "Sragen",
            "mother_id": siti_id,
        },
    )
    assert too_young.status_code == 422
    assert too_young.get_json()["error"]["fields"] == {
        "birth_date": ["the mother (born 1990-08-17) would be under 10 at the birth"]
    }


def test_digits_of_other_scripts_are_refused_saying_digits_0_9(api):
    http, registrar = api.test_client(), bearer(api, id="reg-1", role="registrar")
    arabic = http.post(
        "/api/v1/residents", headers=registrar, json={**SITI, "nik": "٣٣١٤٠١٥٧٠٨٩٠٠٠٠١"}
    )
    assert arabic.status_code == 422
    assert arabic.get_json()["error"]["fields"]["nik"] == [
        "must be 16 digits 0-9: '٣' is a digit of another script"
    ]
    check = http.get(
        "/api/v1/certificates/verification",
        query_string={"number": "3314-KM-01012026-0001", "check_code": "９F3A61C2"},
    )
    assert check.status_code == 422 and "check_code" in check.get_json()["error"]["fields"]
    page = http.get("/api/v1/residents", headers=registrar, query_string={"page": "٣"})
    assert page.status_code == 422 and "page" in page.get_json()["error"]["fields"]


def test_search_pages_through_residents_for_staff(api):
    http, registrar = api.test_client(), bearer(api, id="reg-1", role="registrar")
    http.post("/api/v1/residents", json=SITI, headers=registrar)
    page = http.get("/api/v1/residents?name=siti&per_page=5", headers=registrar).get_json()
    assert (page["total"], page["per_page"], page["items"][0]["nik"]) == (1, 5, SITI["nik"])
    bad = http.get("/api/v1/residents?per_page=1000", headers=registrar)
    assert bad.status_code == 422 and "per_page" in bad.get_json()["error"]["fields"]


def test_life_events_corrections_and_the_audit_trail_over_http(api):
    http, registrar = api.test_client(), bearer(api, id="reg-1", role="registrar")
    budi_payload = {
        "nik": "3314010203850002",
        "full_name": "Budi Santoso",
        "birth_date": "1985-03-02",
        "sex": "M",
    }
    siti = http.post("/api/v1/residents", json=SITI, headers=registrar).get_json()
    budi = http.post("/api/v1/residents", json=budi_payload, headers=registrar).get_json()

    marriage = http.post(
        "/api/v1/marriages",
        headers=registrar,
        json={
            "first_spouse_id": budi["id"],
            "second_spouse_id": siti["id"],
            "married_on": "2015-06-20",
            "new_family_card": {"number": "3314010101150009", "address": "Jl. Baru 9"},
        },
    )
    assert marriage.status_code == 201
    card_id = marriage.get_json()["family_card_id"]
    card = http.get(f"/api/v1/family-cards/{card_id}", headers=registrar).get_json()
    assert {m["relationship"] for m in card["members"]} == {"head", "spouse"}

    other_card = http.post(
        "/api/v1/family-cards",
        headers=registrar,
        json={"number": "3314020101200002", "address": "Jl. Plupuh 2", "head_id": siti["id"]},
    )
    assert other_card.status_code == 201
    moved = http.post(
        f"/api/v1/residents/{budi['id']}/moves",
        headers=registrar,
        json={"family_card_id": other_card.get_json()["id"], "relationship": "spouse"},
    )
    assert moved.get_json()["family_card_id"] == other_card.get_json()["id"]

    corrected = http.patch(
        f"/api/v1/residents/{budi['id']}",
        headers=registrar,
        json={"changes": {"birth_place": "Solo"}, "reason": "form typo"},
    )
    assert corrected.get_json()["birth_place"] == "Solo"
    trail = http.get(f"/api/v1/residents/{budi['id']}/audit-trail", headers=registrar)
    assert trail.get_json()["items"][-1]["reason"] == "form typo"

    death = http.post(
        "/api/v1/deaths",
        headers=registrar,
        json={"resident_id": budi["id"], "died_on": "2026-11-01"},
    )
    assert death.status_code == 201
    again = http.post(
        "/api/v1/deaths",
        headers=registrar,
        json={"resident_id": budi["id"], "died_on": "2026-11-01"},
    )
    assert again.status_code == 409
    held = http.get(f"/api/v1/residents/{budi['id']}/certificates", headers=registrar)
    assert sorted(c["kind"] for c in held.get_json()["items"]) == ["death", "marriage"]


def test_wrong_check_codes_from_one_address_are_throttled(api):
    api.config["VERIFICATION_FAILURES"] = 5
    http, registrar = api.test_client(), bearer(api, id="reg-1", role="registrar")
    siti_id = http.post("/api/v1/residents", json=SITI, headers=registrar).get_json()["id"]
    http.post(
        "/api/v1/family-cards",
        headers=registrar,
        json={"number": "3314010101200001", "address": "Jl. Sukowati 1", "head_id": siti_id},
    )
    birth = http.post(
        "/api/v1/births",
        headers=registrar,
        json={"full_name": "Ayu", "sex": "F", "birth_date": date.today().isoformat()}
        | {"birth_place": "Sragen", "mother_id": siti_id},
    )
    assert birth.status_code == 201, birth.get_json()
    certificate = birth.get_json()["certificate"]

    def check(code: str, address: str):
        return http.get(
            "/api/v1/certificates/verification",
            query_string={"number": certificate["number"], "check_code": code},
            environ_base={"REMOTE_ADDR": address},
        )

    for _ in range(8):  # right codes use up nothing
        assert check(certificate["check_code"], "10.5.5.5").get_json()["valid"]
    for n in range(5):
        wrong = check(f"WRONG{n}", "10.5.5.5")
        assert wrong.status_code == 200 and not wrong.get_json()["valid"]
    refused = check(certificate["check_code"], "10.5.5.5")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    assert refused.get_json()["error"]["code"] == "too_many_attempts"
    assert check(certificate["check_code"], "10.5.5.6").get_json()["valid"]  # another address
