"""The whole mall (the fixtures of ``tests/e2e``) and a headless Chromium driven by Playwright.

Chromium is Debian's (``/usr/bin/chromium``, installed by ``scripts/ensure-browser``, which
``make test`` runs; ``CHROMIUM=/path`` names another), since Playwright cannot download its
own browser here. A test takes ``new_page`` (or ``new_context``) once per person: a citizen,
a counter officer and a display board each get a browser context of their own, with their
own cookies. When a test fails, every page it opened is saved as a PNG in the mall's var
folder and the paths are printed in the failure report (with the mall's log).
"""

import asyncio
import os
import re
from pathlib import Path

import greenlet
import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

from tests.e2e import conftest as e2e

# the whole mall of tests/e2e, one per test module: a fixture is found where it is defined
vhost, mall_var, mall = e2e.vhost, e2e.mall_var, e2e.mall


@pytest.fixture(scope="module")
def mall_env(vhost, mall_var) -> dict:
    """The e2e mall's environment, open every hour of every day: bookings and check-ins
    work whenever the tests run."""
    return e2e.mall_environment(vhost, mall_var) | {"DEMO_ALWAYS_OPEN": "1"}


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As root, on a closed network: no sandbox, no GPU, and no background connections to Google.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
TIMEZONE = "Asia/Jakarta"  # WIB, the mall's clock
TIMEOUT_MS = 15_000  # one action or navigation; Playwright's default is 30 s


class _EventletFriendlyLoop(asyncio.SelectorEventLoop):
    """The event loop of Playwright's sync API, made to work under eventlet's monkey patching
    (the root ``conftest.py`` patches the whole test process for nameko).

    Playwright runs this loop in a greenlet of its own and returns to the test's greenlet
    when that greenlet ends (``playwright.stop()``). eventlet's green ``select`` makes its
    hub the parent of every greenlet that waits in it, so the loop's greenlet would end into
    the hub and ``stop()`` would hang forever. After each turn of the loop the parent is set
    back to the greenlet that started Playwright.
    """

    def __init__(self, parent: greenlet.greenlet):
        super().__init__()
        self._parent = parent

    def _run_once(self):
        try:
            super()._run_once()
        finally:
            current = greenlet.getcurrent()
            if current is not self._parent and current.parent is not self._parent:
                current.parent = self._parent


class _PlaywrightLoopPolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return _EventletFriendlyLoop(greenlet.getcurrent())


def start_playwright():
    """``sync_playwright().start()`` on an ``_EventletFriendlyLoop``."""
    previous = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(_PlaywrightLoopPolicy())
    try:
        return sync_playwright().start()
    finally:
        asyncio.set_event_loop_policy(previous)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test (``item.report_call``), for the fixtures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def base_url(mall) -> str:
    """The running mall's address, once every service is healthy."""
    base, _, _ = mall
    e2e.wait_until_healthy(base, timeout=60)
    return base


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run scripts/ensure-browser (make test does) "
            "or set CHROMIUM=/path/to/chromium",
            pytrace=False,
        )
    playwright = start_playwright()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def locale() -> str:
    """The browser's language (``Accept-Language``, ``navigator.language``): Indonesian, as
    most of the mall's visitors. Override per test with
    ``@pytest.mark.parametrize("locale", ["en-US"])``."""
    return "id-ID"


@pytest.fixture
def new_context(request, browser, base_url, locale, mall_var):
    """Make a fresh, isolated browser context (its own cookies and storage): one per person.

    Relative URLs go to the mall (``page.goto("/docs")``); keyword arguments override the
    defaults (``viewport``, ``locale``, ...) and go to ``Browser.new_context``.
    """
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        settings = {
            "base_url": base_url,
            "viewport": VIEWPORT,
            "locale": locale,
            "timezone_id": TIMEZONE,
            **options,
        }
        context = browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make

    report = getattr(request.node, "report_call", None)
    try:
        if report is not None and report.failed:
            _save_failure_screenshots(request.node, contexts, mall_var)
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def new_page(new_context):
    """Make a page in a fresh context of its own: ``citizen = new_page()``,
    ``board = new_page(viewport={"width": 1920, "height": 1080})``."""

    def make(**context_options) -> Page:
        return new_context(**context_options).new_page()

    return make


@pytest.fixture
def page(new_page) -> Page:
    """One page, for a test that needs only one person."""
    return new_page()


def _save_failure_screenshots(item, contexts, mall_var: Path) -> None:
    folder = mall_var / "screenshots"
    folder.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)
    lines = []
    for c, context in enumerate(contexts, 1):
        for p, page in enumerate(context.pages, 1):
            path = folder / f"{stem}-context{c}-page{p}.png"
            try:
                page.screenshot(path=str(path), full_page=True, timeout=5_000)
            except Exception as error:  # a crashed or closed page: say so, go on
                lines.append(f"context {c} page {p} ({page.url}): no screenshot: {error}")
            else:
                lines.append(f"context {c} page {p} ({page.url}): {path}")
    lines.append(f"mall log: {mall_var / 'mall.log'}")
    # shown under "Captured stdout teardown" in the failure report
    print(f"\nbrowser screenshots of {item.nodeid}:\n" + "\n".join(lines))
