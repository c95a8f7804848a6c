"""The home page in a real browser: fonts and socket.io client load from the box itself."""

from __future__ import annotations

from typing import Any

from browser_support import screenshot


def test_home_page_shows_fields_and_emulated_devices(page: Any, live_server: Any) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    live_server.center.issue("A", actor="test")
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Trung tâm Phục vụ Hành chính công xã"
    row = page.locator("tr", has_text="Chứng thực")
    assert row.locator("td.num").inner_text() == "1"
    assert "giả lập" in page.locator("body").inner_text()
    loaded = page.evaluate("document.fonts.check('16px \"DejaVu Sans\"')")
    assert loaded is True
    screenshot(page, "home")
    assert failed == []


def test_vendored_socketio_client_talks_to_the_hub(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/")
    page.add_script_tag(url="/static/core/vendor/socket.io.min.js")
    board = page.evaluate("""() => new Promise((resolve, reject) => {
        const socket = io({transports: ['websocket']});
        socket.on('connect', () => socket.emit('subscribe', {rooms: ['board']}));
        socket.on('board', (b) => { socket.close(); resolve(b); });
        setTimeout(() => reject(new Error('no board')), 5000);
    })""")
    assert board["seq"] == 0 and len(board["counters"]) == 5
