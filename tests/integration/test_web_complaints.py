"""The complaint desk through the generic module pages and routes, with no gateway code of
its own (SQLite, PostgreSQL, the real broker): a citizen files a complaint on the module's
form page and is offered to add her voice to a like one; the mall's complaint officer
verifies it and sends it to an agency with the step's own form; that agency's verifier
finds it in her worklist and answers; the citizen confirms with a rating; the public page,
the API's views and the manager's chart show it, redacted."""

import re

import pytest

from chassis.actor import Actor
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.catalog.service import CatalogService
from services.complaints.service import ComplaintsService
from services.licensing.service import LicensingService
from services.queue.service import QueueService
from tests.accounts import bearer
from tests.integration.test_web_office import Page
from tests.polling import eventually

SITI = Actor(id="siti-account", role="citizen", person_id="person-siti")
BUDI = Actor(id="budi-account", role="citizen", person_id="person-budi")
MALL_OFFICER = Actor(id="mpp-officer", role="agency_admin", agency="mpp")
DINKES = Actor(id="dinkes-verifier", role="verifier", agency="dinkes")
BAPENDA = Actor(id="bapenda-verifier", role="verifier", agency="bapenda")
MANAGER = Actor(id="manager-1", role="mall_manager", agency="mpp")
FORM = {
    "category": "waiting_time",
    "text": "Antrian loket 3 lama sekali, hubungi saya di 081234567890 atau NIK 3314015708900001.",
    "object_kind": "counter",
    "object_id": "loket-3",
}
COMPLAINT = "/modules/complaints/services/complaint"


