"""The back office and the manager's overview as pages, through Flask's test client signed in
with the cookie, against the real services (SQLite, PostgreSQL): who is refused, what each
officer sees and does, and the figures the manager reads."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from chassis.actor import Actor
from chassis.database import utcnow
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from gateway.auth import COOKIE, csrf_token, verify_token
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.catalog.service import CatalogService
from services.civil_registry.service import CivilRegistryService
from services.licensing.models import Application
from services.licensing.service import LicensingService
from services.queue.service import QueueService
from services.social_aid.service import SocialAidService
from tests.accounts import bearer
from tests.documents import pdf
from tests.integration.helpers import rpc_to, session_for
from tests.polling import eventually

SITI = {"nik": "3314015708900001", "full_name": "Siti Rahayu", "birth_date": "1990-08-17"}
DINKES_VERIFIER = Actor(id="dinkes-verifier", role="verifier", agency="dinkes")
DPUPR_VERIFIER = Actor(id="dpupr-verifier", role="verifier", agency="dpupr")
DPUPR_CASHIER = Actor(id="dpupr-cashier", role="cashier", agency="dpupr")
REGISTRAR = Actor(id="registrar-1", role="registrar", agency="disdukcapil")
MANAGER = Actor(id="manager-1", role="mall_manager", agency="mpp")
DINSOS_VERIFIER = Actor(id="dinsos-verifier", role="verifier", agency="dinsos")


class Page:
    """A browser of one signed-in actor: the cookie, and the form token of its session."""

    def __init__(self, app, actor: Actor):
        token = bearer(app, actor)["Authorization"].removeprefix("Bearer ")
        self.http = app.test_client()
        self.http.set_cookie(COOKIE, token)
        with app.app_context():
            self.form_token = csrf_token(verify_token(app.config, token)["sid"])

    def get(self, path: str, **kwargs):
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: dict, csrf: bool = True):
        return self.http.post(
            path, data={**data, **({"csrf_token": self.form_token} if csrf else {})}
        )


@pytest.fixture
def mall(container_factory, service_config, database_url_factory, tmp_path):
    store = {"DOCUMENT_STORE": str(tmp_path / "documents"), "MAX_DOCUMENT_BYTES": 4096}
    registry = service_config("civil_registry")
    licensing = service_config("licensing", **store)
    queue = service_config("queue")
    seed(licensing["DATABASE_URL"], PERMIT_TYPES)
    seed(queue["DATABASE_URL"], QUEUE_SETUP)
    container_factory(CivilRegistryService, registry).start()
    container_factory(LicensingService, licensing).start()
    container_factory(QueueService, queue).start()
    container_factory(CatalogService, service_config("catalog")).start()
    container_factory(
        SocialAidService,
        service_config("social_aid", REGENCY_CODE="3314", POVERTY_LINE_PER_PERSON=550000),
    ).start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident({**SITI, "sex": "F"})
        civil.create_family_card(
            {"number": "3314010101200001", "address": "Jl. Sukowati 17", "head_id": siti["id"]}
        )
    app = create_app(
        {
            "AMQP_URI": registry["AMQP_URI"],
            "JWT_SECRET": "office-pages-secret-of-at-least-32-bytes",
            "PUBLIC_BASE_URL": "https://mpp.example.go.id",
            "DATABASE_URL": database_url_factory("gateway"),
            **store,
        }
    )
    client = RpcClient(registry["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    citizen = Actor(id="siti-account", role="citizen", person_id=siti["id"])
    yield {
        "app": app,
        "siti": siti,
        "citizen": bearer(app, citizen),
        "citizen_actor": citizen,
        "licensing": licensing,
        "registry": registry,
    }
    client.close()


def submitted(mall, permit_type: str, documents: list[str]) -> str:
    """A citizen's application of ``permit_type`` with its documents, submitted."""
    http, mine = mall["app"].test_client(), mall["citizen"]
    draft = {
        "permit_type": permit_type,
        "applicant_nik": SITI["nik"],
        "applicant_name": SITI["full_name"],
        "applicant_birth_date": SITI["birth_date"],
    }
    created = http.post("/api/v1/applications", headers=mine, json=draft)
    assert created.status_code == 201, created.get_data(as_text=True)
    application = created.get_json()["id"]
    for kind in documents:
        uploaded = http.post(
            f"/api/v1/applications/{application}/documents",
            headers=mine,
            data={"kind": kind, "file": (io.BytesIO(pdf(kind)), f"{kind}.pdf")},
            content_type="multipart/form-data",
        )
        assert uploaded.status_code == 201, uploaded.get_data(as_text=True)
    sent = http.post(
        f"/api/v1/applications/{application}/actions", headers=mine, json={"action": "submit"}
    )
    assert sent.status_code == 200, sent.get_data(as_text=True)
    return application


