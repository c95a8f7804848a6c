"""The admin console shows a device's times in the center's time zone, not the browser's."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from queue_core.service import accounts, auth

PASSWORD = "mat-khau-quan-tri"


def test_token_times_are_the_centers_hours_on_a_laptop_set_to_paris(browser: Any,
                                                                    live_server: Any) -> None:
    center = live_server.center
    auth.add_user(live_server.store, "quantri", PASSWORD, role="admin", counter=None,
                  now=center.clock.now())
    live_server.token("kiosk")
    created_at = next(t for t in accounts.tokens(live_server.store) if t["name"] == "kiosk")
    created = datetime.fromisoformat(str(created_at["created_at"]))
    in_vietnam = created.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M")
    in_paris = created.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")
    assert in_vietnam != in_paris

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  timezone_id="Europe/Paris")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/admin#thiet-bi")
        page.locator("#a-username").fill("quantri")
        page.locator("#a-password").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        row = page.locator("#a-tokens tr", has_text="kiosk")
        expect(row).to_contain_text(in_vietnam)
        expect(row).not_to_contain_text(in_paris)
    finally:
        context.close()
