"""The tax robot runs with the mall (``scripts/run-mall``, the Procfile): the demo residents'
bills are there and published once by the module's relay, the tax office imports a file
over HTTP, and its cashier records a payment the citizen then sees."""

from datetime import timedelta

import requests
from sqlalchemy import select

from chassis.clock import today
from scripts.demo_data import DEMO_PASSWORD, RESIDENTS
from services.regional_tax.models import OutboxEvent
from tests.e2e.conftest import bearer_headers, get_json, wait_until_healthy
from tests.integration.helpers import rows
from tests.polling import eventually

TAX = "/api/v1/modules/regional_tax"


def staff(base: str, login: str) -> dict:
    signed_in = requests.post(
        f"{base}/api/v1/sessions", json={"login": login, "password": DEMO_PASSWORD}, timeout=30
    )
    assert signed_in.status_code == 201, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def test_the_demo_bills_an_import_and_a_payment_over_http(mall, mall_env):
    base, _, _ = mall
    wait_until_healthy(base)
    eventually(
        lambda: (r := get_json(f"{base}{TAX}")) is not None and r.ok and r.json()["available"],
        timeout=40,
    )
    siti = bearer_headers(base, "citizen")
    mine = requests.get(f"{base}{TAX}/bills/mine", headers=siti, timeout=10).json()["items"]
    assert sorted(b["status"] for b in mine) == ["due", "overdue"]  # the demo's

    url = mall_env["REGIONAL_TAX_DATABASE_URL"]
    eventually(lambda: all(e.published_at for e in rows(url, select(OutboxEvent))), timeout=30)

    office, cashier = staff(base, "pajak"), staff(base, "kasir-pajak")
    due = today() + timedelta(days=45)
    roll = (
        "nik;tax_kind;object;district;amount;due_on\n"
        f"{RESIDENTS[0].nik};billboard;Reklame toko, Jl. Ahmad Yani 3;Sragen;640000;{due}\n"
    )
    imported = requests.post(
        f"{base}{TAX}/bills/imports", headers=office, json={"csv_text": roll}, timeout=30
    )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"rows": 1, "imported": 1, "already_imported": 0}
    [bill] = [
        b
        for b in requests.get(f"{base}{TAX}/bills/mine", headers=siti, timeout=10).json()["items"]
        if b["object"] == "Reklame toko, Jl. Ahmad Yani 3"
    ]
    paid = requests.post(
        f"{base}{TAX}/bills/{bill['id']}/payment",
        headers=cashier,
        json={"amount": 640000, "receipt_reference": "BPD/E2E/0001"},
        timeout=30,
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid", paid.text
    page = requests.get(f"{base}/office/modules/regional_tax", headers=office, timeout=10)
    assert page.status_code == 200
    districts = requests.get(f"{base}{TAX}/districts", headers=office, timeout=10).json()["items"]
    sragen = next(d for d in districts if d["district"] == "Sragen")
    assert sragen["collected"] == 640000 and sragen["overdue"] == 1_250_000