def document_of(mall, application: str) -> dict:
    http = mall["app"].test_client()
    found = http.get(f"/api/v1/applications/{application}", headers=mall["citizen"]).get_json()
    return found["documents"][0]


def text(response) -> str:
    return response.get_data(as_text=True)


# --- refusals ------------------------------------------------------------------------------


def test_citizens_and_visitors_are_kept_out_of_the_office_and_the_overview(mall):
    app = mall["app"]
    citizen = Page(app, mall["citizen_actor"])
    for path in ("/office", "/manager", "/office/births", "/office/deaths"):
        refused = citizen.get(path)
        assert refused.status_code == 403, path
        assert "text/html" in refused.content_type
    counter = Page(app, Actor(id="loket-a", role="counter_officer", agency="disdukcapil"))
    assert counter.get("/office").status_code == 403
    verifier = Page(app, DINKES_VERIFIER)
    assert verifier.get("/manager").status_code == 403
    assert verifier.get("/office/births").status_code == 403
    visitor = app.test_client().get("/office/applications/anything")
    assert visitor.status_code == 302 and "/sign-in" in visitor.headers["Location"]


def test_another_agencys_verifier_sees_neither_the_application_nor_its_document(mall):
    application = submitted(mall, "SIP", ["ktp", "str", "diploma"])
    document = document_of(mall, application)
    outsider = Page(mall["app"], DPUPR_VERIFIER)
    page = outsider.get(f"/office/applications/{application}")
    assert page.status_code == 404
    assert SITI["full_name"] not in text(page)
    file = outsider.get(f"/office/applications/{application}/documents/{document['id']}")
    assert file.status_code == 404
    assert not file.get_data().startswith(b"%PDF")
    assert application not in text(outsider.get("/office"))
    approve = outsider.post(f"/office/applications/{application}/actions", {"action": "approve"})
    assert approve.status_code in (403, 404)
    # nor does the applicant reach her file through the office
    citizen = Page(mall["app"], mall["citizen_actor"])
    mine = citizen.get(f"/office/applications/{application}/documents/{document['id']}")
    assert mine.status_code == 403


def test_a_form_posted_without_its_token_is_refused_and_changes_nothing(mall):
    application = submitted(mall, "SIP", ["ktp", "str", "diploma"])
    verifier = Page(mall["app"], DINKES_VERIFIER)
    forged = verifier.post(
        f"/office/applications/{application}/actions", {"action": "start_verification"}, csrf=False
    )
    assert forged.status_code == 403
    stale = verifier.http.post(
        f"/office/applications/{application}/actions",
        data={"action": "start_verification", "csrf_token": "0" * 64},
    )
    assert stale.status_code == 403
    birth = Page(mall["app"], REGISTRAR).post("/office/births", {"full_name": "X"}, csrf=False)
    assert birth.status_code == 403
    state = (
        mall["app"]
        .test_client()
        .get(f"/api/v1/applications/{application}", headers=mall["citizen"])
    )
    assert state.get_json()["status"] == "submitted"


# --- what officers see and do -------------------------------------------------------------


