"""The citizen's own ticket page offers the rating once served, to the holder of the paper only."""

from __future__ import annotations

from typing import Any

from browser_support import screenshot


def test_ticket_page_offers_one_rating_after_service(browser: Any, live_server: Any) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 412, "height": 915}, locale="vi-VN")
    page = context.new_page()
    mine = live_server.center.issue("B", actor="test")
    # The QR code's address: the page with the holder key.
    page.goto(f"{live_server.url}/t/{mine['id']}?k={mine['holder_key']}")
    page.wait_for_selector('#t-page[data-connection="online"]')
    assert page.locator("#t-rating button").count() == 0
    live_server.center.call_next(3, actor="test")
    live_server.center.finish(3, actor="test")
    page.wait_for_selector('#t-page[data-state="done"]')
    page.locator('#t-rating button[data-level="satisfied"]').click()
    page.wait_for_function("document.getElementById('t-rating').textContent.includes('Cảm ơn')")
    screenshot(page, "ticket-page-rated")
    rating = live_server.store.rating(mine["id"])
    assert rating is not None and rating.level == "satisfied" and rating.counter == 3
    context.close()


def test_ticket_page_hears_its_place_without_asking(browser: Any, live_server: Any) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 412, "height": 915}, locale="vi-VN")
    page = context.new_page()
    for _ in range(2):
        live_server.center.issue("B", actor="test")
    mine = live_server.center.issue("B", actor="test")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url)
            if "/api/v1/tickets/" in request.url else None)
    page.goto(f"{live_server.url}/t/{mine['id']}?k={mine['holder_key']}")
    page.wait_for_selector('#t-page[data-connection="online"]')
    assert page.locator("#t-ahead").text_content() == "2"
    live_server.center.call_next(3, actor="test")
    # Its place comes to its own room (paced), not from a request after the call.
    page.wait_for_function("document.getElementById('t-ahead').textContent === '1'")
    live_server.center.finish(3, actor="test")
    live_server.center.call_next(3, actor="test")
    page.wait_for_function("document.getElementById('t-ahead').textContent === '0'")
    screenshot(page, "ticket-page-place")
    assert asked == []
    live_server.center.finish(3, actor="test")
    live_server.center.call_next(3, actor="test")
    page.wait_for_selector('#t-page[data-state="called"]')
    assert page.locator("#t-counter").text_content() == "3"
    context.close()


def test_ticket_page_without_the_key_shows_but_does_not_rate(browser: Any,
                                                             live_server: Any) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 412, "height": 915}, locale="vi-VN")
    page = context.new_page()
    mine = live_server.center.issue("B", actor="test")
    live_server.center.call_next(3, actor="test")
    live_server.center.finish(3, actor="test")
    # The id alone (as the wall screen shows it), or a wrong key: the ticket, no rating,
    # and no live room (it is the holder's): the page looks again now and then instead.
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    for address in (f"/t/{mine['id']}", f"/t/{mine['id']}?k=wrong-key"):
        page.goto(live_server.url + address)
        page.wait_for_selector('#t-page[data-state="done"]')
        page.wait_for_selector('#t-page[data-mode="polling"]')
        assert page.locator("#t-rating").count() == 0
        assert "quét mã QR" in page.locator("#t-rating-hint").inner_text()
        assert mine["holder_key"] not in page.content()
    assert sockets == []
    screenshot(page, "ticket-page-no-key")
    assert live_server.store.rating(mine["id"]) is None
    context.close()
