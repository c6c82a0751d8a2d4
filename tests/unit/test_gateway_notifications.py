"""The notifications API and pages with a fake notifications service: what the gateway
checks before asking, what it passes on, and the header's unread count (shown once a
page, and left out when the service is down)."""

import time

import pytest

from chassis.actor import Actor
from gateway.app import create_app
from gateway.openapi import build_spec
from gateway.rpc import BrokerUnavailable, RemoteError, RpcTimeout
from gateway.web import inbox
from tests.accounts import bearer, web_client
from tests.unit.test_gateway import FakeRpc

SITI = Actor(id="siti-account", role="citizen", person_id="person-siti")
VERIFIER = Actor(id="dpupr-verifier", role="verifier", agency="dpupr")
MANAGER = Actor(id="manager-1", role="mall_manager", agency=None)
NOTICE = {
    "id": "n-1",
    "kind": "permit_issued",
    "subject": "Izin Anda terbit",
    "body": "Izin NIB-2026-000001 terbit.",
    "link": "/documents",
    "essential": True,
    "created_at": "2026-12-04T09:00:00+00:00",
    "read_at": None,
    "deliveries": [],
}
SETTINGS = {
    "email": "siti@example.id",
    "phone": None,
    "language": "id",
    "channels": ["email"],
    "quiet_hours": True,
    "essential_only": False,
}


def page_of(*items, unread=None):
    unread = sum(1 for n in items if not n["read_at"]) if unread is None else unread
    return {"items": list(items), "total": len(items), "unread": unread, "page": 1, "per_page": 20}


@pytest.fixture
def fake_rpc():
    return FakeRpc(
        {
            ("notifications", "unread_count"): {"unread": 3},
            ("notifications", "inbox"): lambda query: page_of(NOTICE),
            ("notifications", "mark_read"): lambda nid: {**NOTICE, "id": nid, "read_at": "x"},
            ("notifications", "mark_all_read"): {"marked": 2},
            ("notifications", "settings"): SETTINGS,
            ("notifications", "update_settings"): lambda settings: settings,
            ("licensing", "list_permit_types"): [],
            ("licensing", "my_permits"): [],
            ("civil_registry", "list_certificates"): [],
        }
    )


@pytest.fixture
def app(fake_rpc, monkeypatch, gateway_database):
    monkeypatch.delenv("GATEWAY_CONFIG", raising=False)
    app = create_app(
        {
            "DATABASE_URL": gateway_database,
            "JWT_SECRET": "unit-test-secret-of-thirty-two-bytes",
            "PUBLIC_BASE_URL": "https://mpp.example.go.id",
        }
    )
    app.extensions["rpc_client"] = fake_rpc
    return app


def calls_of(fake_rpc, method: str) -> list[dict]:
    return [c for c in fake_rpc.calls if (c["service"], c["method"]) == ("notifications", method)]


# --- the API -----------------------------------------------------------------------------


def test_the_inbox_needs_a_sign_in(app, fake_rpc):
    http = app.test_client()
    for path in ("/api/v1/notifications", "/api/v1/notifications/unread-count"):
        assert http.get(path).status_code == 401
    assert http.post("/api/v1/notifications/n-1/read").status_code == 401
    assert fake_rpc.calls == []


