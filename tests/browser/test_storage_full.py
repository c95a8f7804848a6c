"""A full disk, as the hall sees it: the kiosk and the staff console say "bộ nhớ đầy"."""

from __future__ import annotations

from typing import Any

from browser_support import screenshot
from playwright.sync_api import expect
from test_kiosk import field, open_kiosk
from test_staff_console import PASSWORD, login

from queue_core.domain.errors import StorageFull
from queue_core.service import auth

NO_LIMIT = 1_073_741_823


def test_the_kiosk_and_the_console_say_the_storage_is_full(browser: Any, page: Any,
                                                           live_server: Any) -> None:
    store, center = live_server.store, live_server.center
    auth.add_user(store, "lan", PASSWORD, role="staff", counter=1, now=center.clock.now())
    console = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768},
                                  locale="vi-VN").new_page()
    login(console, live_server.url)
    expect(console.locator("#storage-state")).to_be_hidden()
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    expect(page.locator("#k-storage-full")).to_be_hidden()

    # The disk fills: the database may grow by a few pages only.
    store.page_limit(store.page_count() + 3)
    try:
        for _ in range(5000):
            center.issue("B", actor="test")
    except StorageFull:
        pass
    else:
        raise AssertionError("the small disk never filled")
    field(page, "A").click()
    page.wait_for_selector('#kiosk[data-screen="message"]')
    assert page.locator("#k-message-title").inner_text() == "Bộ nhớ đầy — tạm ngừng cấp số"
    assert "Bộ nhớ của máy đầy" in page.locator('.k-screen[data-name="message"]').inner_text()
    expect(console.locator("#storage-state")).to_be_visible()
    assert "Bộ nhớ đầy" in console.locator("#storage-state").inner_text()
    screenshot(console, "staff-storage-full")
    # Back to the fields, the kiosk keeps saying so until space is freed.
    page.wait_for_selector('#kiosk[data-screen="fields"]', timeout=30_000)
    expect(page.locator("#k-storage-full")).to_be_visible()
    screenshot(page, "kiosk-storage-full")

    store.page_limit(NO_LIMIT)
    center.issue("A", actor="test")  # the next write works, and everyone hears so
    expect(console.locator("#storage-state")).to_be_hidden()
    expect(page.locator("#k-storage-full")).to_be_hidden()
    console.context.close()
