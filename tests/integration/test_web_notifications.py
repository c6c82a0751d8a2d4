"""Notifications through the gateway, against the real services (SQLite, PostgreSQL): the
licensing service's outbox relayed to the notifications service, as in the mall. Siti and
Budi each get their business number (NIB, issued on submission); each sees only her own
notifications, in the API and on the inbox page; marking read changes the header's count;
her settings are saved, or refused with the reason beside the field; and when the
notifications service is away the pages are shown without the count.
"""

import io
import re

import pytest

from chassis.actor import Actor
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from scripts.demo_data import PERMIT_TYPES, seed
from services.civil_registry.service import CivilRegistryService
from services.licensing.service import LicensingService
from services.notifications.service import NotificationsService
from tests.accounts import bearer, web_client
from tests.documents import pdf
from tests.integration.helpers import rpc_to
from tests.polling import eventually

SITI = {"nik": "3314015708900001", "full_name": "Siti Rahayu", "birth_date": "1990-08-17"}
BUDI = {"nik": "3314010203850002", "full_name": "Budi Santoso", "birth_date": "1985-03-02"}
PEOPLE = {"siti": {**SITI, "sex": "F"}, "budi": {**BUDI, "sex": "M"}}
UNREAD = re.compile(r'id="unread-count">(\d+)')


