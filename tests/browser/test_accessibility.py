"""Every main page checked by axe-core (WCAG 2.1 A and AA rules: labels, names, contrast,
landmarks, language...) in Chromium, as the person who uses it, at desktop and phone width."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from scripts.demo_data import RESIDENTS
from tests.browser import sign_in

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PHONE = {"width": 390, "height": 844}
PAGES = {
    None: [
        "/",
        "/?lang=en",
        "/sign-in",
        "/sign-up",
        "/kiosk",
        "/verify?number=X-1",
        "/board",
        "/modules/complaints/views/public",
    ],
    RESIDENTS[0].nik: [
        "/bookings/new?service_code=population",
        "/visits",
        "/applications",
        "/applications/new?permit_type=NIB",
        "/documents",
        "/my-record",
        "/modules/regional_tax/bills",
        "/modules/complaints/services/complaint",
        "/notifications",
        "/notifications/settings",
    ],
    "loket-a": ["/counter"],
    "verifikator": ["/office", "/notifications"],
    "registrar": ["/office/births", "/office/deaths"],
    "manajer": ["/manager"],
    "pengaduan": ["/office"],
    "pajak": ["/office/modules/regional_tax?district=Kalijambe&status=due"],
    "kasir-pajak": ["/office/modules/regional_tax?district=Sragen&status=overdue"],
}
CASES = [(who, path) for who, paths in PAGES.items() for path in paths]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(("who", "path"), CASES, ids=[path for _, path in CASES])
def test_the_page_has_no_wcag_violations(new_page, axe, who, path, viewport):
    page = new_page(**({"viewport": viewport} if viewport else {}))
    if who:
        sign_in(page, who)
    response = page.goto(path)
    assert response.ok, f"{path}: {response.status}"
    results = axe.run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