def test_the_inbox_query_is_checked_and_passed_with_the_actor(app, fake_rpc):
    http, headers = app.test_client(), bearer(app, SITI)
    answer = http.get("/api/v1/notifications?page=2&per_page=5&unread_only=true", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["items"] == [NOTICE]
    (asked,) = calls_of(fake_rpc, "inbox")
    assert asked["args"] == ({"page": 2, "per_page": 5, "unread_only": True},)
    assert asked["context"]["actor"]["person_id"] == SITI.person_id
    assert http.get("/api/v1/notifications", headers=headers).status_code == 200
    assert calls_of(fake_rpc, "inbox")[-1]["args"] == (
        {"page": 1, "per_page": 20, "unread_only": False},
    )


@pytest.mark.parametrize("query", ["per_page=101", "page=0", "page=x", "unread_only=maybe"])
def test_a_bad_inbox_query_is_refused_before_the_service_is_asked(app, fake_rpc, query):
    answer = app.test_client().get(f"/api/v1/notifications?{query}", headers=bearer(app, SITI))
    assert answer.status_code == 422 and answer.get_json()["error"]["fields"]
    assert calls_of(fake_rpc, "inbox") == []


def test_marking_read_names_the_notification(app, fake_rpc):
    http, headers = app.test_client(), bearer(app, SITI)
    answer = http.post("/api/v1/notifications/n-7/read", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["id"] == "n-7"
    assert calls_of(fake_rpc, "mark_read")[0]["args"] == ("n-7",)
    assert http.post("/api/v1/notifications/read-all", headers=headers).get_json() == {"marked": 2}
    assert http.get("/api/v1/notifications/unread-count", headers=headers).get_json() == {
        "unread": 3
    }


def test_someone_elses_notification_is_the_services_404(app, fake_rpc):
    fake_rpc.answers[("notifications", "mark_read")] = RemoteError(
        "NotFound", "no such notification", ["not_found"]
    )
    answer = app.test_client().post("/api/v1/notifications/n-9/read", headers=bearer(app, SITI))
    assert answer.status_code == 404


def test_settings_are_read_and_changed(app, fake_rpc):
    http, headers = app.test_client(), bearer(app, SITI)
    assert http.get("/api/v1/notification-settings", headers=headers).get_json() == SETTINGS
    changed = {"language": "en", "channels": []}
    answer = http.patch("/api/v1/notification-settings", headers=headers, json=changed)
    assert answer.status_code == 200 and answer.get_json() == changed
    assert calls_of(fake_rpc, "update_settings")[0]["args"] == (changed,)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"language": "fr"}, "language"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"email": "not an address"}, "email"),
        ({"quiet_hours": "sometimes"}, "quiet_hours"),
        ({"channels": ["email", "email"]}, "channels"),
        ({"phone": "call me"}, "phone"),
    ],
)
def test_bad_settings_are_refused_by_field_before_the_service_is_asked(
    app, fake_rpc, change, field
):
    answer = app.test_client().patch(
        "/api/v1/notification-settings", headers=bearer(app, SITI), json={**SETTINGS, **change}
    )
    assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"]
    assert calls_of(fake_rpc, "update_settings") == []


# --- the pages ---------------------------------------------------------------------------


def test_the_inbox_page_marks_the_unread_and_offers_its_actions(app, fake_rpc):
    read = {**NOTICE, "id": "n-2", "subject": "Antrean Anda", "read_at": "2026-12-04T10:00:00Z"}
    fake_rpc.answers[("notifications", "inbox")] = lambda query: page_of(NOTICE, read)
    http, _ = web_client(app, SITI)
    page = http.get("/notifications")
    assert page.status_code == 200
    assert 'class="card inbox-item unread" data-notification="n-1"' in page.text
    assert 'class="card inbox-item" data-notification="n-2"' in page.text
    assert page.text.count('action="/notifications/n-1/read"') == 2  # open, mark read
    assert page.text.count('action="/notifications/n-2/read"') == 1  # open only
    assert 'action="/notifications/read-all"' in page.text
    assert '<span class="tag warn" id="unread-count">1' in page.text  # the page's own count
    assert calls_of(fake_rpc, "unread_count") == []  # asked with the inbox, not again


def test_marking_read_from_the_page_goes_back_or_opens_the_link(app, fake_rpc):
    http, token = web_client(app, SITI)
    back = http.post("/notifications/n-1/read", data={"csrf_token": token, "page": "2"})
    assert (back.status_code, back.location) == (303, "/notifications?page=2")
    opened = http.post("/notifications/n-1/read", data={"csrf_token": token, "open": "1"})
    assert (opened.status_code, opened.location) == (303, "/documents")
    fake_rpc.answers[("notifications", "mark_read")] = lambda nid: {
        **NOTICE,
        "link": "https://evil.example/",
    }
    elsewhere = http.post("/notifications/n-1/read", data={"csrf_token": token, "open": "1"})
    assert elsewhere.location == "/notifications"  # a link off this site is not followed
    fake_rpc.answers[("notifications", "mark_read")] = lambda nid: {
        **NOTICE,
        "link": "https://mpp.example.go.id/verify?number=NIB-1",
    }
    public = http.post("/notifications/n-1/read", data={"csrf_token": token, "open": "1"})
    assert public.location == "/verify?number=NIB-1"  # the mall's own public address
    everything = http.post("/notifications/read-all", data={"csrf_token": token})
    assert everything.location == "/notifications?marked=2"
    assert "2 ditandai sudah dibaca" in http.get(everything.location).text


def test_the_page_of_someone_elses_notification_is_refused(app, fake_rpc):
    fake_rpc.answers[("notifications", "mark_read")] = RemoteError(
        "NotFound", "no such notification", ["not_found"]
    )
    http, token = web_client(app, SITI)
    assert http.post("/notifications/n-9/read", data={"csrf_token": token}).status_code == 404


def test_every_page_of_a_signed_in_person_shows_the_unread_count_asked_once(app, fake_rpc):
    http, _ = web_client(app, SITI)
    page = http.get("/documents")
    assert page.status_code == 200
    assert '<span class="tag warn" id="unread-count">3' in page.text
    assert len(calls_of(fake_rpc, "unread_count")) == 1
    officer, _ = web_client(app, VERIFIER)
    assert 'id="notifications-link"' in officer.get("/notifications").text


