"""A complaint that starts with a bad rating, in Chromium against the whole running mall.

Siti is served at a counter and rates the service with one element poor; her ticket's page
offers the mall's complaint desk, whose form opens filled in with her ticket. The mall's
complaint officer verifies it and sends it to the population office; that office's
verifier follows it up and answers; Siti reads the answer and confirms it with a rating.
Every page is the generic module pages': the complaint desk has no page of its own.
"""

import re

import pytest
import requests
from playwright.sync_api import expect

from scripts.demo_data import RESIDENTS
from tests.browser import screenshot, sign_in
from tests.e2e.conftest import bearer_headers, wait_until_announced

DISDUKCAPIL_VERIFIER = {
    "username": "verifikator-dukcapil",
    "full_name": "Verifikator Dukcapil",
    "role": "verifier",
    "agency": "disdukcapil",
    "password": "jawab-pengaduan-warga-7",
}
ANSWER = "Mohon maaf. Mulai Senin loket 1 dilayani dua petugas pada jam sibuk."


@pytest.fixture(scope="module")
def responder(base_url) -> dict:
    made = requests.post(
        f"{base_url}/api/v1/staff",
        headers=bearer_headers(base_url, "mall_admin"),
        json=DISDUKCAPIL_VERIFIER,
        timeout=30,
    )
    assert made.status_code == 201, made.text
    return DISDUKCAPIL_VERIFIER


def served_ticket(base_url: str) -> str:
    """Siti's ticket, called, served and finished at loket 1 (through the API)."""
    api = f"{base_url}/api/v1"
    mine = bearer_headers(base_url, "citizen")
    taken = requests.post(
        f"{api}/tickets", headers=mine, json={"service_code": "population"}, timeout=30
    )
    assert taken.status_code == 201, taken.text
    desk = bearer_headers(base_url, "counter_officer")
    for action, body in [("open", None), ("call-next", None), ("start", None)]:
        done = requests.post(
            f"{api}/counters/loket-1/{action}", headers=desk, json=body, timeout=30
        )
        assert done.status_code == 200, done.text
    finished = requests.post(
        f"{api}/counters/loket-1/finish", headers=desk, json={"outcome": "KTP"}, timeout=30
    )
    assert finished.status_code == 200 and finished.json()["id"] == taken.json()["id"]
    return taken.json()["id"]


def test_a_bad_rating_becomes_a_complaint_the_agency_answers_and_she_confirms(
    base_url, new_page, responder
):
    wait_until_announced(base_url, "complaints")
    ticket = served_ticket(base_url)

    citizen = new_page()
    sign_in(citizen, RESIDENTS[0].nik)
    citizen.goto(f"/tickets/{ticket}")
    citizen.locator('input[name="e1"][value="1"]').check()  # requirements: poor
    for element in range(2, 10):
        citizen.locator(f'input[name="e{element}"][value="3"]').check()
    citizen.get_by_role("button", name="Kirim penilaian").click()
    offer = citizen.locator("#complaint-offer")
    expect(offer).to_be_visible()
    offer.get_by_role("link", name="Ajukan pengaduan tentang tiket ini").click()

    expect(citizen.locator("#f-object_kind")).to_have_value("ticket")
    expect(citizen.locator("#f-object_id")).to_have_value(ticket)
    citizen.get_by_label("Kategori").select_option("requirements")
    citizen.get_by_label("Isi pengaduan").fill(
        "Persyaratan KTP tidak jelas, saya diminta kembali membawa berkas yang tidak tertulis."
    )
    citizen.get_by_role("button", name="Kirim permohonan").click()
    expect(citizen.locator("#application-status")).to_have_text("Diterima")
    complaint = citizen.url.rstrip("/").rsplit("/", 1)[-1]
    screenshot(citizen, "complaint-filed")

    officer = new_page()
    sign_in(officer, "pengaduan")
    officer.goto("/office")
    officer.locator(f'a[href$="/office/modules/complaints/applications/{complaint}"]').click()
    officer.get_by_role("button", name="Verifikasi", exact=True).click()
    expect(officer.locator("#status")).to_have_text("Terverifikasi")
    officer.get_by_label("Kode instansi yang menindaklanjuti").fill("disdukcapil")
    officer.get_by_role("button", name="Teruskan ke instansi", exact=True).click()
    expect(officer.locator("#status")).to_have_text("Diteruskan ke instansi")

    agency = new_page()
    sign_in(agency, responder["username"], responder["password"])
    agency.goto("/office")
    agency.locator(f'a[href$="/office/modules/complaints/applications/{complaint}"]').click()
    agency.get_by_role("button", name="Tindak lanjuti", exact=True).click()
    expect(agency.locator("#status")).to_have_text("Ditindaklanjuti")
    agency.get_by_label("Jawaban untuk pelapor").fill(ANSWER)
    agency.get_by_role("button", name="Jawab", exact=True).click()
    expect(agency.locator("#status")).to_have_text("Dijawab")

    citizen.reload()
    expect(citizen.locator("#application-status")).to_have_text("Dijawab")
    expect(citizen.locator(".timeline")).to_contain_text(ANSWER)
    citizen.get_by_label(re.compile("Penilaian jawaban")).fill("4")
    screenshot(citizen, "complaint-answered")
    citizen.get_by_role("button", name="Jawaban memuaskan, selesai").click()
    expect(citizen.locator("#application-status")).to_have_text("Selesai")

    citizen.goto("/modules/complaints/views/public")
    row = citizen.locator(f'tr[data-row="{complaint}"]')
    expect(row).to_contain_text(ANSWER)
    expect(row.locator('[data-column="status"]')).to_have_text("Selesai")
