"""Browser tests: the mall's web pages in a real Chromium, driven by Playwright.

Fixtures are in ``conftest.py``. ``sign_in`` signs a demo account in through the form;
``screenshot`` saves the pictures the README shows.
"""

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from scripts.demo_data import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def screenshot(page, name: str, *, full_page: bool = False) -> Path | None:
    """Save ``docs/screenshots/<name>.png`` of ``page``, only when UPDATE_SCREENSHOTS=1.

    Tests call it at the moments worth showing; a normal run writes nothing, so no test
    depends on it and the committed pictures change only when asked:
    ``UPDATE_SCREENSHOTS=1 .venv/bin/pytest tests/browser``.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise ValueError(f"screenshot name {name!r}: lower-case letters, digits, - and _ only")
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return None
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def sign_in(page: Page, login: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sign-in form, as a person does, and wait until signed in."""
    page.goto("/sign-in")
    page.get_by_label("NIK atau nama pengguna").fill(login)
    page.get_by_label("Kata sandi").fill(password)
    page.locator("main form button[type=submit]").click()
    # (not page.wait_for_url with a Python predicate: under eventlet it never returns)
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