def test_the_verifier_reviews_reads_the_document_and_decides(mall):
    application = submitted(mall, "SIP", ["ktp", "str", "diploma"])
    verifier = Page(mall["app"], DINKES_VERIFIER)
    worklist = verifier.get("/office")
    assert worklist.status_code == 200
    row = re.search(rf'<tr data-application="{application}">(.*?)</tr>', text(worklist), re.S)
    assert row and "SIP" in row.group(1) and 'class="tag ok"' in row.group(1)

    review = verifier.get(f"/office/applications/{application}")
    assert review.status_code == 200
    page = text(review)
    assert SITI["full_name"] in page and 'data-status="submitted"' in page
    assert page.count('class="office-document"') == 3
    assert 'data-action="start_verification"' in page and 'data-action="approve"' not in page

    document = document_of(mall, application)
    file = verifier.get(f"/office/applications/{application}/documents/{document['id']}")
    assert file.status_code == 200
    assert file.content_type == "application/pdf"
    assert file.headers["Content-Disposition"].startswith("inline")
    assert file.headers["X-Content-Type-Options"] == "nosniff"
    assert file.get_data() == pdf("ktp")
    missing = verifier.get(f"/office/applications/{application}/documents/nope")
    assert missing.status_code == 404

    started = verifier.post(
        f"/office/applications/{application}/actions", {"action": "start_verification"}
    )
    assert started.status_code == 303
    page = text(verifier.get(started.headers["Location"]))
    assert 'data-status="in_verification"' in page
    assert 'data-action="approve"' in page and 'data-action="reject"' in page

    no_reason = verifier.post(f"/office/applications/{application}/actions", {"action": "reject"})
    assert no_reason.status_code == 422
    assert 'id="e-note-reject"' in text(no_reason)
    assert "Tulis alasan penolakan untuk pemohon." in text(no_reason)  # the default: Indonesian
    revision = verifier.post(
        f"/office/applications/{application}/actions",
        {"action": "request_revision", "note": "STR sudah kedaluwarsa, unggah yang berlaku."},
    )
    assert revision.status_code == 303
    state = (
        mall["app"]
        .test_client()
        .get(f"/api/v1/applications/{application}", headers=mall["citizen"])
    )
    assert state.get_json()["status"] == "revision_requested"
    assert state.get_json()["history"][-1]["note"].startswith("STR sudah kedaluwarsa")
    again = verifier.post(f"/office/applications/{application}/actions", {"action": "approve"})
    assert again.status_code == 409  # the state no longer allows it: said on the page
    assert "text/html" in again.content_type


def test_the_cashier_finds_the_approved_application_and_records_the_fee(mall):
    application = submitted(mall, "PBG", ["ktp", "land_certificate", "building_plan"])
    verifier = Page(mall["app"], DPUPR_VERIFIER)
    for action in ("start_verification", "approve"):
        done = verifier.post(f"/office/applications/{application}/actions", {"action": action})
        assert done.status_code == 303, text(done)
    cashier = Page(mall["app"], DPUPR_CASHIER)
    assert f'data-application="{application}"' in text(cashier.get("/office"))
    opened = cashier.get("/office/open", query_string={"id": application.upper()})
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/office/applications/{application}")
    assert cashier.get("/office/open", query_string={"id": "../../etc"}).status_code == 404
    review = text(cashier.get(f"/office/applications/{application}"))
    assert 'name="receipt_reference"' in review and 'value="500000"' in review
    assert 'data-action="approve"' not in review  # cashiers do not decide
    wrong = cashier.post(
        f"/office/applications/{application}/payment",
        {"amount": "1000", "receipt_reference": "KW-2026-000001"},
    )
    assert wrong.status_code == 422 and 'id="e-amount"' in text(wrong)
    paid = cashier.post(
        f"/office/applications/{application}/payment",
        {"amount": "500000", "receipt_reference": "KW-2026-000001"},
    )
    assert paid.status_code == 303
    assert 'data-status="issued"' in text(cashier.get(paid.headers["Location"]))
    assert f'data-application="{application}"' not in text(cashier.get("/office"))


