"""The citizen's own ticket page offers the rating once the ticket is served."""

from __future__ import annotations

from typing import Any

from browser_support import screenshot


def test_ticket_page_offers_one_rating_after_service(browser: Any, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 412, "height": 915}, locale="vi-VN")
    page = context.new_page()
    mine = live_server.center.issue("B", actor="test")
    page.goto(f"{live_server.url}/t/{mine['id']}")
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