@pytest.fixture
def mall(container_factory, service_config, database_url_factory, relay_process, tmp_path):
    store = {"DOCUMENT_STORE": str(tmp_path / "documents"), "MAX_DOCUMENT_BYTES": 4096}
    registry = service_config("civil_registry")
    licensing = service_config("licensing", **store)
    seed(licensing["DATABASE_URL"], PERMIT_TYPES)
    container_factory(CivilRegistryService, registry).start()
    container_factory(LicensingService, licensing).start()
    notifications = container_factory(NotificationsService, service_config("notifications"))
    notifications.start()
    relay_process("licensing", licensing)
    people = {}
    with rpc_to("civil_registry", registry) as civil:
        for name, person in PEOPLE.items():
            people[name] = civil.register_resident(person)
    app = create_app(
        {
            "AMQP_URI": registry["AMQP_URI"],
            "JWT_SECRET": "notification-pages-secret-of-32-bytes",
            "PUBLIC_BASE_URL": "https://mpp.example.go.id",
            "DATABASE_URL": database_url_factory("gateway"),
            **store,
        }
    )
    client = RpcClient(registry["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    actors = {
        name: Actor(id=f"{name}-account", role="citizen", person_id=person["id"])
        for name, person in people.items()
    }
    yield {"app": app, "actors": actors, "notifications": notifications}
    client.close()


def business_number(mall, who: str, person: dict) -> dict:
    """``who`` applies for an NIB with her KTP: issued on submission (low risk)."""
    http, mine = mall["app"].test_client(), bearer(mall["app"], mall["actors"][who])
    draft = {
        "permit_type": "NIB",
        "applicant_nik": person["nik"],
        "applicant_name": person["full_name"],
        "applicant_birth_date": person["birth_date"],
    }
    created = http.post("/api/v1/applications", headers=mine, json=draft)
    assert created.status_code == 201, created.get_data(as_text=True)
    application = created.get_json()["id"]
    uploaded = http.post(
        f"/api/v1/applications/{application}/documents",
        headers=mine,
        data={"kind": "ktp", "file": (io.BytesIO(pdf("ktp")), "ktp.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.get_data(as_text=True)
    sent = http.post(
        f"/api/v1/applications/{application}/actions", headers=mine, json={"action": "submit"}
    )
    assert sent.status_code == 200 and sent.get_json()["status"] == "issued"
    permit = http.get(f"/api/v1/permits/{sent.get_json()['permit_id']}", headers=mine)
    return permit.get_json()


def inbox_of(mall, who: str | Actor, **query) -> dict:
    http = mall["app"].test_client()
    actor = mall["actors"][who] if isinstance(who, str) else who
    found = http.get(
        "/api/v1/notifications",
        headers=bearer(mall["app"], actor),
        query_string=query,
    )
    assert found.status_code == 200, found.get_data(as_text=True)
    return found.get_json()


def told_of_the_permit(mall, who: str, permit: dict) -> dict:
    """``who``'s inbox once the notification of her issued permit is in it."""

    def arrived():
        found = inbox_of(mall, who)
        issued = [n for n in found["items"] if n["kind"] == "permit_issued"]
        return found if issued and permit["number"] in issued[0]["body"] else None

    return eventually(arrived, timeout=20)


@pytest.fixture
def told(mall):
    """Siti and Budi, each told of her own NIB."""
    permits = {
        "siti": business_number(mall, "siti", SITI),
        "budi": business_number(mall, "budi", BUDI),
    }
    return {who: (permits[who], told_of_the_permit(mall, who, permits[who])) for who in permits}


def test_a_citizen_sees_only_her_own_notifications(mall, told):
    (siti_permit, siti_inbox), (budi_permit, budi_inbox) = told["siti"], told["budi"]
    siti_ids = {n["id"] for n in siti_inbox["items"]}
    budi_ids = {n["id"] for n in budi_inbox["items"]}
    assert siti_ids and budi_ids and not siti_ids & budi_ids
    assert budi_permit["number"] not in str(siti_inbox)
    assert siti_permit["number"] not in str(budi_inbox)
    assert siti_inbox["unread"] == siti_inbox["total"] == len(siti_ids)

    http, token = web_client(mall["app"], mall["actors"]["siti"])
    page = http.get("/notifications")
    assert page.status_code == 200
    assert siti_permit["number"] in page.text and budi_permit["number"] not in page.text
    for notification in siti_ids:
        assert f'data-notification="{notification}"' in page.text
    for notification in budi_ids:  # hers cannot be marked from his, nor his from hers
        refused = http.post(f"/notifications/{notification}/read", data={"csrf_token": token})
        assert refused.status_code == 404
        api = (
            mall["app"]
            .test_client()
            .post(
                f"/api/v1/notifications/{notification}/read",
                headers=bearer(mall["app"], mall["actors"]["siti"]),
            )
        )
        assert api.status_code == 404
    # none of his was marked read (more of his may have arrived meanwhile: count those apart)
    now = {n["id"]: n["read_at"] for n in inbox_of(mall, "budi", per_page=50)["items"]}
    assert {now[notification] for notification in budi_ids} == {None}


def test_marking_read_changes_the_count_in_the_header(mall, told):
    _, inbox = told["siti"]
    http, token = web_client(mall["app"], mall["actors"]["siti"])
    before = int(UNREAD.search(http.get("/documents").text).group(1))
    assert before == inbox["unread"] >= 1
    first = inbox["items"][0]
    marked = http.post(f"/notifications/{first['id']}/read", data={"csrf_token": token})
    assert (marked.status_code, marked.location) == (303, "/notifications")
    page = http.get("/notifications").text
    assert f'class="card inbox-item" data-notification="{first["id"]}"' in page  # read now
    counted = UNREAD.search(http.get("/documents").text)
    assert (int(counted.group(1)) if counted else 0) == before - 1
    assert inbox_of(mall, "siti", unread_only="true")["total"] == before - 1

    everything = http.post("/notifications/read-all", data={"csrf_token": token})
    assert everything.location == f"/notifications?marked={before - 1}"
    assert 'id="unread-count"' not in http.get("/documents").text  # none left: no count
    assert inbox_of(mall, "siti")["unread"] == 0
    assert inbox_of(mall, "budi")["unread"] >= 1  # his are his


def test_her_settings_are_saved_and_refused_beside_their_fields(mall):
    http, token = web_client(mall["app"], mall["actors"]["siti"])
    page = http.get("/notifications/settings")
    assert page.status_code == 200 and 'name="language"' in page.text
    saved = http.post(
        "/notifications/settings",
        data={
            "csrf_token": token,
            "email": "siti@example.id",
            "phone": "+6281234567890",
            "language": "en",
            "channels": ["email", "sms"],
            "quiet_hours": "yes",
        },
    )
    assert (saved.status_code, saved.location) == (303, "/notifications/settings?saved=1")
    settings = (
        mall["app"]
        .test_client()
        .get("/api/v1/notification-settings", headers=bearer(mall["app"], mall["actors"]["siti"]))
    )
    assert settings.get_json() == {
        "email": "siti@example.id",
        "phone": "+6281234567890",
        "language": "en",
        "channels": ["email", "sms"],
        "quiet_hours": True,
        "essential_only": False,
    }
    shown = http.get(saved.location + "&lang=id").text
    assert "Pengaturan Anda tersimpan." in shown and 'value="siti@example.id"' in shown

    refused = http.post(
        "/notifications/settings",
        data={"csrf_token": token, "email": "not an address", "phone": "12", "language": "en"},
    )
    assert refused.status_code == 422
    assert 'id="e-email"' in refused.text and 'id="e-phone"' in refused.text
    assert 'value="not an address"' in refused.text  # what she typed is kept to correct
    assert "Alamat email tidak valid." in refused.text and "8-15 angka" in refused.text
    no_phone = http.post(
        "/notifications/settings",
        data={"csrf_token": token, "email": "siti@example.id", "phone": "", "channels": "sms"},
    )
    assert no_phone.status_code == 422 and 'id="e-channels"' in no_phone.text
    assert "SMS perlu nomor ponsel diisi" in no_phone.text
    again = (
        mall["app"]
        .test_client()
        .get("/api/v1/notification-settings", headers=bearer(mall["app"], mall["actors"]["siti"]))
    )
    assert again.get_json() == settings.get_json()  # nothing of the refused form was kept

    api = (
        mall["app"]
        .test_client()
        .patch(
            "/api/v1/notification-settings",
            headers=bearer(mall["app"], mall["actors"]["siti"]),
            json={"channels": ["fax"]},
        )
    )
    assert api.status_code == 422 and "channels" in api.get_json()["error"]["fields"]


def test_the_inbox_says_how_each_notification_was_sent(mall):
    app, siti = mall["app"], mall["actors"]["siti"]
    chose = app.test_client().patch(
        "/api/v1/notification-settings",
        headers=bearer(app, siti),
        json={"email": "siti@example.id", "phone": "+6281234567890", "channels": ["email", "sms"]},
    )
    assert chose.status_code == 200, chose.get_data(as_text=True)
    permit = business_number(mall, "siti", SITI)

    def sms_refused():  # no SMS gateway is configured here: refused for good
        issued = [n for n in inbox_of(mall, "siti")["items"] if n["kind"] == "permit_issued"]
        sms = [d for n in issued for d in n["deliveries"] if d["channel"] == "sms"]
        return sms and sms[0]["status"] == "permanent_failure"

    eventually(sms_refused, timeout=20)
    http, _ = web_client(app, siti)
    page = http.get("/notifications").text
    assert permit["number"] in page
    assert 'data-channel="sms" data-status="permanent_failure">SMS: tidak dapat dikirim' in page
    assert 'data-channel="email"' in page


def test_staff_read_their_agencys_inbox_and_no_one_elses(mall, told):
    verifier = Actor(id="dpmptsp-verifier", role="verifier", agency="dpmptsp")  # the NIB's
    cashier = Actor(id="bapenda-cashier", role="cashier", agency="bapenda")

    def both_assigned():
        found = inbox_of(mall, verifier)
        return found if found["total"] >= 2 else None

    agency = eventually(both_assigned, timeout=20)
    assert {n["kind"] for n in agency["items"]} == {"application_assigned"}
    assert all(n["link"].startswith("/office/applications/") for n in agency["items"])
    agency_ids = {n["id"] for n in agency["items"]}
    citizens_ids = {n["id"] for who in told for n in told[who][1]["items"]}
    assert not agency_ids & citizens_ids

    http, token = web_client(mall["app"], verifier)
    page = http.get("/notifications")
    assert page.status_code == 200 and "DPMPTSP" in page.text
    assert all(f'data-notification="{n}"' in page.text for n in agency_ids)
    assert not any(f'data-notification="{n}"' in page.text for n in citizens_ids)
    assert UNREAD.search(page.text).group(1) == str(agency["unread"])
    for citizens in citizens_ids:  # a citizen's notification is not the agency's to mark
        marked = http.post(f"/notifications/{citizens}/read", data={"csrf_token": token})
        assert marked.status_code == 404
    opened = http.post(
        f"/notifications/{agency['items'][0]['id']}/read", data={"csrf_token": token, "open": "1"}
    )
    assert (opened.status_code, opened.location) == (303, agency["items"][0]["link"])

    assert inbox_of(mall, cashier)["total"] == 0  # another agency's inbox is its own
    stranger, stranger_token = web_client(mall["app"], cashier)
    siti, siti_token = web_client(mall["app"], mall["actors"]["siti"])
    for notification in agency_ids:
        refused = stranger.post(
            f"/notifications/{notification}/read", data={"csrf_token": stranger_token}
        )
        assert refused.status_code == 404
        refused = siti.post(f"/notifications/{notification}/read", data={"csrf_token": siti_token})
        assert refused.status_code == 404
    assert inbox_of(mall, verifier)["unread"] == agency["unread"] - 1


def test_an_officer_has_no_citizen_settings(mall):
    officer = Actor(id="dpmptsp-verifier", role="verifier", agency="dpmptsp")
    http, _ = web_client(mall["app"], officer)
    assert http.get("/notifications/settings").status_code == 403
    api = (
        mall["app"]
        .test_client()
        .get("/api/v1/notification-settings", headers=bearer(mall["app"], officer))
    )
    assert api.status_code in (403, 404)


def test_pages_are_shown_without_the_count_while_the_service_is_away(mall, told):
    http, _ = web_client(mall["app"], mall["actors"]["siti"])
    assert UNREAD.search(http.get("/documents").text)
    mall["notifications"].stop()
    page = http.get("/documents")
    assert page.status_code == 200 and 'id="unread-count"' not in page.text
    assert told["siti"][0]["number"] in page.text  # the rest of the page is there
    inbox = http.get("/notifications")
    assert inbox.status_code in (503, 504) and "<html" in inbox.text