def test_the_social_affairs_officer_works_the_modules_applications(mall):
    http = mall["app"].test_client()
    eventually(lambda: http.get("/api/v1/modules/social_aid").status_code == 200, timeout=30)
    applied = http.post(
        "/api/v1/modules/social_aid/applications",
        headers=mall["citizen"],
        json={
            "service": "bantuan_sosial",
            "form": {
                "household_income": 400000,
                "need": "health",
                "description": "Suami sakit sejak Maret dan tidak bisa bekerja.",
            },
        },
    )
    assert applied.status_code == 201, text(applied)
    application = applied.get_json()["id"]
    officer = Page(mall["app"], DINSOS_VERIFIER)
    assert f'data-application="{application}"' in text(officer.get("/office"))
    path = f"/office/modules/social_aid/applications/{application}"
    opened = officer.get("/office/open", query_string={"id": application})
    assert opened.status_code == 303 and opened.headers["Location"].endswith(path)
    page = text(officer.get(path))
    assert "Penghasilan rumah tangga per bulan" in page and "400000" in page
    assert 'data-action="approve"' in page
    approved = officer.post(f"{path}/actions", {"action": "approve", "note": "layak"})
    assert approved.status_code == 303
    assert 'data-status="approved"' in text(officer.get(approved.headers["Location"]))
    outsider = Page(mall["app"], DINKES_VERIFIER)
    assert outsider.get(path).status_code == 404
    refused = outsider.post(f"{path}/actions", {"action": "reject", "note": "x"})
    assert refused.status_code in (403, 404)


def test_the_citizen_withdraws_her_module_application_from_its_page(mall):
    http = mall["app"].test_client()
    eventually(lambda: http.get("/api/v1/modules/social_aid").status_code == 200, timeout=30)
    form = {"household_income": 400000, "need": "health", "description": "Anak sakit."}
    applied = http.post(
        "/api/v1/modules/social_aid/applications",
        headers=mall["citizen"],
        json={"service": "bantuan_sosial", "form": form},
    )
    assert applied.status_code == 201, text(applied)
    application = applied.get_json()["id"]
    siti = Page(mall["app"], mall["citizen_actor"])
    path = f"/modules/social_aid/applications/{application}"
    assert f'action="{path}/actions"' in text(siti.get(path))  # the reply allows it
    officer = Page(mall["app"], DINSOS_VERIFIER)
    assert officer.post(f"/office{path}/actions", {"action": "withdraw"}).status_code == 403
    withdrawn = siti.post(f"{path}/actions", {"action": "withdraw"})
    assert withdrawn.status_code == 303 and withdrawn.headers["Location"].endswith(path)
    page = text(siti.get(path))
    assert "Ditarik" in page and f'action="{path}/actions"' not in page
    assert f'data-application="{application}"' not in text(officer.get("/office"))
    again = siti.post(f"{path}/actions", {"action": "withdraw"})
    assert again.status_code == 409 and "sudah ditutup" in text(again)

    # a service that takes no visitors: nothing of it without a sign-in
    visitor = mall["app"].test_client()
    api = "/api/v1/modules/social_aid/applications"
    assert visitor.post(api, json={"service": "bantuan_sosial", "form": form}).status_code == 401
    assert visitor.get(f"{api}/{application}").status_code == 404  # nobody's without her code
    asked = visitor.get("/modules/social_aid/services/bantuan_sosial")
    assert asked.status_code == 302 and "/sign-in" in asked.headers["Location"]
    assert 'name="code"' in text(visitor.get(path))  # her page asks a visitor for a code


