"""What the pages decide before any service is asked: where a sign-in may lead, which
forms are accepted, the language switch, pages for errors."""

import pytest

from gateway.app import create_app
from gateway.web.pages import safe_next


@pytest.fixture
def http():
    return create_app({"JWT_SECRET": "unit-test-secret-of-thirty-two-bytes"}).test_client()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example", "/\\evil.example", "/\\\\evil", "visits", "/a\nb"],
)
def test_sign_in_leads_only_to_a_path_of_this_site(target):
    assert safe_next(target) is None


def test_a_path_of_this_site_is_kept():
    assert safe_next("/visits?booked=1") == "/visits?booked=1"


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}],
)
def test_a_form_posted_from_another_site_is_refused(http, headers):
    refused = http.post("/sign-in", data={"login": "x", "password": "y"}, headers=headers)
    assert refused.status_code == 403 and "<html" in refused.text
    assert (
        http.post("/tickets", data={"service_code": "population"}, headers=headers).status_code
        == 403
    )


def test_the_language_switch_keeps_the_page_and_its_query(http):
    page = http.get("/kiosk?code=ABCD&lang=en").text
    assert 'href="/kiosk?code=ABCD&amp;lang=id"' in page


def test_unknown_addresses_are_pages_for_people_and_json_for_the_api(http):
    page = http.get("/no-such-page")
    assert page.status_code == 404 and "Halaman tidak ditemukan" in page.text
    api = http.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"
