"""The tax robot's pages through Flask's test client signed in with the cookie, against the
real registry, catalog and regional_tax module (SQLite, PostgreSQL): the citizen's bills,
the office's chart and table per district, the import of a file refused with its problems
by line, and the cashier's payment."""

import io
import re

import pytest

from chassis.actor import Actor
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from services.catalog.service import CatalogService
from services.civil_registry.service import CivilRegistryService
from services.regional_tax.service import RegionalTaxService
from tests.accounts import bearer
from tests.integration.helpers import rpc_to
from tests.integration.test_regional_tax import BUDI_NIK, HEADER, SITI_NIK, person, roll
from tests.integration.test_web_office import Page
from tests.polling import eventually

TAX_OFFICER = Actor(id="bapenda-verifier", role="verifier", agency="bapenda")
TAX_CASHIER = Actor(id="bapenda-cashier", role="cashier", agency="bapenda")
DINSOS_VERIFIER = Actor(id="dinsos-verifier", role="verifier", agency="dinsos")
MANAGER = Actor(id="manager-1", role="mall_manager", agency="mpp")


@pytest.fixture
def mall(container_factory, service_config, database_url_factory, tmp_path):
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    container_factory(CatalogService, service_config("catalog")).start()
    container_factory(RegionalTaxService, service_config("regional_tax")).start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(person(SITI_NIK, "Siti Rahayu", "1990-08-17", "F"))
        budi = civil.register_resident(person(BUDI_NIK, "Budi Santoso", "1985-03-02", "M"))
    app = create_app(
        {
            "AMQP_URI": registry["AMQP_URI"],
            "JWT_SECRET": "tax-pages-secret-of-at-least-32-bytes",
            "PUBLIC_BASE_URL": "https://mpp.example.go.id",
            "DATABASE_URL": database_url_factory("gateway"),
            "DOCUMENT_STORE": str(tmp_path / "documents"),
        }
    )
    client = RpcClient(registry["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    http = app.test_client()
    eventually(
        lambda: http.get("/api/v1/modules/regional_tax").get_json().get("available"), timeout=30
    )
    yield {
        "app": app,
        "siti": Actor(id="siti-account", role="citizen", person_id=siti["id"]),
        "budi": Actor(id="budi-account", role="citizen", person_id=budi["id"]),
    }
    client.close()


def imported(mall) -> None:
    office = Page(mall["app"], TAX_OFFICER)
    page = office.post("/office/modules/regional_tax/imports", {"csv_text": roll()})
    assert page.status_code == 200, page.get_data(as_text=True)
    assert 'id="import-result"' in page.get_data(as_text=True)


def test_a_citizen_sees_her_own_bills_with_what_she_still_owes(mall):
    imported(mall)
    siti = Page(mall["app"], mall["siti"])
    page = siti.get("/modules/regional_tax/bills?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert re.findall(r'data-status="(\w+)"', text) == ["overdue", "due"]
    assert "Rp 1.350.000" in text  # still to pay: both of hers
    assert "Reklame Jl. Raya Sukowati km 2" in text and "Sukowati 19" not in text  # not Budi's
    indonesian = siti.get("/modules/regional_tax/bills?lang=id").get_data(as_text=True)
    assert "Tagihan pajak saya" in indonesian and "Lewat jatuh tempo" in indonesian
    budi = Page(mall["app"], mall["budi"]).get("/modules/regional_tax/bills").get_data(as_text=True)
    assert "Sukowati 19" in budi and "Raya Sukowati km 2" not in budi
    assert Page(mall["app"], TAX_OFFICER).get("/modules/regional_tax/bills").status_code == 403


def test_the_office_sees_a_chart_and_a_table_per_district(mall):
    imported(mall)
    office = Page(mall["app"], TAX_OFFICER)
    text = office.get("/office/modules/regional_tax?lang=en").get_data(as_text=True)
    assert '<svg id="district-chart" role="img"' in text
    assert re.findall(r'<tr data-district="([^"]+)"', text) == ["Kalijambe", "Sragen"]
    assert "Rp 248.000" in text and "Rp 1.200.000" in text  # due in Kalijambe, overdue in Sragen
    assert "Import bills from a CSV file" in text
    listed = office.get("/office/modules/regional_tax?district=Sragen&status=overdue")
    assert re.findall(r'data-status="(\w+)"', listed.get_data(as_text=True)) == ["overdue"]
    # the NIK and the object of Siti's bill were shown: her record says who read it
    read = (
        mall["app"]
        .test_client()
        .get(
            "/api/v1/audit-entries",
            headers=bearer(mall["app"], MANAGER),
            query_string={"subject_id": mall["siti"].person_id},
        )
    )
    assert [e["actor_id"] for e in read.get_json()["items"]] == [TAX_OFFICER.id]
    manager = Page(mall["app"], MANAGER).get("/office/modules/regional_tax")
    assert manager.status_code == 200 and "Import" not in manager.get_data(as_text=True)
    assert Page(mall["app"], DINSOS_VERIFIER).get("/office/modules/regional_tax").status_code == 403
    assert Page(mall["app"], mall["siti"]).get("/office/modules/regional_tax").status_code == 403
    # the header links the tax office for its staff and the manager, not another agency's
    link = 'href="/office/modules/regional_tax"'
    assert link in text and link in manager.get_data(as_text=True)
    assert link not in Page(mall["app"], DINSOS_VERIFIER).get("/office").get_data(as_text=True)


def test_a_file_with_problems_is_shown_back_by_line_and_nothing_is_imported(mall):
    office = Page(mall["app"], TAX_OFFICER)
    bad = (
        HEADER
        + f"{SITI_NIK},pbb_p2,NOP 1,Kalijambe,abc,2026-12-31\n3314,vehicle,NOP 2,X,1,2026-12-31\n"
    )
    office.http.set_cookie("lang", "id")
    page = office.http.post(
        "/office/modules/regional_tax/imports",
        data={
            "csrf_token": office.form_token,
            "file": (io.BytesIO(bad.encode("utf-8-sig")), "pbb.csv"),
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert re.findall(r'<tr data-line="(\d+)"', text) == ["2", "3", "3"]
    assert "Terdapat masalah pada 2 baris berkas" in text
    summary = office.get("/office/modules/regional_tax?lang=en").get_data(as_text=True)
    assert "No bills yet." in summary
    empty = office.post("/office/modules/regional_tax/imports", {"csv_text": ""})
    assert empty.status_code == 422 and 'id="e-csv_text"' in empty.get_data(as_text=True)
    cashier = Page(mall["app"], TAX_CASHIER)
    assert (
        cashier.post("/office/modules/regional_tax/imports", {"csv_text": roll()}).status_code
        == 403
    )


def test_the_cashier_records_a_payment_from_the_list_once(mall):
    imported(mall)
    cashier = Page(mall["app"], TAX_CASHIER)
    listed = cashier.get("/office/modules/regional_tax?district=Kalijambe&status=due")
    text = listed.get_data(as_text=True)
    api = mall["app"].test_client()
    found = api.get(
        "/api/v1/modules/regional_tax/bills",
        headers=bearer(mall["app"], TAX_CASHIER),
        query_string={"nik": BUDI_NIK},
    )
    [budis] = [bill["id"] for bill in found.get_json()["items"]]
    read = api.get(
        "/api/v1/audit-entries",
        headers=bearer(mall["app"], MANAGER),
        query_string={"subject_id": mall["budi"].person_id},
    )
    assert {e["actor_id"] for e in read.get_json()["items"]} >= {TAX_CASHIER.id}
    assert f'action="/office/modules/regional_tax/bills/{budis}/payment"' in text
    path = f"/office/modules/regional_tax/bills/{budis}/payment"
    paid = cashier.post(path, {"amount": "98000", "receipt_reference": "BPD-2026-7"})
    assert paid.status_code == 303 and "done=payment" in paid.location
    again = cashier.post(path, {"amount": "98000", "receipt_reference": "BPD-2026-8"})
    assert again.status_code == 409
    mine = Page(mall["app"], mall["budi"]).get("/modules/regional_tax/bills").get_data(as_text=True)
    assert 'data-status="paid"' in mine and "BPD-2026-7" in mine
    officer = Page(mall["app"], TAX_OFFICER)
    assert officer.post(path, {"amount": "98000", "receipt_reference": "X-9"}).status_code == 403
