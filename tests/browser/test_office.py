"""The back office and the manager's overview in Chromium, against the whole running mall.

A citizen applies on the portal from her phone, uploading her documents; a verifier then signs
in on the sign-in page, finds the application on her worklist, reads its document and
approves it with the page's buttons; the citizen sees it issued; the mall manager's overview
counts what was just created.

The permit is the health practice licence (SIP) of the health office (dinkes): the demo NIB
is low risk and is issued the moment it is submitted, so no verifier ever sees one. The mall
administrator makes the dinkes verifier through the staff API first.
"""

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from scripts.demo_data import DEMO_PASSWORD, RESIDENTS
from tests.browser import screenshot, sign_in
from tests.documents import pdf
from tests.e2e.conftest import bearer_headers

SITI = RESIDENTS[0]
DINKES_VERIFIER = {
    "username": "verifikator-dinkes",
    "full_name": "Verifikator Dinas Kesehatan",
    "role": "verifier",
    "agency": "dinkes",
    "password": "periksa-izin-praktik-7",
}


@pytest.fixture(scope="module")
def dinkes_verifier(base_url) -> dict:
    made = requests.post(
        f"{base_url}/api/v1/staff",
        headers=bearer_headers(base_url, "mall_admin"),
        json=DINKES_VERIFIER,
        timeout=30,
    )
    assert made.status_code == 201, made.text
    return DINKES_VERIFIER


def submitted_application(base_url: str, citizen: dict) -> str:
    """Siti's SIP application with its three documents, submitted through the API."""
    api = f"{base_url}/api/v1"
    draft = {
        "permit_type": "SIP",
        "applicant_nik": SITI.nik,
        "applicant_name": SITI.full_name,
        "applicant_birth_date": SITI.birth_date.isoformat(),
    }
    created = requests.post(f"{api}/applications", headers=citizen, json=draft, timeout=30)
    assert created.status_code == 201, created.text
    application = created.json()["id"]
    for kind in ("ktp", "str", "diploma"):
        uploaded = requests.post(
            f"{api}/applications/{application}/documents",
            headers=citizen,
            data={"kind": kind},
            files={"file": (f"{kind}.pdf", pdf(kind), "application/pdf")},
            timeout=30,
        )
        assert uploaded.status_code == 201, uploaded.text
    sent = requests.post(
        f"{api}/applications/{application}/actions",
        headers=citizen,
        json={"action": "submit"},
        timeout=30,
    )
    assert sent.status_code == 200 and sent.json()["status"] == "submitted", sent.text
    return application


def submitted_in_the_portal(citizen: Page) -> str:
    """Siti finds the SIP in the catalog, fills the form, uploads three documents, submits."""
    sign_in(citizen, SITI.nik, DEMO_PASSWORD)
    citizen.get_by_label("Kata kunci").fill("izin praktik")
    citizen.get_by_role("button", name="Cari").click()
    citizen.locator("article.service", has_text="Surat Izin Praktik").get_by_role(
        "link", name="Ajukan"
    ).click()
    expect(citizen.get_by_label("Nama pemohon")).to_have_value(SITI.full_name)  # her account's
    citizen.get_by_label("Tanggal lahir").fill(SITI.birth_date.isoformat())
    citizen.get_by_role("button", name="Buat permohonan").click()
    expect(citizen.locator("#application-status")).to_have_text("Draf")
    for kind in ("ktp", "str", "diploma"):
        citizen.get_by_label("Jenis dokumen").select_option(kind)
        citizen.get_by_label("Berkas (PDF, JPG atau PNG)").set_input_files(
            {"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": pdf(kind)}
        )
        citizen.get_by_role("button", name="Unggah").click()
        expect(citizen.locator("main")).to_contain_text(f"{kind}.pdf")
    citizen.get_by_role("button", name="Kirim permohonan").click()
    expect(citizen.locator("#application-status")).to_have_text("Diajukan")
    screenshot(citizen, "portal-application")
    return citizen.url.rstrip("/").rsplit("/", 1)[-1]


