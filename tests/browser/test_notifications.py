"""Notifications in Chromium, against the whole running mall: Siti's application of a
health practice licence (SIP) is approved by the dinkes verifier, and the count of unread
notifications appears in the header of her pages; her inbox shows the approval, which she
marks read, and the count goes down; opening the issued permit's leads to its public check."""

import re

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from scripts.demo_data import DEMO_PASSWORD
from tests.browser import screenshot, sign_in
from tests.browser.test_accessibility import WCAG
from tests.browser.test_office import DINKES_VERIFIER, SITI, submitted_application
from tests.e2e.conftest import bearer_headers
from tests.polling import eventually


@pytest.fixture(scope="module")
def verifier_headers(base_url) -> dict:
    """The dinkes verifier, made by the mall administrator, signed in to the API."""
    made = requests.post(
        f"{base_url}/api/v1/staff",
        headers=bearer_headers(base_url, "mall_admin"),
        json=DINKES_VERIFIER,
        timeout=30,
    )
    assert made.status_code == 201, made.text
    login = {"login": DINKES_VERIFIER["username"], "password": DINKES_VERIFIER["password"]}
    signed_in = requests.post(f"{base_url}/api/v1/sessions", json=login, timeout=30)
    assert signed_in.status_code == 201, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def unread_in_the_header(page: Page) -> int:
    count = page.locator("#unread-count")
    return int(re.match(r"\d+", count.inner_text()).group()) if count.count() else 0


def count_after_reload(page: Page, wanted) -> int:
    """Reload until the header's count is as ``wanted`` says (notifications are made from
    events, a moment after the step that published them)."""

    def reloaded():
        page.reload()
        count = unread_in_the_header(page)
        return wanted(count) and count

    return eventually(reloaded, timeout=30, interval=0.5)


def test_the_unread_count_appears_after_an_officer_approves_her_application(
    base_url, new_page, verifier_headers
):
    citizen = new_page()
    sign_in(citizen, SITI.nik, DEMO_PASSWORD)
    citizen.goto("/applications")
    application = submitted_application(base_url, bearer_headers(base_url, "citizen"))
    # her receipt of the submission: the count is there, and it is what her inbox says
    before = count_after_reload(citizen, lambda count: count >= 1)
    inbox = requests.get(
        f"{base_url}/api/v1/notifications",
        headers=bearer_headers(base_url, "citizen"),
        timeout=30,
    ).json()
    assert inbox["unread"] == before

    api = f"{base_url}/api/v1/applications/{application}/actions"
    for action in ("start_verification", "approve"):
        done = requests.post(api, headers=verifier_headers, json={"action": action}, timeout=30)
        assert done.status_code == 200, done.text
    assert done.json()["status"] == "issued"  # a free permit is issued once approved

    after = count_after_reload(citizen, lambda count: count >= before + 2)  # approved, issued
    expect(citizen.locator("#notifications-link")).to_contain_text("Notifikasi")

    citizen.locator("#notifications-link").click()
    expect(citizen).to_have_url(re.compile(r"/notifications$"))
    approval = citizen.locator('li[data-kind="application_approved"]')
    expect(approval).to_have_count(1)
    expect(approval).to_have_class(re.compile(r"\bunread\b"))
    expect(citizen.locator('li[data-kind="permit_issued"]')).to_have_count(1)
    screenshot(citizen, "portal-notifications", full_page=True)

    approval.get_by_role("button", name=re.compile("Tandai sudah dibaca")).click()
    expect(citizen).to_have_url(re.compile(r"/notifications$"))
    approval = citizen.locator('li[data-kind="application_approved"]')
    expect(approval).not_to_have_class(re.compile(r"\bunread\b"))
    assert unread_in_the_header(citizen) == after - 1
    checked = Axe().run(citizen, options=WCAG)  # with notifications in it, read and unread
    assert checked.violations_count == 0, checked.generate_report()

    # opening one marks it read and leads where it says: the permit's public check
    issued = citizen.locator('li[data-kind="permit_issued"]')
    issued.get_by_role("button", name=re.compile("^Buka")).click()
    expect(citizen).to_have_url(re.compile(r"/verify\?number=SIP"))
    expect(citizen.locator("#verdict")).to_contain_text("SAH")
    assert unread_in_the_header(citizen) == after - 2

    # the inbox of the verifier's agency has the application that was assigned to it
    agency = requests.get(
        f"{base_url}/api/v1/notifications", headers=verifier_headers, timeout=30
    ).json()
    assert any(n["link"] == f"/office/applications/{application}" for n in agency["items"])


def test_she_sets_how_she_is_told_and_a_wrong_address_is_shown_beside_its_field(base_url, new_page):
    citizen = new_page()
    sign_in(citizen, SITI.nik, DEMO_PASSWORD)
    citizen.goto("/notifications")
    citizen.get_by_role("link", name="Cara saya diberi tahu").click()
    expect(citizen).to_have_url(re.compile(r"/notifications/settings$"))
    citizen.get_by_label("Alamat email").fill("siti.rahayu@")
    citizen.get_by_label("Nomor ponsel").fill("12")
    citizen.get_by_role("button", name="Simpan").click()
    expect(citizen.locator("#e-email")).to_be_visible()
    expect(citizen.locator("#e-phone")).to_contain_text("8-15 angka")  # in her language
    expect(citizen.get_by_label("Alamat email")).to_have_attribute("aria-invalid", "true")
    screenshot(citizen, "portal-notification-settings")

    citizen.get_by_label("Alamat email").fill("siti.rahayu@example.id")
    citizen.get_by_label("Nomor ponsel").fill("+6281234567890")
    citizen.get_by_label("Bahasa pesan saya").select_option("en")
    citizen.get_by_label("SMS").check()
    citizen.get_by_role("button", name="Simpan").click()
    expect(citizen.locator(".notice")).to_contain_text("Pengaturan Anda tersimpan.")
    expect(citizen.get_by_label("Alamat email")).to_have_value("siti.rahayu@example.id")
    expect(citizen.get_by_label("SMS")).to_be_checked()
    saved = requests.get(
        f"{base_url}/api/v1/notification-settings",
        headers=bearer_headers(base_url, "citizen"),
        timeout=30,
    ).json()
    assert (saved["email"], saved["phone"], saved["language"]) == (
        "siti.rahayu@example.id",
        "+6281234567890",
        "en",
    )
    assert "sms" in saved["channels"]
