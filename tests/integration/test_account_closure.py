"""A death closes the gateway account of the deceased, for real: registry outbox -> relay
process -> RabbitMQ -> the gateway's accounts listener -> the gateway's database (SQLite
and PostgreSQL). Her tokens and sign-in are refused; staff still read her record."""

from datetime import UTC, datetime

import pytest
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select

from chassis.rpc_client import RpcClient
from gateway.app import create_app
from gateway.identity import store
from gateway.identity.listener import AccountsListener
from gateway.identity.models import Account, ProcessedEvent, SignInSession
from services.civil_registry.models import OutboxEvent as RegistryOutbox
from services.civil_registry.service import CivilRegistryService
from tests.accounts import bearer
from tests.integration.helpers import publish_event, rows
from tests.polling import eventually

SITI = {"nik": "3314015708900001", "full_name": "Siti Rahayu", "birth_date": "1990-08-17"}
PASSWORD = "kopi-tubruk-pagi-7"
REGISTRAR = {"id": "reg-1", "role": "registrar", "agency": "disdukcapil"}
DECEASED = "account_holder_deceased"


@pytest.fixture
def mall(container_factory, service_config, relay_process):
    registry = service_config("civil_registry")
    relay_process("civil_registry", registry)
    container_factory(CivilRegistryService, registry).start()
    accounts = service_config("gateway")  # the listener works in the gateway's database
    listener = container_factory(AccountsListener, accounts)
    listener.start()
    app = create_app(
        {
            "AMQP_URI": registry["AMQP_URI"],
            "JWT_SECRET": "account-closure-secret-of-32-bytes!",
            "DATABASE_URL": accounts["DATABASE_URL"],
        }
    )
    client = RpcClient(registry["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    yield {"app": app, "registry": registry, "accounts": accounts, "listener": listener}
    client.close()
    store.dispose(accounts["DATABASE_URL"])


def sign_in(http, password=PASSWORD):
    return http.post("/api/v1/sessions", json={"login": SITI["nik"], "password": password})


def me(http, tokens: dict):
    return http.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})


def test_a_registered_death_ends_her_sessions_and_refuses_her_sign_in(mall):
    app = mall["app"]
    http, registrar = app.test_client(), bearer(app, REGISTRAR)
    siti = http.post("/api/v1/residents", headers=registrar, json={**SITI, "sex": "F"})
    assert siti.status_code == 201
    siti_id = siti.get_json()["id"]
    first = http.post("/api/v1/accounts", json={**SITI, "password": PASSWORD}).get_json()
    second = sign_in(http).get_json()  # another device
    assert me(http, first).status_code == 200 and me(http, second).status_code == 200

    died = http.post(
        "/api/v1/deaths", headers=registrar, json={"resident_id": siti_id, "died_on": "2026-11-20"}
    )
    assert died.status_code == 201

    refused = eventually(lambda: (r := me(http, first)).status_code == 401 and r)
    assert refused.get_json()["error"]["code"] == DECEASED
    assert "death" in refused.get_json()["error"]["message"]
    assert me(http, second).get_json()["error"]["code"] == DECEASED
    renewed = http.post("/api/v1/sessions/refresh", json={"refresh_token": second["refresh_token"]})
    assert renewed.status_code == 401 and renewed.get_json()["error"]["code"] == DECEASED

    closed = sign_in(http)
    assert closed.status_code == 403
    assert closed.get_json()["error"]["code"] == DECEASED
    # a wrong password learns nothing about her
    wrong = sign_in(http, "not-her-password")
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "unauthorized"
    page = http.post("/sign-in", data={"login": SITI["nik"], "password": PASSWORD})
    assert page.status_code == 403 and "Akun ini ditutup" in page.text

    url = mall["accounts"]["DATABASE_URL"]
    [account] = rows(url, select(Account).where(Account.person_id == siti_id))
    assert account.closed_reason == "deceased" and account.closed_at is not None
    hers = rows(url, select(SignInSession).where(SignInSession.account_id == account.id))
    assert len(hers) == 2 and all(s.revoked_at is not None for s in hers)
    # her record stays readable by staff for her family's business
    record = http.get(f"/api/v1/residents/{siti_id}", headers=registrar)
    assert record.status_code == 200 and record.get_json()["status"] == "deceased"


def test_the_death_delivered_twice_closes_her_account_once(mall):
    app = mall["app"]
    http, registrar = app.test_client(), bearer(app, REGISTRAR)
    siti_id = http.post("/api/v1/residents", headers=registrar, json={**SITI, "sex": "F"})
    siti_id = siti_id.get_json()["id"]
    http.post("/api/v1/accounts", json={**SITI, "password": PASSWORD})
    http.post(
        "/api/v1/deaths", headers=registrar, json={"resident_id": siti_id, "died_on": "2026-11-20"}
    )
    url = mall["accounts"]["DATABASE_URL"]
    [closed] = eventually(lambda: rows(url, select(Account).where(Account.closed_at.is_not(None))))
    [event] = rows(
        mall["registry"]["DATABASE_URL"],
        select(RegistryOutbox).where(RegistryOutbox.event_type == "person_died"),
    )
    with entrypoint_waiter(mall["listener"], "on_person_died"):
        publish_event(mall["registry"], event.payload)  # RabbitMQ delivers it again
    [again] = rows(url, select(Account).where(Account.person_id == siti_id))
    assert again.closed_at == closed.closed_at  # not closed a second time
    handled = rows(url, select(ProcessedEvent))
    assert [(e.event_id, e.handler) for e in handled] == [
        (event.event_id, "AccountsListener.on_person_died")
    ]
    assert closed.closed_at <= datetime.now(UTC)
