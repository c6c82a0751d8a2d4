"""Accounts through the gateway, against the real civil registry and the gateway's database
(SQLite and PostgreSQL): sign-up, sign-in, refresh, sign-out, throttling, staff, audit."""

import threading
from datetime import UTC, datetime

import pytest
import yaml
from sqlalchemy import select

from chassis.config import config_path, load_config
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from gateway.identity import __main__ as identity_command
from gateway.identity import store
from gateway.identity.models import Account, AuditEntry, FailedSignIns
from services.catalog.service import CatalogService
from services.civil_registry.service import CivilRegistryService
from tests.accounts import bearer
from tests.integration.helpers import in_mall_time, rpc_to

SITI = {"nik": "3314015708900001", "full_name": "Siti Rahayu", "birth_date": "1990-08-17"}
BUDI = {"nik": "3314010203850002", "full_name": "Budi Santoso", "birth_date": "1985-03-02"}
PASSWORD = "kopi-tubruk-pagi-7"
ADMIN = {"id": "admin-1", "role": "mall_admin", "agency": "mpp"}
MANAGER = {"id": "manager-1", "role": "mall_manager", "agency": "mpp"}


@pytest.fixture
def api(container_factory, service_config, database_url_factory):
    yield from gateway_app(container_factory, service_config, database_url_factory)


@pytest.fixture
def api_without_catalog(container_factory, service_config, database_url_factory):
    yield from gateway_app(container_factory, service_config, database_url_factory, False)