def test_the_registrar_registers_a_birth_and_a_death_by_nik(mall):
    registrar = Page(mall["app"], REGISTRAR)
    form = text(registrar.get("/office/births"))
    for name in ("full_name", "birth_date", "birth_place", "mother_id", "father_id"):
        assert f'<label for="f-{name}">' in form
    wrong = registrar.post(
        "/office/births",
        {"full_name": "Ayu", "sex": "F", "birth_date": "2024-02-30", "birth_place": "Sragen"},
    )
    assert wrong.status_code == 422
    assert 'id="e-birth_date"' in text(wrong) and 'id="e-mother_id"' in text(wrong)
    unknown_mother = registrar.post(
        "/office/births",
        {
            "full_name": "Ayu",
            "sex": "F",
            "birth_date": "2024-02-03",
            "birth_place": "Sragen",
            "mother_id": "3314019999990001",
        },
    )
    assert unknown_mother.status_code == 422 and 'id="e-mother_id"' in text(unknown_mother)
    born = registrar.post(
        "/office/births",
        {
            "full_name": "Ayu Lestari",
            "sex": "F",
            "birth_date": "2024-02-03",
            "birth_place": "RSUD Sragen",
            "mother_id": SITI["nik"],
        },
    )
    assert born.status_code == 201, text(born)
    number = re.search(r'id="certificate-number">([^<]+)<', text(born)).group(1)
    child_nik = re.search(r'id="person-nik">(\d{16})<', text(born)).group(1)
    assert number and child_nik.startswith("3314")

    foreign = child_nik.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    misspelt = registrar.post("/office/deaths", {"resident_id": foreign, "died_on": "2024-03-01"})
    assert misspelt.status_code == 422 and 'id="e-resident_id"' in text(misspelt)
    assert "16 digits 0-9" in text(misspelt) or "16 angka 0-9" in text(misspelt)
    early = registrar.post("/office/deaths", {"resident_id": child_nik, "died_on": "2024-02-01"})
    assert early.status_code == 422 and 'id="e-died_on"' in text(early)
    assert "before the birth date (2024-02-03)" in text(early)
    died = registrar.post("/office/deaths", {"resident_id": child_nik, "died_on": "2024-03-01"})
    assert died.status_code == 201, text(died)
    assert 'id="certificate-number"' in text(died)
    twice = registrar.post("/office/deaths", {"resident_id": child_nik, "died_on": "2024-03-01"})
    assert twice.status_code == 409


# --- the manager ------------------------------------------------------------------------------


def test_the_manager_reads_tickets_waits_breaches_and_satisfaction(mall):
    http = mall["app"].test_client()
    for _ in range(2):
        issued = http.post("/api/v1/tickets", json={"service_code": "licensing"})
        assert issued.status_code == 201, text(issued)
    late = submitted(mall, "SIP", ["ktp", "str", "diploma"])
    submitted(mall, "PBG", ["ktp", "land_certificate", "building_plan"])
    with session_for(mall["licensing"]["DATABASE_URL"]) as session, session.begin():
        session.execute(
            update(Application)
            .where(Application.id == late)
            .values(due_at=utcnow() - timedelta(days=3))
        )
    manager = Page(mall["app"], MANAGER)
    overview = manager.get("/manager")
    assert overview.status_code == 200
    page = text(overview)
    waiting = re.search(r'<li data-service="licensing">.*?data-figure="waiting">(\d+)<', page, re.S)
    assert waiting.group(1) == "2"
    issued_row = re.search(r'<tr data-service="licensing">(.*?)</tr>', page, re.S).group(1)
    assert 'data-figure="issued">2<' in issued_row
    assert re.search(r'id="sla-open">2<', page) and re.search(r'id="sla-overdue"[^>]*>1<', page)
    sip = re.search(r'<tr data-agency="dinkes" data-permit-type="SIP">(.*?)</tr>', page, re.S)
    assert 'class="tag bad">1<' in sip.group(1)
    assert '<tr data-agency="bpjs">' in page and '<tr data-agency="dpupr">' in page

    yesterday = manager.get("/manager", query_string={"day": "2020-01-06"})
    assert yesterday.status_code == 200
    assert 'data-figure="issued">2<' not in text(yesterday)
    invalid = manager.get("/manager", query_string={"day": "2020-13-45"})
    assert invalid.status_code == 422 and 'id="e-day"' in text(invalid)
