"""The running mall (``scripts/run-mall``, the Procfile, its gateway_accounts listener): a
registrar registers a citizen's death over HTTP, and her signed-in token and her sign-in
are refused with the reason."""

import requests

from scripts.demo_data import DEMO_PASSWORD
from tests.e2e.conftest import bearer_headers, wait_until_healthy
from tests.polling import eventually

SITI_NIK = "3314015708900001"  # a demo citizen with an account
DECEASED = "account_holder_deceased"


def test_a_registered_death_closes_her_account_in_the_running_mall(mall):
    base, _, _ = mall
    wait_until_healthy(base, timeout=180)  # migrations and demo data come first
    login = {"login": SITI_NIK, "password": DEMO_PASSWORD}
    siti = requests.post(f"{base}/api/v1/sessions", json=login, timeout=30)
    assert siti.status_code == 201, siti.text
    token = {"Authorization": f"Bearer {siti.json()['access_token']}"}
    person_id = siti.json()["account"]["person_id"]

    registrar = bearer_headers(base, "registrar")
    died = requests.post(
        f"{base}/api/v1/deaths",
        headers=registrar,
        json={"resident_id": person_id, "died_on": "2026-11-20"},
        timeout=30,
    )
    assert died.status_code == 201, died.text

    def refusal() -> dict | None:  # (a 401 response is falsy itself)
        me = requests.get(f"{base}/api/v1/me", headers=token, timeout=10)
        return me.json()["error"] if me.status_code == 401 else None

    assert eventually(refusal, timeout=30, interval=0.2)["code"] == DECEASED
    again = requests.post(f"{base}/api/v1/sessions", json=login, timeout=30)
    assert again.status_code == 403 and again.json()["error"]["code"] == DECEASED
    record = requests.get(f"{base}/api/v1/residents/{person_id}", headers=registrar, timeout=30)
    assert record.status_code == 200