@pytest.fixture
def mall(container_factory, service_config, database_url_factory):
    catalog, licensing = service_config("catalog"), service_config("licensing")
    queue = service_config("queue")
    # a verifier's worklist asks licensing too, the manager's page the queue
    seed(licensing["DATABASE_URL"], PERMIT_TYPES)
    seed(queue["DATABASE_URL"], QUEUE_SETUP)
    container_factory(LicensingService, licensing).start()
    container_factory(QueueService, queue).start()
    container_factory(CatalogService, catalog).start()
    container_factory(ComplaintsService, service_config("complaints")).start()
    app = create_app(
        {
            "AMQP_URI": catalog["AMQP_URI"],
            "JWT_SECRET": "complaint-pages-secret-of-at-least-32-bytes",
            "PUBLIC_BASE_URL": "https://mpp.example.go.id",
            "DATABASE_URL": database_url_factory("gateway"),
        }
    )
    client = RpcClient(catalog["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    http = app.test_client()
    eventually(lambda: http.get("/api/v1/modules/complaints").status_code == 200, timeout=30)
    yield app
    client.close()


def file_complaint(page: Page, form: dict, **extra) -> str:
    """Post the module's form page; the address of the complaint it made."""
    response = page.post(COMPLAINT, {**form, **extra})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def step(page: Page, path: str, action: str, **fields) -> None:
    response = page.post(f"{path}/actions", {"action": action, **fields})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def status_on(page: Page, path: str) -> str:
    body = page.get(path).get_data(as_text=True)
    return re.search(r'data-status="([a-z_]+)"', body).group(1)


def test_a_complaint_through_the_pages_from_filing_to_her_rating(mall):
    siti, officer, dinkes = Page(mall, SITI), Page(mall, MALL_OFFICER), Page(mall, DINKES)
    form_page = siti.get(COMPLAINT, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Waiting time" in form_page and "A counter" in form_page  # the manifest's words

    mine = file_complaint(siti, FORM)
    complaint_id = mine.rsplit("/", 1)[-1]
    assert status_on(siti, mine) == "received"
    assert "Diterima" in siti.get(mine).get_data(as_text=True)  # the lifecycle's own word
    listed = siti.get("/applications").get_data(as_text=True)
    assert "Pengaduan layanan" in listed and 'data-status="received">Diterima' in listed

    office = f"/office/modules/complaints/applications/{complaint_id}"
    worklist = officer.get("/office").get_data(as_text=True)
    assert office in worklist
    page = officer.get(office).get_data(as_text=True)
    assert 'data-action="verify"' in page and 'data-action="reject"' in page
    step(officer, office, "verify")
    page = officer.get(office).get_data(as_text=True)
    assert 'name="form.agency"' in page  # the disposition's own form field
    refused = officer.post(f"{office}/actions", {"action": "disposition"})
    assert refused.status_code == 422 and 'id="e-f-form.agency"' in refused.get_data(as_text=True)
    step(officer, office, "disposition", **{"form.agency": "dinkes"})

    # the agency it went to finds it in her worklist; another agency does not
    assert office in dinkes.get("/office").get_data(as_text=True)
    assert office not in Page(mall, BAPENDA).get("/office").get_data(as_text=True)
    assert "not shown to you" not in dinkes.get(office, headers={"Accept-Language": "en"}).text
    step(dinkes, office, "follow_up")
    refused = dinkes.post(f"{office}/actions", {"action": "resolve"})
    assert refused.status_code == 422  # an answer is required
    step(dinkes, office, "resolve", note="Loket 3 kini dilayani dua petugas.")

    page = siti.get(mine).get_data(as_text=True)
    assert 'data-step="confirm"' in page and 'name="form.rating"' in page
    assert 'data-step="reopen"' in page
    step(siti, mine, "confirm", **{"form.rating": "4"})
    assert status_on(siti, mine) == "closed"

    # the public page: redacted, with the answer; the API's view says the same
    public = siti.get("/modules/complaints/views/public").get_data(as_text=True)
    assert "Loket 3 kini dilayani dua petugas." in public
    assert "081234567890" not in public and "3314015708900001" not in public
    listed = mall.test_client().get("/api/v1/modules/complaints/views/public").get_json()
    [row] = [r for r in listed["items"] if r["id"] == complaint_id]
    assert row["status"] == "closed" and "081234567890" not in row["text"]
    figures = mall.test_client().get("/api/v1/modules/complaints/views/figures").get_json()
    [dinkes_row] = [r for r in figures["items"] if r["agency"] == "dinkes"]
    assert dinkes_row["within_level_percent"] == 100 and dinkes_row["satisfaction_percent"] == 100
    manager = Page(mall, MANAGER).get("/manager").get_data(as_text=True)
    assert 'data-chart="figures"' in manager and 'data-bar="dinkes"' in manager


def test_a_like_open_complaint_is_offered_for_her_voice_before_a_new_one(mall):
    budi, siti, officer = Page(mall, BUDI), Page(mall, SITI), Page(mall, MALL_OFFICER)
    first = file_complaint(budi, FORM)
    first_id = first.rsplit("/", 1)[-1]
    step(officer, f"/office/modules/complaints/applications/{first_id}", "verify")

    offered = siti.post(COMPLAINT, FORM)
    assert offered.status_code == 200  # not filed yet: a like case is shown first
    body = offered.get_data(as_text=True)
    assert 'id="similar"' in body and f'data-row="{first_id}"' in body
    voice = siti.post(
        f"/modules/complaints/applications/{first_id}/operations/voice", {"back": COMPLAINT}
    )
    assert voice.status_code == 303 and voice.headers["Location"].endswith("?done=voice")
    assert "Dukungan Anda tercatat." in siti.get(voice.headers["Location"]).text
    again = siti.post(f"/modules/complaints/applications/{first_id}/operations/voice", {})
    assert again.status_code == 409  # once per citizen
    supporters = mall.test_client().get("/api/v1/modules/complaints/views/public").get_json()
    assert [r["supporters"] for r in supporters["items"] if r["id"] == first_id] == [1]

    # she may still file hers
    filed = siti.post(COMPLAINT, {**FORM, "file_anyway": "yes"})
    assert filed.status_code == 303


def test_views_and_operations_refuse_what_the_manifest_does_not_name(mall):
    http = mall.test_client()
    assert http.get("/api/v1/modules/complaints/views/nothing").status_code == 404
    assert http.get("/api/v1/modules/complaints/views/similar").status_code == 401
    signed = bearer(mall, BUDI)
    bad = http.get(
        "/api/v1/modules/complaints/views/public", query_string={"agency": "x"}, headers=signed
    )
    assert bad.status_code == 422 and "agency" in bad.get_json()["error"]["fields"]
    unknown = http.post(
        "/api/v1/modules/complaints/applications/some-id/operations/act", headers=signed
    )
    assert unknown.status_code == 404 and unknown.get_json()["error"]["reason"] == "no_operation"
    assert (
        http.post("/api/v1/modules/complaints/applications/x/operations/voice").status_code == 401
    )


def test_a_visitor_files_on_the_page_and_follows_it_with_her_code(mall):
    visitor = mall.test_client()  # not signed in
    assert visitor.get(COMPLAINT).status_code == 200  # the desk takes visitors
    filed = visitor.post(COMPLAINT, data={**FORM, "contact": "0812-1111-2222"})
    assert filed.status_code == 303, filed.get_data(as_text=True)[:2000]
    page = filed.headers["Location"]
    shown = visitor.get(page).get_data(as_text=True)
    code = re.search(r'id="tracking-code">([A-Z2-9-]+)<', shown).group(1)
    assert 'data-status="received"' in shown

    other = mall.test_client()  # another browser: her code, or nothing
    asked = other.get(page).get_data(as_text=True)
    assert 'name="code"' in asked and "tracking-code" not in asked
    wrong = other.get(page, query_string={"code": "AAAAA-BBBBB"}, follow_redirects=True)
    assert wrong.status_code == 404 and 'id="wrong-code"' in wrong.get_data(as_text=True)
    other = mall.test_client()
    typed = other.get(page, query_string={"code": code}, follow_redirects=True)
    assert typed.status_code == 200 and code in typed.get_data(as_text=True)


def test_the_api_takes_a_visitors_complaint_and_nothing_else_without_a_sign_in(mall):
    http = mall.test_client()
    refused = http.post(
        "/api/v1/modules/complaints/applications", json={"service": "nope", "form": {}}
    )
    assert refused.status_code == 422  # the service is checked first, then who may file it
    filed = http.post(
        "/api/v1/modules/complaints/applications", json={"service": "complaint", "form": FORM}
    )
    assert filed.status_code == 201, filed.get_data(as_text=True)
    complaint = filed.get_json()
    path = f"/api/v1/modules/complaints/applications/{complaint['id']}"
    assert http.get(path).status_code == 404  # without a sign-in or her code: nobody's
    assert http.get(path, query_string={"tracking_code": "AAAAA-BBBBB"}).status_code == 404
    hers = http.get(path, query_string={"tracking_code": complaint["tracking_code"]})
    assert hers.status_code == 200 and hers.get_json()["yours"] is True
    no_code = http.post(f"{path}/actions", json={"action": "confirm"})
    assert no_code.status_code == 404


def test_an_anonymous_complainant_is_shown_to_no_one_at_the_mall_on_any_page_or_route(mall):
    siti, officer, dinkes = Page(mall, SITI), Page(mall, MALL_OFFICER), Page(mall, DINKES)
    mine = file_complaint(siti, {**FORM, "anonymous": "yes"})
    complaint_id = mine.rsplit("/", 1)[-1]
    office = f"/office/modules/complaints/applications/{complaint_id}"
    step(officer, office, "verify")
    step(officer, office, "disposition", **{"form.agency": "dinkes"})
    api = f"/api/v1/modules/complaints/applications/{complaint_id}"
    for staff in (MALL_OFFICER, DINKES, MANAGER):
        read = mall.test_client().get(api, headers=bearer(mall, staff)).get_json()
        assert read["applicant_id"] is None, staff
        assert SITI.id not in str(read) and SITI.person_id not in str(read), staff
    for page in (officer, dinkes):
        shown = page.get(office).get_data(as_text=True)
        assert SITI.person_id not in shown and SITI.id not in shown
        assert "tidak ditampilkan kepada Anda" in shown
    assert mall.test_client().get(api, headers=bearer(mall, SITI)).get_json()["applicant_id"] == (
        SITI.person_id
    )  # her own
