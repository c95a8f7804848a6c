"""The citizen's ticket page when the box refuses its live connection (the hall is full).

A real `xephang serve` with room for one live connection, taken by a screen: the page's
websocket gets 503, and the page follows its ticket by polling
`GET /api/v1/tickets/<id>` instead, slower but without a reload; the screen connected
before is not disturbed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import screenshot
from support_live import Listener, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_refused_ticket_page_polls_its_ticket(browser: Any, tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "var", env={"XEPHANG_SERVER_MAX_CONNECTIONS": "1"})
    kiosk, staff = server.tokens([("kiosk", None), ("staff", 1)])
    server.start()
    screen = Listener(server.url, transports=["websocket"], reconnection=False).connect()
    context = browser.new_context(bypass_csp=True, viewport={"width": 412, "height": 915},
                                  locale="vi-VN")
    try:
        screen.wait_boards(1)
        mine = server.post("/tickets", kiosk, {"service": "A"}).json()
        page = context.new_page()
        # The holder's page asks for the live connection; the full box refuses it.
        with page.expect_websocket(lambda ws: "/socket.io/" in ws.url, timeout=15000):
            page.goto(f"{server.url}/t/{mine['id']}?k={mine['holder_key']}")
        page.wait_for_selector('#t-page[data-mode="polling"]', timeout=15000)
        assert page.locator("#t-label").inner_text() == mine["label"]
        assert page.locator("#t-page").get_attribute("data-key") == mine["holder_key"]
        screenshot(page, "ticket-page-refused-polling")
        assert server.post("/counters/1/call-next", staff).status_code == 200
        # The next poll (every 20 s) shows the call.
        page.wait_for_selector('#t-page[data-state="called"]', timeout=40000)
        assert page.locator("#t-counter").inner_text() == "1"
        screen.wait_event("ticket_called")
        assert screen.sio.connected
        screenshot(page, "ticket-page-refused-called")
    finally:
        context.close()
        screen.disconnect()
        server.stop()


def test_a_refused_wall_screen_retries_and_comes_in_when_a_place_frees(
        browser: Any, tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "var", env={"XEPHANG_SERVER_MAX_CONNECTIONS": "1"})
    server.start()
    holder = Listener(server.url, transports=["websocket"], reconnection=False).connect()
    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768},
                                  locale="vi-VN")
    try:
        holder.wait_boards(1)
        page = context.new_page()
        with page.expect_response(lambda r: "/socket.io/" in r.url and r.status == 503,
                                  timeout=15000):
            page.goto(f"{server.url}/display/wall")
        page.wait_for_selector("body.is-offline", state="attached")
        screenshot(page, "wall-refused-waiting")
        holder.disconnect()
        # The screen's own retries (growing delays, at most 5 s apart) bring it in.
        page.wait_for_function("!document.body.classList.contains('is-offline')",
                               timeout=30000)
        assert page.evaluate("window.xephangDisplay.live.board !== null")
    finally:
        context.close()
        holder.disconnect()
        server.stop()