def test_a_citizen_applies_and_a_verifier_approves(base_url, new_page, dinkes_verifier):
    phone = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    application = submitted_in_the_portal(phone)
    citizen = bearer_headers(base_url, "citizen")

    officer = new_page()
    sign_in(officer, dinkes_verifier["username"], dinkes_verifier["password"])
    expect(officer).to_have_url(re.compile(r"/office$"))
    row = officer.locator(f'tr[data-application="{application}"]')
    expect(row).to_contain_text("SIP")
    expect(row.locator(".tag")).to_have_class(re.compile(r"\bok\b"))  # 14 working days left

    screenshot(officer, "office-worklist")
    row.get_by_role("link").click()
    expect(officer).to_have_url(re.compile(rf"/office/applications/{application}$"))
    expect(officer.locator("#status")).to_have_attribute("data-status", "submitted")
    expect(officer.locator("main")).to_contain_text(SITI.full_name)
    documents = officer.locator("a.office-document")
    expect(documents).to_have_count(3)

    # the document opens with the officer's cookie, shown inline as the PDF it is
    href = documents.first.get_attribute("href")
    shown = officer.context.request.get(href)
    assert shown.status == 200
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline")
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert shown.headers["content-security-policy"] == "sandbox"
    assert shown.body() == pdf("ktp")  # the first uploaded
    stranger = requests.get(f"{base_url}{href}", timeout=30, allow_redirects=False)
    assert stranger.status_code == 302  # without the cookie: the sign-in page, no file

    screenshot(officer, "office-review")
    officer.locator('button[data-action="start_verification"]').click()
    expect(officer.locator("#status")).to_have_attribute("data-status", "in_verification")
    expect(officer.locator(".notice")).to_contain_text("Verifikasi dimulai")

    officer.locator('button[data-action="approve"]').click()
    # a free permit is issued as soon as it is approved
    expect(officer.locator("#status")).to_have_attribute("data-status", "issued")
    expect(officer.locator("#status")).to_have_text("Terbit")
    expect(officer.locator(".timeline li")).to_have_count(4)  # submitted, verified, ok, issued
    expect(officer.locator('button[data-action="approve"]')).to_have_count(0)

    seen = requests.get(
        f"{base_url}/api/v1/applications/{application}", headers=citizen, timeout=30
    )
    assert seen.json()["status"] == "issued" and seen.json()["permit_id"]
    officer.goto("/office")
    expect(officer.locator(f'tr[data-application="{application}"]')).to_have_count(0)

    phone.reload()  # the citizen's own page: issued, with the timeline of what happened
    expect(phone.locator("#application-status")).to_have_text("Terbit")
    expect(phone.locator(".timeline")).to_contain_text("Disetujui")


def figure(page: Page, selector: str) -> int:
    return int(page.locator(selector).inner_text().strip())


def test_the_manager_overview_counts_what_was_just_created(base_url, new_page):
    manager = new_page()
    sign_in(manager, "manajer", DEMO_PASSWORD)
    expect(manager).to_have_url(re.compile(r"/manager$"))
    expect(manager.locator("h1")).to_contain_text("Ringkasan mal")
    waiting_before = figure(manager, 'li[data-service="tax"] [data-figure="waiting"]')
    open_before = figure(manager, "#sla-open")

    ticket = requests.post(
        f"{base_url}/api/v1/tickets", json={"service_code": "tax"}, timeout=30
    ).json()
    assert ticket["label"].startswith("C-")
    submitted_application(base_url, bearer_headers(base_url, "citizen"))

    manager.reload()
    screenshot(manager, "manager-overview")
    assert figure(manager, 'li[data-service="tax"] [data-figure="waiting"]') == waiting_before + 1
    assert figure(manager, "#sla-open") == open_before + 1
    row = manager.locator('#per-service tr[data-service="tax"]')
    statistics = requests.get(
        f"{base_url}/api/v1/statistics/daily",
        headers=bearer_headers(base_url, "mall_manager"),
        timeout=30,
    ).json()["services"]["tax"]
    assert statistics["issued"] >= 1
    expect(row.locator('[data-figure="issued"]')).to_have_text(str(statistics["issued"]))
    expect(row.locator('[data-figure="waiting"]')).to_have_text(str(statistics["waiting"]))
    sip = manager.locator('#service-levels tr[data-agency="dinkes"][data-permit-type="SIP"]')
    expect(sip.locator('[data-figure="open"]')).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(manager.locator('#skm tr[data-agency="bapenda"]')).to_contain_text("belum ada survei")

    # another day: its own (empty) figures, chosen with the date field
    manager.locator("#f-day").fill("2026-01-05")
    manager.get_by_role("button", name="Tampilkan").click()
    expect(manager).to_have_url(re.compile(r"/manager\?day=2026-01-05$"))
    expect(manager.locator("h1")).to_contain_text("5 Jan 2026")
    expect(manager.locator("#per-service")).to_have_count(0)
