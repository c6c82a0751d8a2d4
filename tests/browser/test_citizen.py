"""A citizen's visit in a real browser against the whole mall: she books a slot on her
phone, sees the booking's QR code, checks in and follows her place in line; the officer calls
her ticket, the display board shows the call without reloading, and her phone tells her
which counter to go to."""

import re

from playwright.sync_api import expect

from scripts.demo_data import RESIDENTS
from tests.browser import screenshot, sign_in

PHONE = {"width": 390, "height": 844}


def test_a_citizen_books_checks_in_and_is_called_to_a_counter(new_page):
    board = new_page(viewport={"width": 1920, "height": 1080})
    board.goto("/board")
    expect(board.locator("#board-connection")).to_have_attribute("data-state", "live")
    loaded = board.evaluate("window.__loaded = Date.now()")
    citizen = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    citizen.goto("/")
    screenshot(citizen, "portal-home")
    sign_in(citizen, RESIDENTS[0].nik)
    expect(citizen.get_by_role("link", name="Antrean saya")).to_be_visible()

    population = citizen.locator("article.service", has_text="Administrasi Kependudukan")
    population.get_by_role("link", name="Pesan jadwal").click()
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("Administrasi Kependudukan")
    expect(citizen.locator('input[name="starts_at"]').first).to_be_checked()
    citizen.get_by_role("button", name="Pesan", exact=True).click()

    expect(citizen.get_by_role("status")).to_contain_text("Jadwal dipesan")
    code = citizen.locator(".code").first.inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    qr = citizen.locator(".qr[role=img]")  # the booking code as a QR code, for the kiosk
    expect(qr).to_have_attribute("aria-label", re.compile(code))
    assert qr.locator("svg").bounding_box()["width"] >= 200
    screenshot(citizen, "portal-booking-qr")

    citizen.get_by_role("button", name="Saya sudah tiba (check-in)").click()
    expect(citizen.get_by_label("Nomor antrean")).to_have_text(re.compile(r"A-\d{3}"))
    expect(citizen.locator("#status")).to_have_text("Menunggu")
    expect(citizen.locator("#position")).to_have_text("1")
    label = citizen.get_by_label("Nomor antrean").inner_text()
    screenshot(citizen, "portal-ticket")

    officer = new_page()
    sign_in(officer, "loket-a")
    officer.get_by_role("button", name=re.compile(r"^Buka loket \d+$")).first.click()
    officer.get_by_role("button", name="Panggil berikutnya").click()
    expect(officer.locator("#current-ticket")).to_have_text(label)
    counter = re.search(r"Loket (\d+)", officer.locator("#work-title").inner_text()).group(1)

    expect(board.locator("#board-latest")).to_contain_text(label)
    expect(board.locator("#board-latest")).to_contain_text(f"Loket {counter}")
    assert board.evaluate("window.__loaded") == loaded  # pushed to the same page, no reload
    # the ticket page follows its ticket by itself
    expect(citizen.get_by_text(f"Silakan menuju Loket {counter}")).to_be_visible(timeout=15_000)


def test_the_portal_switches_to_english_and_is_usable_by_keyboard(new_page):
    visitor = new_page()
    visitor.goto("/")
    visitor.get_by_role("link", name="English").click()
    expect(visitor.get_by_role("heading", name="Find a service")).to_be_visible()

    visitor.keyboard.press("Tab")  # the first stop is the skip link
    expect(visitor.get_by_role("link", name="Skip to content")).to_be_focused()
    visitor.get_by_label("Words").fill("business")
    visitor.get_by_label("Words").press("Enter")
    results = visitor.locator("article.service")
    expect(results.first).to_contain_text("Business identity number")
    assert "q=business" in visitor.url
