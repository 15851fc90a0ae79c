"""Real-browser tests: Chromium driven by Playwright against a live server with demo data.

The server runs the real app (CSRF on) in a thread, on a SQLite file holding the tiny demo
country, for the whole session; each test gets a fresh browser context (own cookies). Without
Chromium or axe-core (``npm install``) the tests are skipped, unless ``DOLBOM_REQUIRE_BROWSER=1``
(CI), where they fail instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from core.clock import SEOUL, FixedClock
from service.demo_data import DEMO_PASSWORD, SCALES, build_demo_data
from service.demo_payments import demo_money
from service.extensions import db
from tests.conftest import build_app, dispose, migrate_and_seed

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
START = datetime(2026, 3, 2, 10, 0, tzinfo=SEOUL)  # a Monday


def _missing_prerequisites() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not AXE_SCRIPT.exists():
        missing.append(f"{AXE_SCRIPT.relative_to(ROOT)} (npm install)")
    return missing


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites() -> None:
    """Skip every browser test when Chromium or axe-core is missing; fail instead in CI."""
    missing = _missing_prerequisites()
    if not missing:
        return
    message = "browser tests need " + " and ".join(missing)
    if os.environ.get("DOLBOM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"DOLBOM_REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # no access log in the test output
        pass


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The base URL of the app serving the tiny demo country (demo logins included)."""
    clock = FixedClock(START)  # its own clock: other tests move the shared one
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'dolbom.sqlite'}"
    app = build_app(
        url,
        clock,
        WTF_CSRF_ENABLED=True,  # the browser posts real forms with real tokens
        LOGIN_RATE_LIMIT="100 per minute",  # every test logs in from 127.0.0.1
    )
    migrate_and_seed(app)
    with app.app_context():
        build_demo_data(db.session, scale=SCALES["tiny"], seed=1, clock=clock)
        demo_money(
            db.session,
            setup=app.extensions["dolbom.payments"],
            tariffs=app.extensions["dolbom.tariffs"],
            clock=clock,
        )
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        dispose(app)


@pytest.fixture(scope="session")
def browser(live_server: str) -> Iterator[Browser]:
    # depends on the server so that Chromium closes (and drops its connections) before it stops
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (no cookies); English unless another ``locale`` is given.

    Script errors on any page fail the test.
    """
    contexts = []
    errors: list[str] = []

    def open_page(locale: str = "en-US", **options) -> Page:
        context = browser.new_context(base_url=live_server, locale=locale, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page in a fresh English browser context."""
    return new_page()


@pytest.fixture
def log_in() -> Callable[[Page, str], None]:
    """Log in through the form with a demo account (the page must show the site in English)."""

    def log_in_as(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return log_in_as
