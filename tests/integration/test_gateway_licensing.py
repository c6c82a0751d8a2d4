"""Licensing's HTTP routes, uploads included, against the real services (SQLite, PostgreSQL)."""

import io
from urllib.parse import urlencode

import pytest

from chassis.actor import Actor
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from scripts.demo_data import PERMIT_TYPES, seed
from services.civil_registry.service import CivilRegistryService
from services.licensing.service import LicensingService
from tests.accounts import bearer
from tests.documents import pdf, png
from tests.integration.helpers import rpc_to

SITI = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
}
PDF = pdf("ktp")
PNG = png("photo")
LIMIT = 4096


@pytest.fixture
def api(container_factory, service_config, tmp_path, database_url_factory):
    store = {"DOCUMENT_STORE": str(tmp_path / "documents"), "MAX_DOCUMENT_BYTES": LIMIT}
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    config = service_config("licensing", **store)
    seed(config["DATABASE_URL"], PERMIT_TYPES)
    container_factory(LicensingService, config).start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(SITI)
    app = create_app(
        {
            "AMQP_URI": config["AMQP_URI"],
            "JWT_SECRET": "integration-secret",
            "PUBLIC_BASE_URL": "https://mpp.example.go.id",
            "DATABASE_URL": database_url_factory("gateway"),
            **store,
        }
    )
    client = RpcClient(config["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    yield app, bearer(app, Actor(id="c-1", role="citizen", person_id=siti["id"]))
    client.close()


def upload(http, headers, application_id, content: bytes, name: str, kind: str = "ktp"):
    return http.post(
        f"/api/v1/applications/{application_id}/documents",
        headers=headers,
        data={"kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def new_application(http, headers, permit_type="NIB") -> str:
    created = http.post(
        "/api/v1/applications",
        headers=headers,
        json={
            "permit_type": permit_type,
            "applicant_nik": SITI["nik"],
            "applicant_name": SITI["full_name"],
            "applicant_birth_date": SITI["birth_date"],
        },
    )
    assert created.status_code == 201
    return created.get_json()["id"]


def test_a_citizen_uploads_a_document_submits_and_prints_the_permit(api):
    app, citizen = api
    http = app.test_client()
    application = new_application(http, citizen)
    uploaded = upload(http, citizen, application, PDF, "ktp-scan.pdf")
    assert uploaded.status_code == 201
    assert uploaded.get_json()["content_type"] == "application/pdf"
    issued = http.post(
        f"/api/v1/applications/{application}/actions", headers=citizen, json={"action": "submit"}
    ).get_json()
    assert issued["status"] == "issued"
    assert [
        a["id"] for a in http.get("/api/v1/applications", headers=citizen).get_json()["items"]
    ] == [application]

    printable = http.get(f"/api/v1/permits/{issued['permit_id']}/printable", headers=citizen)
    page = printable.get_data(as_text=True)
    assert printable.status_code == 200 and "<svg" in page
    number = http.get(f"/api/v1/permits/{issued['permit_id']}", headers=citizen).get_json()[
        "number"
    ]
    assert f"https://mpp.example.go.id/verify?{urlencode({'number': number})}" in page
    check = http.get("/api/v1/permits/verification", query_string={"number": number})
    assert check.get_json()["valid"] is True and check.get_json()["holder"] == "S*** R*****"


def test_the_type_of_an_upload_comes_from_its_content_not_its_name(api):
    app, citizen = api
    http = app.test_client()
    application = new_application(http, citizen)
    png_named_pdf = upload(http, citizen, application, PNG, "photo.pdf")
    assert png_named_pdf.get_json()["content_type"] == "image/png"
    text_named_pdf = upload(http, citizen, application, b"just text, not a scan", "ktp.pdf")
    assert text_named_pdf.status_code == 422
    assert text_named_pdf.get_json()["error"]["fields"]["file"] == [
        "only PDF, JPEG and PNG files are accepted"
    ]


def test_too_large_or_incomplete_uploads_are_refused_and_nothing_is_attached(api, tmp_path):
    app, citizen = api
    http = app.test_client()
    application = new_application(http, citizen)
    too_large = upload(http, citizen, application, PDF + b"0" * LIMIT, "big.pdf")
    assert too_large.status_code == 422
    assert "limit" in too_large.get_json()["error"]["fields"]["file"][0]
    huge = upload(http, citizen, application, PDF + b"0" * (200 * 1024), "huge.pdf")
    assert huge.status_code == 413
    no_kind = upload(http, citizen, application, PDF, "ktp.pdf", kind="")
    assert no_kind.status_code == 422 and "kind" in no_kind.get_json()["error"]["fields"]
    state = http.get(f"/api/v1/applications/{application}", headers=citizen).get_json()
    assert state["documents"] == [] and state["missing_documents"] == ["ktp"]
    stored = list((tmp_path / "documents").rglob("*")) if (tmp_path / "documents").exists() else []
    assert [p for p in stored if p.is_file()] == []  # nothing half-stored


def test_a_kind_the_permit_does_not_list_is_refused_with_the_allowed_kinds(api):
    app, citizen = api
    http = app.test_client()
    application = new_application(http, citizen)
    unknown = upload(http, citizen, application, PDF, "passport.pdf", kind="passport")
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["fields"] == {"kind": ["must be one of: ktp"]}
    nul = upload(http, citizen, application, PDF, "ktp.pdf", kind="ktp\x00")
    assert nul.status_code == 422
    assert nul.get_json()["error"]["fields"] == {"kind": ["must not contain a NUL character"]}
    state = http.get(f"/api/v1/applications/{application}", headers=citizen).get_json()
    assert state["documents"] == [] and state["missing_documents"] == ["ktp"]


def test_one_uploaded_file_is_not_attached_as_two_required_documents(api):
    app, citizen = api
    http = app.test_client()
    application = new_application(http, citizen, permit_type="PBG")
    assert upload(http, citizen, application, PDF, "scan.pdf", kind="ktp").status_code == 201
    twice = upload(http, citizen, application, PDF, "scan.pdf", kind="land_certificate")
    assert twice.status_code == 409
    assert twice.get_json()["error"]["fields"] == {"file": ["already attached as ktp"]}
    state = http.get(f"/api/v1/applications/{application}", headers=citizen).get_json()
    assert [d["kind"] for d in state["documents"]] == ["ktp"]


def test_an_uploads_name_is_kept_without_the_senders_folders(api):
    app, citizen = api
    http = app.test_client()
    application = new_application(http, citizen)
    uploaded = upload(http, citizen, application, PDF, "C:\\fakepath\\..\\/tmp/ktp.pdf")
    assert uploaded.status_code == 201 and uploaded.get_json()["filename"] == "ktp.pdf"


def test_a_file_that_is_only_a_magic_number_is_refused_and_nothing_is_kept(api, tmp_path):
    app, citizen = api
    http = app.test_client()
    application = new_application(http, citizen)
    for head, reason in (
        (b"%PDF-1.7\n", "the PDF does not open: it is damaged or cut off"),
        (b"\x89PNG\r\n\x1a\n", "the image does not open: it is damaged or cut off"),
        (b"\xff\xd8\xff\xe0", "the image does not open: it is damaged or cut off"),
    ):
        refused = upload(http, citizen, application, head + b"0" * 500, "ktp.pdf")
        assert refused.status_code == 422
        assert refused.get_json()["error"]["fields"] == {"file": [reason]}
    state = http.get(f"/api/v1/applications/{application}", headers=citizen).get_json()
    assert state["documents"] == []
    stored = list((tmp_path / "documents").rglob("*")) if (tmp_path / "documents").exists() else []
    assert [p for p in stored if p.is_file()] == []


def test_illegal_steps_and_strangers_get_the_matching_status(api):
    app, citizen = api
    http = app.test_client()
    application = new_application(http, citizen)
    early = http.post(
        f"/api/v1/applications/{application}/actions", headers=citizen, json={"action": "resubmit"}
    )
    assert early.status_code == 409
    assert early.get_json()["error"]["fields"]["allowed_actions"] == ["submit", "withdraw"]
    unknown = http.post(
        f"/api/v1/applications/{application}/actions", headers=citizen, json={"action": "bribe"}
    )
    assert unknown.status_code == 422
    stranger = bearer(app, Actor(id="c-2", role="citizen", person_id="other"))
    seen = http.get(f"/api/v1/applications/{application}", headers=stranger)
    assert seen.status_code == 404


def test_a_strangers_upload_to_an_application_is_refused_before_the_file_is_kept(api, tmp_path):
    app, citizen = api
    http = app.test_client()
    application = new_application(http, citizen)
    stranger = bearer(app, Actor(id="c-3", role="citizen", person_id="someone-else"))
    refused = upload(http, stranger, application, PDF, "ktp.pdf")
    assert refused.status_code == 404
    stored = list((tmp_path / "documents").rglob("*")) if (tmp_path / "documents").exists() else []
    assert [p for p in stored if p.is_file()] == []


def test_unknown_permit_numbers_from_one_address_are_throttled(api):
    app, _ = api
    app.config["VERIFICATION_FAILURES"] = 3
    http = app.test_client()

    def check(number: str, address: str):
        return http.get(
            "/api/v1/permits/verification",
            query_string={"number": number},
            environ_base={"REMOTE_ADDR": address},
        )

    for n in range(3):
        assert check(f"503/NIB/{n:04d}", "10.6.6.6").get_json()["valid"] is False
    refused = check("503/NIB/9999", "10.6.6.6")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"]["code"] == "too_many_attempts"
    assert check("503/NIB/9999", "10.6.6.7").status_code == 200
