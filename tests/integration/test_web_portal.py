"""The citizens' pages against the real services and RabbitMQ (SQLite, PostgreSQL): the
cookie sign-in and its form token, bookings, applications with uploads, refusals, language."""

import html
import io
import re

import pytest

from chassis.actor import Actor
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from gateway.auth import COOKIE
from gateway.identity import store
from gateway.identity.models import AuditEntry
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.catalog.service import CatalogService
from services.civil_registry.service import CivilRegistryService
from services.complaints.service import ComplaintsService
from services.licensing.service import LicensingService
from services.queue.service import QueueService
from tests.accounts import bearer, web_client
from tests.integration.helpers import rpc_to
from tests.integration.test_bookings import next_working_day_at
from tests.integration.test_gateway_licensing import PDF, SITI
from tests.polling import eventually

BUDI = {"nik": "3314010203850002", "full_name": "Budi Santoso", "birth_date": "1985-03-02"}
PASSWORD = "kopi-tubruk-pagi-hari"


@pytest.fixture
def mall(container_factory, service_config, tmp_path, database_url_factory):
    store_config = {"DOCUMENT_STORE": str(tmp_path / "documents")}
    configs = {
        "civil_registry": service_config("civil_registry"),
        "licensing": service_config("licensing", **store_config),
        "queue": service_config("queue"),
        "catalog": service_config("catalog"),
    }
    seed(configs["queue"]["DATABASE_URL"], QUEUE_SETUP)
    seed(configs["licensing"]["DATABASE_URL"], PERMIT_TYPES)
    for cls in (CivilRegistryService, LicensingService, QueueService, CatalogService):
        container_factory(cls, configs[cls.name]).start()
    with rpc_to("civil_registry", configs["civil_registry"]) as civil:
        people = {
            "siti": civil.register_resident(SITI)["id"],
            "budi": civil.register_resident(BUDI | {"sex": "M"})["id"],
        }
    app = create_app(
        {
            "AMQP_URI": configs["queue"]["AMQP_URI"],
            "JWT_SECRET": "integration-secret",
            "DATABASE_URL": database_url_factory("gateway"),
            "PASSWORD_MEMORY_KIB": 19456,
            **store_config,
        }
    )
    client = RpcClient(configs["queue"]["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    yield app, people
    client.close()


def citizen(app, people, who="siti"):
    return web_client(app, Actor(id=f"web-{who}", role="citizen", person_id=people[who]))


def test_pages_speak_indonesian_first_and_english_on_request(mall):
    app, _ = mall
    http = app.test_client()
    page = http.get("/")
    assert page.status_code == 200 and 'lang="id"' in page.text and "Cari layanan" in page.text
    assert "Nomor Induk Berusaha" in page.text  # the catalog's services are listed
    english = http.get("/?lang=en")
    assert "Find a service" in english.text and "Business identity number" in english.text
    assert "lang=en" in english.headers["Set-Cookie"]
    assert "Find a service" in http.get("/").text  # the choice is remembered


def test_a_citizen_signs_up_with_the_form_and_signs_out(mall):
    app, _ = mall
    http = app.test_client()
    form = {
        "nik": SITI["nik"],
        "full_name": SITI["full_name"],
        "birth_date": "1990-08-18",
        "password": PASSWORD,
    }
    wrong = http.post("/sign-up", data=form)
    assert wrong.status_code == 422 and "tidak cocok dengan data kependudukan" in wrong.text
    assert http.get_cookie(COOKIE) is None

    signed_up = http.post("/sign-up", data=form | {"birth_date": SITI["birth_date"]})
    assert signed_up.status_code == 303 and signed_up.headers["Location"] == "/"
    cookie = http.get_cookie(COOKIE)
    assert cookie.http_only and cookie.same_site == "Lax"
    assert http.get("/visits").status_code == 200

    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', http.get("/").text).group(1)
    assert http.post("/sign-out", data={"csrf_token": token}).status_code == 303
    again = app.test_client()
    again.set_cookie(COOKIE, cookie.value)  # the old cookie names an ended session
    assert again.get("/visits").headers["Location"].startswith("/sign-in?next=/visits")

    fresh = app.test_client()
    bad = fresh.post("/sign-in", data={"login": SITI["nik"], "password": "not-my-password"})
    assert bad.status_code == 401 and "kata sandi salah" in bad.text
    back = fresh.post(
        "/sign-in",
        data={"login": SITI["nik"], "password": PASSWORD, "next": "https://elsewhere.example/"},
    )
    assert back.status_code == 303 and back.headers["Location"] == "/"  # no open redirect


def test_a_form_without_its_token_changes_nothing(mall):
    app, people = mall
    http, token = citizen(app, people)
    slot = next_working_day_at(9).isoformat()
    refused = http.post("/bookings/new", data={"service_code": "population", "starts_at": slot})
    assert refused.status_code == 403 and "<html" in refused.text
    assert "Belum ada jadwal" in http.get("/visits").text
    booked = http.post(
        "/bookings/new",
        data={"service_code": "population", "starts_at": slot, "csrf_token": token},
    )
    assert booked.status_code == 303


def test_booking_a_slot_shows_its_code_as_a_qr_code_and_takes_a_seat(mall):
    app, people = mall
    http, token = citizen(app, people)
    day = next_working_day_at(8)
    query = f"service_code=population&day={day.date().isoformat()}"
    before = http.get(f"/api/v1/slots?{query}").get_json()["items"]
    assert before[0]["seats_left"] == 5 and len(before) > 10

    page = http.get(f"/bookings/new?{query}")
    offered = re.findall(r'name="starts_at" value="([^"]+)"', page.text)
    assert offered == [slot["starts_at"] for slot in before]
    booked = http.post(
        "/bookings/new",
        data={"service_code": "population", "starts_at": offered[0], "csrf_token": token},
        follow_redirects=True,
    )
    code = re.search(r'class="code">([A-Z2-9]{8})<', booked.text).group(1)
    assert "<svg" in booked.text and code in booked.text
    after = http.get(f"/api/v1/slots?{query}").get_json()["items"]
    assert after[0]["seats_left"] == 4

    booking_id = re.search(r"/bookings/([^/]+)/check-in", booked.text).group(1)
    early = http.post(f"/bookings/{booking_id}/check-in", data={"csrf_token": token})
    assert early.status_code == 409 and "Check-in dibuka 60 menit" in early.text
    twice = http.post(
        "/bookings/new",
        data={"service_code": "population", "starts_at": offered[1], "csrf_token": token},
    )
    assert twice.status_code == 409 and "Anda sudah memesan layanan ini" in twice.text


def test_a_walk_in_ticket_page_shows_the_place_in_line(mall):
    app, _ = mall
    http = app.test_client()
    first = http.post("/tickets", data={"service_code": "population"})
    second = http.post("/tickets", data={"service_code": "population"}, follow_redirects=True)
    assert first.status_code == 303 and first.headers["Location"].startswith("/tickets/")
    assert "A-002" in second.text
    assert re.search(r'id="position">2<', second.text)
    # no counter of the line is open: no number of minutes, but the plain fact
    assert "Belum ada loket yang buka" in second.text and 'id="wait"' not in second.text
    english = http.get(first.headers["Location"] + "?lang=en").text
    assert "No counter is open" in english
    desk = bearer(app, Actor(id="desk-1", role="counter_officer", agency="disdukcapil"))
    assert http.post("/api/v1/counters/loket-1/open", headers=desk).status_code == 200
    estimated = http.get(first.headers["Location"]).text
    assert "Belum ada loket yang buka" not in estimated and 'id="wait">0<' in estimated
    unknown = http.post("/tickets", data={"service_code": "nothing"})
    assert unknown.status_code == 404 and "no service nothing" in unknown.text


def test_a_walk_in_ticket_is_given_up_from_its_page(mall):
    app, _ = mall
    http = app.test_client()
    path = http.post("/tickets", data={"service_code": "population"}).headers["Location"]
    page = http.get(path).text
    assert "Batalkan tiket ini" in page and re.search(r'id="cancel-code">[A-Z2-9]{10}<', page)
    stranger = app.test_client()  # has the address (the board shows ids), not the code
    assert "Batalkan tiket ini" not in stranger.get(path).text
    refused = stranger.post(f"{path}/cancellation")
    assert refused.status_code == 403 and "Kode pembatalan tidak cocok" in refused.text
    given_up = http.post(f"{path}/cancellation")
    assert given_up.status_code == 303
    after = http.get(given_up.headers["Location"]).text
    assert "Dibatalkan" in after and "Batalkan tiket ini" not in after


def test_an_application_from_the_pages_with_an_upload_and_its_timeline(mall):
    app, people = mall
    http, token = citizen(app, people)
    form = http.get("/applications/new?permit_type=NIB")
    assert form.status_code == 200 and "Nomor Induk Berusaha" in form.text
    created = http.post(
        "/applications/new",
        data={
            "permit_type": "NIB",
            "applicant_nik": SITI["nik"],
            "applicant_name": SITI["full_name"],
            "applicant_birth_date": "",
            "csrf_token": token,
        },
    )
    assert created.status_code == 422 and 'aria-invalid="true"' in created.text
    created = http.post(
        "/applications/new",
        data={
            "permit_type": "NIB",
            "applicant_nik": SITI["nik"],
            "applicant_name": SITI["full_name"],
            "applicant_birth_date": SITI["birth_date"],
            "csrf_token": token,
        },
    )
    path = created.headers["Location"]
    assert "Belum diunggah" in http.get(path).text

    not_a_document = http.post(
        f"{path}/documents",
        data={"kind": "ktp", "file": (io.BytesIO(b"MZ not a pdf"), "ktp.exe"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert not_a_document.status_code == 422
    uploaded = http.post(
        f"{path}/documents",
        data={"kind": "ktp", "file": (io.BytesIO(PDF), "ktp.pdf"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303
    submitted = http.post(
        f"{path}/actions", data={"action": "submit", "csrf_token": token}, follow_redirects=True
    )
    # a low-risk NIB is issued on submission (OSS-RBA)
    assert re.search(r'id="application-status">Terbit<', submitted.text)
    assert "ktp.pdf" in submitted.text and "Diajukan" in submitted.text  # the timeline
    assert "Nomor Induk Berusaha" in http.get("/applications").text
    held = http.get("/documents").text
    verify_link = re.search(r'href="(/verify\?number=[^"]+)"', held).group(1)
    assert "SAH" in http.get(verify_link.replace("&amp;", "&")).text
    assert "TIDAK SAH" not in app.test_client().get(verify_link.replace("&amp;", "&")).text


def test_another_citizens_application_is_not_shown_and_the_refusal_is_recorded(mall):
    app, people = mall
    budi = bearer(app, Actor(id="api-budi", role="citizen", person_id=people["budi"]))
    draft = {
        "permit_type": "NIB",
        "applicant_nik": BUDI["nik"],
        "applicant_name": BUDI["full_name"],
        "applicant_birth_date": BUDI["birth_date"],
    }
    created = app.test_client().post("/api/v1/applications", headers=budi, json=draft)
    application_id = created.get_json()["id"]

    http, _ = citizen(app, people)
    page = http.get(f"/applications/{application_id}")
    assert page.status_code == 404 and BUDI["full_name"] not in page.text
    with store.transaction(app.config["DATABASE_URL"], read_only=True) as db:
        entries = db.query(AuditEntry).filter_by(target=application_id).all()
        assert [(e.actor_id, e.allowed, e.status) for e in entries] == [("web-siti", False, 404)]


def test_staff_pages_send_visitors_to_sign_in_and_refuse_citizens(mall):
    app, people = mall
    anonymous = app.test_client().get("/applications")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/sign-in?next=/applications"
    http, _ = citizen(app, people)
    assert http.get("/kiosk").status_code == 200


def test_the_verification_page_says_plainly_when_a_number_is_unknown(mall):
    app, _ = mall
    page = app.test_client().get("/verify?number=503%2FNIB%2F0000&lang=en")
    assert page.status_code == 200 and "NOT VALID" in page.text


def test_a_finished_service_is_rated_once_from_the_ticket_page(mall):
    app, _ = mall
    http = app.test_client()
    path = http.post("/tickets", data={"service_code": "population"}).headers["Location"]
    assert "Bagaimana pelayanan kami?" not in http.get(path).text  # not finished yet
    desk = bearer(app, Actor(id="desk-1", role="counter_officer", agency="disdukcapil"))
    for action, body in (("open", None), ("call-next", None), ("start", None)):
        done = http.post(f"/api/v1/counters/loket-1/{action}", headers=desk, json=body)
        assert done.status_code == 200, done.text
    called = http.get(path).text
    assert "Silakan menuju Loket 1" in called
    finished = http.post(
        "/api/v1/counters/loket-1/finish", headers=desk, json={"outcome": "KTP printed"}
    )
    assert finished.status_code == 200

    survey = http.get(path).text
    assert survey.count("<fieldset>") == 9 and "Persyaratan" in survey
    partial = http.post(f"{path}/rating", data={f"e{i}": "4" for i in range(1, 9)})
    assert partial.status_code == 422
    rated = http.post(f"{path}/rating", data={f"e{i}": "4" for i in range(1, 10)})
    assert rated.status_code == 303 and "Terima kasih" in http.get(rated.headers["Location"]).text
    index = http.get("/api/v1/satisfaction?scope=service&key=population").get_json()
    assert index["responses"] == 1 and index["index"] == 100
    again = http.post(f"{path}/rating", data={f"e{i}": "1" for i in range(1, 10)})
    assert again.status_code == 409


def test_a_citizen_sees_who_read_her_record(mall):
    app, people = mall
    http, _ = citizen(app, people)
    assert "Belum ada yang membaca data Anda" in http.get("/my-record").text
    registrar = bearer(app, Actor(id="reg-1", role="registrar", agency="disdukcapil"))
    read = app.test_client().get(f"/api/v1/residents/{people['siti']}", headers=registrar)
    assert read.status_code == 200
    page = http.get("/my-record?lang=en").text
    assert "Test reg-1" in page and "DISDUKCAPIL" in page and "/api/v1/residents/" in page


def test_the_verification_page_is_throttled_after_unknown_numbers(mall):
    app, _ = mall
    app.config["VERIFICATION_FAILURES"] = 2
    http = app.test_client()
    address = {"REMOTE_ADDR": "10.8.8.8"}
    for n in range(2):
        page = http.get(f"/verify?number=503%2FNIB%2F000{n}", environ_base=address)
        assert page.status_code == 200 and "TIDAK SAH" in page.text
    refused = http.get("/verify?number=503%2FNIB%2F0009", environ_base=address)
    assert refused.status_code == 429 and "Coba lagi dalam" in refused.text
    elsewhere = http.get(
        "/verify?number=503%2FNIB%2F0009", environ_base={"REMOTE_ADDR": "10.8.8.9"}
    )
    assert elsewhere.status_code == 200


@pytest.fixture
def complaint_desk(mall, container_factory, service_config):
    """The portal's mall with the complaint desk plugged in and live in the catalog."""
    app, people = mall
    container_factory(ComplaintsService, service_config("complaints")).start()
    http = app.test_client()
    eventually(lambda: http.get("/api/v1/modules/complaints").get_json().get("available"), 30)
    return app, people


def finished_ticket(app, http) -> str:
    """A walk-in ticket taken on ``http`` and served to the end: its page's path."""
    path = http.post("/tickets", data={"service_code": "population"}).headers["Location"]
    desk = bearer(app, Actor(id="desk-1", role="counter_officer", agency="disdukcapil"))
    for action, body in (("open", None), ("call-next", None), ("finish", {"outcome": "KTP"})):
        done = http.post(f"/api/v1/counters/loket-1/{action}", headers=desk, json=body)
        assert done.status_code == 200, done.text
    http.post("/api/v1/counters/loket-1/close", headers=desk)
    return path


def rated(http, path: str, *elements: int) -> str:
    answers = {f"e{i}": str(value) for i, value in enumerate(elements, 1)}
    sent = http.post(f"{path}/rating", data=answers)
    assert sent.status_code == 303, sent.text
    return sent.headers["Location"]


def test_a_rating_with_a_poor_element_offers_a_complaint_about_the_ticket(complaint_desk):
    app, people = complaint_desk
    http = app.test_client()
    path = finished_ticket(app, http)
    ticket_id = path.rsplit("/", 1)[1]
    form = f"/modules/complaints/services/complaint?object_kind=ticket&object_id={ticket_id}"
    page = http.get(rated(http, path, 4, 4, 4, 1, 4, 4, 4, 4, 4)).text
    assert "Terima kasih" in page and 'id="complaint-offer"' in page
    assert f'href="{html.escape(form)}"' in page and "Ajukan pengaduan" in page
    assert 'id="complaint-offer"' in http.get(path).text  # the queue says so, every time
    assert "File a complaint about this ticket" in http.get(f"{path}?lang=en").text

    siti, token = citizen(app, people)
    filled = siti.get(f"{form}&anonymous=yes&applicant_id=someone-else").text
    assert '<option value="ticket" selected>' in filled
    assert f'name="object_id" value="{ticket_id}"' in filled
    assert re.search(r'name="anonymous" value="yes"\s+checked', filled)
    assert 'value="someone-else"' not in filled  # not a field of the form
    complaint = {
        "csrf_token": token,
        "category": "staff_conduct",
        "text": "Petugas loket 1 membentak saya saat melayani.",
        "object_kind": "ticket",
        "object_id": ticket_id,
    }
    filed = siti.post(form, data=complaint)
    assert filed.status_code == 303, filed.text  # her walk-in ticket: she bears it

    app.config["COMPLAINT_MODULE"] = "no_such_desk"  # no complaint desk: no offer
    assert 'id="complaint-offer"' not in http.get(path).text


def test_a_rating_without_a_poor_element_offers_no_complaint(complaint_desk):
    app, _ = complaint_desk
    http = app.test_client()
    path = finished_ticket(app, http)
    page = http.get(rated(http, path, 2, 2, 2, 2, 2, 2, 2, 2, 2)).text
    assert "Terima kasih" in page
    assert 'id="complaint-offer"' not in page and "/modules/complaints" not in page