def gateway_app(container_factory, service_config, database_url_factory, catalog=True):
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    if catalog:
        container_factory(CatalogService, service_config("catalog")).start()
    with rpc_to("civil_registry", registry) as civil:
        people = {
            p["nik"]: civil.register_resident({**p, "sex": s})
            for p, s in ((SITI, "F"), (BUDI, "M"))
        }
    app = create_app(
        {
            "AMQP_URI": registry["AMQP_URI"],
            "JWT_SECRET": "integration-secret-of-32-bytes-at-least",
            "DATABASE_URL": database_url_factory("gateway"),
            "ACCOUNT_FAILURES": 3,  # per account and address
            "ACCOUNT_CEILING_FAILURES": 5,
            "ADDRESS_FAILURES": 8,
        }
    )
    client = RpcClient(registry["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    app.extensions["people"] = people
    yield app
    client.close()
    store.dispose(app.config["DATABASE_URL"])


def sign_up(http, person=SITI, password=PASSWORD, address="10.0.0.1"):
    return http.post(
        "/api/v1/accounts",
        json={**person, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def sign_in(http, login, password=PASSWORD, address="10.0.0.1"):
    return http.post(
        "/api/v1/sessions",
        json={"login": login, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def auth(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def rows(app, query):
    with store.transaction(app.config["DATABASE_URL"]) as db:
        return db.scalars(query).all()


def test_a_citizen_signs_up_with_what_the_registry_knows_and_reads_her_record(api):
    http = api.test_client()
    created = sign_up(http)
    assert created.status_code == 201
    tokens = created.get_json()
    siti_id = api.extensions["people"][SITI["nik"]]["id"]
    assert tokens["account"]["person_id"] == siti_id
    assert tokens["account"]["role"] == "citizen"
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 15 * 60
    assert in_mall_time(tokens["account"]["created_at"], tokens["refresh_expires_at"]), tokens
    record = http.get(f"/api/v1/residents/{siti_id}", headers=auth(tokens))
    assert record.status_code == 200 and record.get_json()["nik"] == SITI["nik"]
    [account] = rows(api, select(Account))
    assert account.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in account.password_hash


@pytest.mark.parametrize(
    "change", [{"birth_date": "1990-08-18"}, {"full_name": "Siti Aminah"}, {"nik": BUDI["nik"]}]
)
def test_sign_up_with_details_the_registry_does_not_hold_is_refused(api, change):
    response = sign_up(api.test_client(), {**SITI, **change})
    assert response.status_code == 422
    assert "civil registry" in response.get_json()["error"]["fields"]["nik"][0]
    assert rows(api, select(Account)) == []


def test_sign_up_names_each_bad_field(api):
    response = api.test_client().post(
        "/api/v1/accounts", json={"nik": "12", "birth_date": "soon", "password": "x"}
    )
    assert response.status_code == 422
    assert {"nik", "birth_date", "full_name"} <= set(response.get_json()["error"]["fields"])


@pytest.mark.parametrize("password", ["short", "aaaaaaaaaaaaaa", "3314015708900001x"])
def test_a_weak_password_is_refused_with_the_reason(api, password):
    response = sign_up(api.test_client(), password=password)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["password"]


def test_one_account_per_person(api):
    http = api.test_client()
    assert sign_up(http).status_code == 201
    again = sign_up(http, password="another-long-password")
    assert again.status_code == 409
    assert len(rows(api, select(Account))) == 1


def test_sign_in_refresh_and_sign_out(api):
    http = api.test_client()
    sign_up(http)
    assert sign_in(http, SITI["nik"], "wrong-password-1").status_code == 401
    tokens = sign_in(http, SITI["nik"]).get_json()
    assert http.get("/api/v1/me", headers=auth(tokens)).get_json()["login"] == SITI["nik"]

    renewed = http.post("/api/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert renewed.status_code == 200
    fresh = renewed.get_json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert http.get("/api/v1/me", headers=auth(fresh)).status_code == 200

    assert http.delete("/api/v1/sessions/current", headers=auth(fresh)).status_code == 204
    assert http.get("/api/v1/me", headers=auth(fresh)).status_code == 401
    assert http.get("/api/v1/me", headers=auth(tokens)).status_code == 401  # same session
    again = http.post("/api/v1/sessions/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert again.status_code == 401


def test_a_refresh_token_used_twice_ends_the_session(api):
    http = api.test_client()
    tokens = sign_up(http).get_json()
    first = http.post("/api/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    stolen = http.post("/api/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200 and stolen.status_code == 401
    # the thief's replay ends the session for the holder of the newer token too
    assert http.get("/api/v1/me", headers=auth(first.get_json())).status_code == 401


def test_an_account_and_address_pair_is_throttled_even_with_the_right_password(api):
    http = api.test_client()
    sign_up(http)
    for n in range(3):
        assert sign_in(http, SITI["nik"], f"guess-number-{n}", "10.0.6.6").status_code == 401
    refused = sign_in(http, SITI["nik"], PASSWORD, "10.0.6.6")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    assert refused.get_json()["error"]["code"] == "too_many_attempts"


def test_a_stranger_failing_elsewhere_does_not_lock_the_owner_out(api):
    http = api.test_client()
    sign_up(http)
    for n in range(4):  # a stranger, until her own address is refused
        sign_in(http, SITI["nik"], f"guess-number-{n}", "203.0.113.9")
    assert sign_in(http, SITI["nik"], "guess-again", "203.0.113.9").status_code == 429
    assert sign_in(http, SITI["nik"], PASSWORD, "10.0.0.1").status_code == 201


def test_an_account_has_a_ceiling_across_addresses(api):
    http = api.test_client()
    sign_up(http)
    for n in range(5):
        assert sign_in(http, SITI["nik"], f"guess-number-{n}", f"10.0.1.{n}").status_code == 401
    refused = sign_in(http, SITI["nik"], PASSWORD, "10.0.2.1")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    # another account from the same place is not affected
    budi = sign_up(http, BUDI, address="10.0.3.1")
    assert budi.status_code == 201
    assert sign_in(http, BUDI["nik"], PASSWORD, "10.0.2.1").status_code == 201


def test_a_right_password_does_not_use_up_the_allowance(api):
    http = api.test_client()
    sign_up(http)
    for _ in range(5):
        assert sign_in(http, SITI["nik"]).status_code == 201
    found = rows(api, select(FailedSignIns).where(FailedSignIns.key.contains(SITI["nik"])))
    assert {r.key: r.failures for r in found} == {
        f"account:{SITI['nik']}": 0,
        f"pair:{SITI['nik']}@10.0.0.1": 0,
    }


def test_one_address_is_throttled_across_accounts(api):
    http = api.test_client()
    codes = [sign_in(http, f"nobody-{n}", "guess-guess", "10.9.9.9").status_code for n in range(9)]
    assert codes == [401] * 8 + [429]
    assert sign_in(http, "nobody-x", "guess-guess", "10.9.9.10").status_code == 401


def test_concurrent_guesses_never_exceed_the_limit(api):
    sign_up(api.test_client())
    codes, lock = [], threading.Lock()

    def guess(n: int):
        status = sign_in(api.test_client(), SITI["nik"], f"guess-{n}-xxxx", f"10.1.{n}.1")
        with lock:
            codes.append(status.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [401] * 5 + [429] * 7  # the account's ceiling


def test_an_administrator_creates_staff_who_sign_in_with_their_role(api):
    http = api.test_client()
    created = http.post(
        "/api/v1/staff",
        headers=bearer(api, ADMIN),
        json={
            "username": "loket-3",
            "full_name": "Dewi Lestari",
            "role": "counter_officer",
            "agency": "disdukcapil",
            "password": PASSWORD,
        },
    )
    assert created.status_code == 201
    tokens = sign_in(http, "LOKET-3").get_json()  # usernames are not case-sensitive
    assert tokens["account"]["role"] == "counter_officer"
    assert tokens["account"]["agency"] == "disdukcapil"
    [signed_in] = rows(
        api, select(AuditEntry).where(AuditEntry.actor_id == tokens["account"]["id"])
    )
    assert signed_in.action == "POST /api/v1/sessions" and signed_in.allowed
    # disabling the account ends its sessions at once
    disabled = http.patch(
        f"/api/v1/staff/{tokens['account']['id']}",
        headers=bearer(api, ADMIN),
        json={"active": False},
    )
    assert disabled.status_code == 200
    assert http.get("/api/v1/me", headers=auth(tokens)).status_code == 401
    assert sign_in(http, "loket-3").status_code == 401


@pytest.mark.parametrize(
    ("actor", "role", "agency", "status"),
    [
        ({"id": "aa-1", "role": "agency_admin", "agency": "dpmptsp"}, "verifier", "dpmptsp", 201),
        ({"id": "aa-1", "role": "agency_admin", "agency": "dpmptsp"}, "verifier", "dinkes", 403),
        ({"id": "aa-1", "role": "agency_admin", "agency": "dpmptsp"}, "mall_manager", None, 403),
        (
            {"id": "aa-1", "role": "agency_admin", "agency": "dpmptsp"},
            "agency_admin",
            "dpmptsp",
            403,
        ),
        ({"id": "m-1", "role": "mall_manager", "agency": "mpp"}, "cashier", "dpmptsp", 403),
        ({"id": "c-1", "role": "citizen", "person_id": "p-1"}, "cashier", "dpmptsp", 403),
        (ADMIN, "cashier", None, 422),
        (ADMIN, "emperor", "dpmptsp", 422),
    ],
)
def test_who_may_create_which_staff(api, actor, role, agency, status):
    body = {"username": "new-staff", "full_name": "Staf Baru", "role": role, "password": PASSWORD}
    if agency:
        body["agency"] = agency
    response = api.test_client().post("/api/v1/staff", headers=bearer(api, actor), json=body)
    assert response.status_code == status, response.get_json()
    created = rows(api, select(Account).where(Account.login == "new-staff"))
    assert len(created) == (1 if status == 201 else 0)


def test_reads_of_a_record_are_audited_and_shown_to_its_owner(api):
    http = api.test_client()
    siti = sign_up(http).get_json()
    siti_id = siti["account"]["person_id"]
    registrar = {"id": "reg-7", "role": "registrar", "agency": "disdukcapil"}
    assert (
        http.get(f"/api/v1/residents/{siti_id}", headers=bearer(api, registrar)).status_code == 200
    )
    assert http.get(f"/api/v1/residents/{siti_id}", headers=auth(siti)).status_code == 200

    reads = http.get("/api/v1/me/record-reads", headers=auth(siti))
    assert reads.status_code == 200
    [entry] = reads.get_json()["items"]  # her own read is not listed
    assert entry["actor_id"] == "reg-7" and entry["actor_role"] == "registrar"
    assert entry["actor_name"] == "Test reg-7"
    assert entry["action"] == "GET /api/v1/residents/<resident_id>" and entry["allowed"]

    log = http.get(f"/api/v1/audit-entries?subject_id={siti_id}", headers=bearer(api, MANAGER))
    assert log.status_code == 200
    assert [e["actor_id"] for e in log.get_json()["items"]] == ["reg-7"]
    assert in_mall_time(entry["at"], *[e["at"] for e in log.get_json()["items"]])


def test_a_denied_read_is_audited_with_whose_record_it_was(api):
    http = api.test_client()
    budi = sign_up(http, BUDI).get_json()
    siti_id = api.extensions["people"][SITI["nik"]]["id"]
    assert http.get(f"/api/v1/residents/{siti_id}", headers=auth(budi)).status_code in (403, 404)
    [entry] = rows(api, select(AuditEntry).where(AuditEntry.actor_id == budi["account"]["id"]))
    assert (entry.subject_id, entry.allowed, entry.target) == (siti_id, False, siti_id)


def test_staff_actions_are_audited_and_only_managers_read_the_log(api):
    http = api.test_client()
    http.post(
        "/api/v1/staff",
        headers=bearer(api, ADMIN),
        json={"username": "kasir-9", "full_name": "Kasir", "role": "cashier", "agency": "bapenda"}
        | {"password": PASSWORD},
    )
    log = http.get("/api/v1/audit-entries?actor_id=admin-1", headers=bearer(api, MANAGER))
    [entry] = log.get_json()["items"]
    assert entry["action"] == "POST /api/v1/staff" and entry["status"] == 201
    citizen = {"id": "c-9", "role": "citizen", "person_id": "p-9"}
    assert http.get("/api/v1/audit-entries", headers=bearer(api, citizen)).status_code == 403
    since = datetime.now(UTC).isoformat()
    later = http.get(
        "/api/v1/audit-entries", headers=bearer(api, MANAGER), query_string={"since": since}
    )
    moments = [datetime.fromisoformat(e["at"]) for e in later.get_json()["items"]]
    assert all(at >= datetime.fromisoformat(since) for at in moments)
    bad = http.get("/api/v1/audit-entries?since=yesterday", headers=bearer(api, MANAGER))
    assert bad.status_code == 422 and "since" in bad.get_json()["error"]["fields"]


def test_a_denial_with_an_overlong_id_is_still_audited(api):
    citizen = {"id": "c-long", "role": "citizen", "person_id": "p-long"}
    long_id = "x" * 150
    response = api.test_client().get(f"/api/v1/residents/{long_id}", headers=bearer(api, citizen))
    assert response.status_code in (403, 404)
    [entry] = rows(api, select(AuditEntry).where(AuditEntry.actor_id == "c-long"))
    assert entry.target == long_id[:100] and not entry.allowed


def test_guessing_identities_at_sign_up_is_throttled_per_address(api):
    http = api.test_client()
    for n in range(8):
        wrong = {**SITI, "birth_date": f"1990-01-{n + 1:02d}"}
        assert sign_up(http, wrong, address="10.7.7.7").status_code == 422
    refused = sign_up(http, SITI, address="10.7.7.7")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert sign_up(http, SITI, address="10.7.7.8").status_code == 201


def new_staff(agency: str, role: str = "counter_officer") -> dict:
    return {"username": "loket-9", "full_name": "Dewi Lestari", "role": role} | {
        "agency": agency,
        "password": PASSWORD,
    }


def test_a_staff_account_cannot_be_given_an_agency_the_mall_does_not_have(api):
    http = api.test_client()
    refused = http.post("/api/v1/staff", headers=bearer(api, ADMIN), json=new_staff("dinas-x"))
    assert refused.status_code == 422
    [reason] = refused.get_json()["error"]["fields"]["agency"]
    assert "unknown agency" in reason and "disdukcapil" in reason and "dpmptsp" in reason
    assert rows(api, select(Account).where(Account.login == "loket-9")) == []

    created = http.post("/api/v1/staff", headers=bearer(api, ADMIN), json=new_staff("dinkes"))
    assert created.status_code == 201
    account_id = created.get_json()["id"]
    moved = http.patch(
        f"/api/v1/staff/{account_id}", headers=bearer(api, ADMIN), json={"agency": "dinas-x"}
    )
    assert moved.status_code == 422 and "agency" in moved.get_json()["error"]["fields"]
    [kept] = rows(api, select(Account).where(Account.id == account_id))
    assert kept.agency == "dinkes"
    again = http.patch(
        f"/api/v1/staff/{account_id}", headers=bearer(api, ADMIN), json={"agency": "bapenda"}
    )
    assert again.status_code == 200 and again.get_json()["agency"] == "bapenda"


def test_an_agency_cannot_be_checked_while_the_catalog_is_away(api_without_catalog):
    api = api_without_catalog
    response = api.test_client().post(
        "/api/v1/staff", headers=bearer(api, ADMIN), json=new_staff("dinkes")
    )
    assert response.status_code == 503
    assert rows(api, select(Account).where(Account.login == "loket-9")) == []
    # the mall's own staff belong to no agency to check
    manager = new_staff("mpp", role="mall_manager") | {"username": "manajer-2"}
    created = api.test_client().post("/api/v1/staff", headers=bearer(api, ADMIN), json=manager)
    assert created.status_code == 201


def test_the_create_staff_command_checks_the_agency_against_the_catalog(
    api, tmp_path, monkeypatch, capsys
):
    config = load_config(config_path("gateway"))
    config |= {"AMQP_URI": api.config["AMQP_URI"], "DATABASE_URL": api.config["DATABASE_URL"]}
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("MPP_PASSWORD", PASSWORD)
    command = ["create-staff", "--username", "loket-7", "--full-name", "Dewi Lestari"]
    command += ["--role", "counter_officer", "--config", str(path), "--agency"]
    with pytest.raises(SystemExit) as refused:
        identity_command.main([*command, "dinas-x"])
    assert "unknown agency" in str(refused.value) and "disdukcapil" in str(refused.value)
    identity_command.main([*command, "dinkes"])
    assert "created counter_officer loket-7 (dinkes)" in capsys.readouterr().out