@pytest.mark.parametrize(
    "failure",
    [
        RemoteError("UnknownService", "notifications is not running", None),
        RpcTimeout("notifications.unread_count"),
        BrokerUnavailable("away"),
        RemoteError("Forbidden", "no inbox", ["forbidden"]),
        RemoteError("ValueError", "a bug", None),
    ],
)
def test_a_page_is_shown_without_the_count_when_the_service_cannot_say(app, fake_rpc, failure):
    fake_rpc.answers[("notifications", "unread_count")] = failure
    http, _ = web_client(app, SITI)
    page = http.get("/documents")
    assert page.status_code == 200 and 'id="notifications-link"' in page.text
    assert 'id="unread-count"' not in page.text


@pytest.mark.parametrize(
    "failure",
    [RpcTimeout("notifications.unread_count"), RemoteError("UnknownService", "gone", None)],
)
def test_after_the_service_did_not_answer_pages_do_not_wait_for_it_again(
    app, fake_rpc, failure, monkeypatch
):
    fake_rpc.answers[("notifications", "unread_count")] = failure
    http, _ = web_client(app, SITI)
    http.get("/documents")
    fake_rpc.answers[("notifications", "unread_count")] = {"unread": 3}
    assert 'id="unread-count"' not in http.get("/documents").text
    assert len(calls_of(fake_rpc, "unread_count")) == 1
    later = time.monotonic() + inbox.PAUSE_SECONDS + 1
    monkeypatch.setattr(inbox.time, "monotonic", lambda: later)
    assert 'id="unread-count">3' in http.get("/documents").text


def test_no_count_is_asked_for_visitors_or_staff_without_an_agency(app, fake_rpc):
    assert app.test_client().get("/verify").status_code == 200
    manager, _ = web_client(app, MANAGER)
    manager.get("/verify")
    assert calls_of(fake_rpc, "unread_count") == []


def test_the_settings_page_saves_the_whole_form(app, fake_rpc):
    http, token = web_client(app, SITI)
    page = http.get("/notifications/settings?lang=en")
    assert page.status_code == 200 and 'value="siti@example.id"' in page.text
    saved = http.post(
        "/notifications/settings",
        data={"csrf_token": token, "email": " siti@example.id ", "language": "en"}
        | {"channels": "email", "quiet_hours": "yes"},
    )
    assert (saved.status_code, saved.location) == (303, "/notifications/settings?saved=1")
    assert calls_of(fake_rpc, "update_settings")[0]["args"] == (
        {
            "email": "siti@example.id",
            "phone": None,
            "language": "en",
            "channels": ["email"],
            "quiet_hours": True,
            "essential_only": False,
        },
    )
    assert "Your settings are saved." in http.get(saved.location).text


def test_refused_settings_are_shown_beside_their_fields(app, fake_rpc):
    fake_rpc.answers[("notifications", "update_settings")] = RemoteError(
        "InvalidInput", "invalid settings", ["invalid_input", {"email": ["email_needed"]}]
    )
    http, token = web_client(app, SITI)
    page = http.post(
        "/notifications/settings", data={"csrf_token": token, "channels": "email", "lang": "en"}
    )
    assert page.status_code == 422
    assert 'id="e-email"' in page.text and 'aria-invalid="true"' in page.text
    assert 'name="channels" value="email" checked' in page.text  # what she chose is kept


def test_the_settings_page_is_for_citizens(app):
    officer, _ = web_client(app, VERIFIER)
    assert officer.get("/notifications/settings").status_code == 403
    visitor = app.test_client().get("/notifications/settings")
    assert visitor.status_code == 302 and "/sign-in" in visitor.location


def test_the_api_is_documented_with_the_contract_schemas(app):
    paths = build_spec(app)["paths"]

    def answer(path: str, method: str) -> dict:
        return paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]

    assert answer("/api/v1/notifications", "get") == {"$ref": "#/components/schemas/Inbox"}
    read = paths["/api/v1/notifications/{notification_id}/read"]["post"]
    assert read["security"] == [{"bearerAuth": []}] and "404" in read["responses"]
    assert answer("/api/v1/notifications/{notification_id}/read", "post") == {
        "$ref": "#/components/schemas/Notification"
    }
    change = paths["/api/v1/notification-settings"]["patch"]
    body = change["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Settings"}
    assert {"Idempotency-Key"} <= {p["name"] for p in change["parameters"]}
    query = {p["name"] for p in paths["/api/v1/notifications"]["get"]["parameters"]}
    assert query == {"page", "per_page", "unread_only"}
