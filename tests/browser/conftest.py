"""Browser tests: Debian's Chromium driven by Playwright against a real in-process server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from queue_core.service import auth
from queue_core.config import load_settings
from queue_core.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]

pytestmark = pytest.mark.browser


@dataclass
class LiveServer:
    """A running appliance and the handles tests need."""

    url: str
    app: Any

    @property
    def center(self) -> Any:
        return self.app.extensions["xephang"].center

    @property
    def store(self) -> Any:
        return self.app.extensions["xephang"].store

    def token(self, role: str, counter: int | None = None) -> str:
        name = role if counter is None else f"{role}-{counter}"
        return auth.create_token(self.store, name, role=role, counter=counter,
                                 now=self.center.clock.now())


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: scripts/test installs it")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Serve a fresh appliance (always open, emulated devices) on a free loopback port."""
    settings = load_settings(env={
        "XEPHANG_DATA_DIR": str(tmp_path / "var"),
        "XEPHANG_CENTER_OPENS_AT": "00:00",
        "XEPHANG_CENTER_CLOSES_AT": "24:00",
        "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
    "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false",
    })
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["xephang"].store.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: Playwright evaluates wait_for_function's expressions with eval, which the
    # box's policy (no 'unsafe-eval') forbids; the pages themselves are checked under the
    # policy in test_pages_under_csp.py.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()
