"""A counter officer calls the next ticket in one browser and the display board of the hall,
open in another, shows the call at once, without reloading; the console works by keyboard."""

import re

import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser import screenshot
from tests.browser import sign_in as sign_in_as

FULL_HD = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
OFFICER = "loket-a"  # a counter officer of disdukcapil, whose counters 1 and 2 serve population
LIVE_MS = 15_000  # the console's queue refreshes on every call and at least every 10 s


def walk_in(base_url: str, service: str = "population") -> dict:
    """A ticket from the kiosk, as the JSON API gives it."""
    issued = requests.post(f"{base_url}/api/v1/tickets", json={"service_code": service}, timeout=10)
    assert issued.status_code == 201, issued.text
    return issued.json()


def sign_in(page: Page, login: str) -> None:
    """An officer signs in and lands on the console."""
    sign_in_as(page, login)
    expect(page.get_by_role("heading", level=1)).to_have_text("Konsol loket")


def open_a_counter(console: Page) -> str:
    """Open the first closed counter of the officer's agency unless one is open already;
    the number of the counter being worked."""
    call_next = console.get_by_role("button", name="Panggil berikutnya")
    if not call_next.is_visible():
        console.get_by_role("button", name=re.compile(r"^Buka loket \d+$")).first.click()
        expect(console.get_by_role("status")).to_contain_text(re.compile(r"Loket \d+ dibuka\."))
    heading = console.locator("#work-title").inner_text()
    return re.search(r"Loket (\d+)", heading).group(1)


def test_a_call_at_the_counter_appears_on_the_board_without_a_reload(new_page, base_url):
    board = new_page(viewport=FULL_HD)
    board.goto("/board")
    expect(board.locator("#board-connection")).to_have_attribute("data-state", "live")
    marker = board.evaluate("window.__loaded = Date.now()")
    licensing_board = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    licensing_board.goto("/board?agency=dpmptsp")
    expect(licensing_board.locator("#board-connection")).to_have_attribute("data-state", "live")

    ticket = walk_in(base_url)
    console = new_page()
    sign_in(console, OFFICER)
    number = open_a_counter(console)
    waiting = int(console.locator("#waiting-total").inner_text())
    assert waiting >= 1
    console.get_by_role("button", name="Panggil berikutnya").click()

    expect(console.get_by_role("status")).to_have_text(f"{ticket['label']} dipanggil.")
    expect(console.locator("#current-ticket")).to_have_text(ticket["label"])
    expect(console.locator("#waiting-total")).to_have_text(str(waiting - 1))

    latest = board.locator("#board-latest")
    expect(latest).to_contain_text(ticket["label"])
    expect(latest).to_contain_text(f"Loket {number}")
    expect(board.locator("#board-announcer")).to_have_text(
        f"Nomor antrean {ticket['label']}, silakan ke loket {number}"
    )
    assert board.evaluate("window.__loaded") == marker  # the same page: no reload
    expect(licensing_board.locator("#board-latest")).not_to_contain_text(ticket["label"])
    screenshot(board, "board-display")
    screenshot(console, "counter-console")
    for page in (console, board):
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, results.generate_report()

    # a recall puts the same ticket on top again, marked as called again
    console.get_by_role("button", name="Panggil ulang").click()
    expect(latest).to_contain_text("Panggilan ulang")
    expect(board.locator("#board-previous")).not_to_contain_text(ticket["label"])

    # a ticket taken now shows in the console's queue without a reload
    later = walk_in(base_url)
    expect(console.locator("#waiting-total")).to_have_text(str(waiting), timeout=LIVE_MS)

    console.get_by_role("button", name="Mulai layanan").click()
    expect(console.get_by_role("status")).to_have_text(f"Layanan {ticket['label']} dimulai.")
    console.get_by_label("Hasil layanan").fill("KTP elektronik dicetak")
    console.get_by_role("button", name="Selesai").click()
    expect(console.get_by_role("status")).to_have_text(f"Layanan {ticket['label']} selesai.")

    console.get_by_role("button", name="Panggil berikutnya").click()
    expect(console.locator("#current-ticket")).to_have_text(later["label"])
    expect(latest).to_contain_text(later["label"])
    expect(board.locator("#board-previous")).to_contain_text(ticket["label"])
    console.get_by_role("button", name="Tidak hadir").click()
    expect(console.get_by_role("status")).to_have_text(f"{later['label']} ditandai tidak hadir.")

    console.get_by_role("button", name="Panggil berikutnya").click()  # nobody left
    expect(console.get_by_role("alert")).to_have_text(
        "Tidak ada yang menunggu di layanan loket ini."
    )
    assert board.evaluate("window.__loaded") == marker


def test_the_console_calls_the_next_ticket_by_keyboard(new_page, base_url):
    console = new_page()
    sign_in(console, OFFICER)
    open_a_counter(console)
    ticket = walk_in(base_url)
    console.reload()

    call_next = console.get_by_role("button", name="Panggil berikutnya")
    for _ in range(40):  # the skip link, the header, then the console's first action
        console.keyboard.press("Tab")
        if call_next.evaluate("button => button === document.activeElement"):
            break
    expect(call_next).to_be_focused()
    console.keyboard.press("Enter")
    expect(console.locator("#current-ticket")).to_have_text(ticket["label"])

    start = console.get_by_role("button", name="Mulai layanan")
    start.focus()
    console.keyboard.press("Enter")
    expect(console.get_by_role("status")).to_have_text(f"Layanan {ticket['label']} dimulai.")
    outcome = console.get_by_label("Hasil layanan")
    outcome.focus()
    console.keyboard.type("Kartu keluarga diperbarui")
    console.keyboard.press("Enter")  # submits the finish form
    expect(console.get_by_role("status")).to_have_text(f"Layanan {ticket['label']} selesai.")
