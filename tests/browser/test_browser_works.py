"""The browser-test machinery itself, on a page the gateway already serves: Swagger UI at
``/docs`` renders the mall's OpenAPI document in Debian's Chromium, and two people get
separate browser contexts."""

from playwright.sync_api import expect

from gateway.openapi import TITLE


def test_swagger_ui_renders_the_mall_api_in_chromium(page):
    page.goto("/docs")

    expect(page).to_have_title("MPP API")
    # drawn by Swagger UI's JavaScript from /api/v1/openapi.json: the page's scripts, its
    # own static files and the document all loaded
    expect(page.locator(".information-container .title")).to_contain_text(TITLE)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.evaluate("navigator.language") == "id-ID"


def test_each_person_gets_a_browser_context_of_their_own(new_page):
    citizen, officer = new_page(), new_page()
    for person in (citizen, officer):
        person.goto("/health")

    citizen.evaluate("document.cookie = 'who=citizen; path=/'")

    assert citizen.evaluate("document.cookie") == "who=citizen"
    assert officer.evaluate("document.cookie") == ""
