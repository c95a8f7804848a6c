"""A center adopts xephang with nothing but a browser, after `xephang serve` on a fresh data dir.

The whole story, in one walk: set the center up with the setup code, add two officers, pair a
kiosk (1080×1920) and a wall screen (1920×1080), take a ticket, call it from an officer's
console, rename a field and watch the wall change, revoke the kiosk and watch it stop. The
admin works at 1366×768. Screenshots of each step are kept (tests/browser/screenshots/
adoption-*.png); the README shows some of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import screenshot
from playwright.sync_api import expect
from support_live import ALWAYS_OPEN, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN_VIEW = {"width": 1366, "height": 768}
WALL_VIEW = {"width": 1920, "height": 1080}
KIOSK_VIEW = {"width": 1080, "height": 1920}
OFFICER_PASSWORD = "mat-khau-can-bo"


@pytest.fixture
def fresh_box(tmp_path: Path) -> Iterator[LiveServer]:
    """`xephang serve` on an empty data dir: no admin, no token, the built-in center."""
    with LiveServer(tmp_path / "var") as server:
        # The center's own hours, days and holidays: the demo switch is what opens it tonight.
        for name in ALWAYS_OPEN:
            server.env.pop(name, None)
        server.start()
        yield server


def _clear_of_the_demo_strip(page: Any, selector: str) -> None:
    """Every visible element matching `selector` ends above the demo strip."""
    strip = page.locator("#demo-ribbon").bounding_box()
    assert strip is not None and strip["height"] > 0
    boxes = [box for box in (element.bounding_box() for element in page.locator(selector).all())
             if box is not None and box["height"] > 0]
    assert boxes, f"nothing matches {selector}"
    for box in boxes:
        assert box["y"] + box["height"] <= strip["y"] + 0.5, (selector, box, strip)


def _context(browser: Any, viewport: dict[str, int]) -> Any:
    return browser.new_context(viewport=viewport, locale="vi-VN")


def _pairing_code(holder: Any) -> str:
    code = holder.locator(".pairing-code")
    expect(code).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=15_000)
    return "".join(code.inner_text().split())


def _pair(admin: Any, code: str, device: str, name: str) -> None:
    form = admin.locator("#a-pair-form")
    form.locator("input[name=code]").fill(code)
    form.locator("select[name=device]").select_option(device)
    form.locator("input[name=name]").fill(name)
    form.locator("button[type=submit]").click()
    expect(admin.locator("#a-saved")).to_contain_text(f"Đã ghép nối {name}")


def test_a_center_is_set_up_and_run_from_the_browser(browser: Any, fresh_box: LiveServer) -> None:
    url = fresh_box.url
    # `serve` said the setup code and where to type it; it is also in the data dir.
    code_file = fresh_box.data_dir / "setup-code"
    assert code_file.stat().st_mode & 0o777 == 0o600
    setup_code = code_file.read_text().strip()
    assert setup_code in fresh_box.output() and "/setup" in fresh_box.output()

    admin_context = _context(browser, ADMIN_VIEW)
    kiosk_context = _context(browser, KIOSK_VIEW)
    wall_context = _context(browser, WALL_VIEW)
    officer_context = _context(browser, ADMIN_VIEW)
    try:
        admin = admin_context.new_page()
        admin.on("dialog", lambda dialog: dialog.accept())

        # --- 1. the first run: the setup code, the center, the first admin, the demo switch --
        admin.goto(url + "/")
        expect(admin.locator("a[href='/setup']").first).to_be_visible()
        admin.goto(url + "/setup")
        form = admin.locator("#setup-form")
        form.locator("#code").fill("1111-2222")
        form.locator("#center_name").fill("Trung tâm Phục vụ hành chính công xã Tân Phú")
        form.locator("#username").fill("quantri")
        form.locator("#password").fill("mat-khau-quan-tri")
        form.locator("#password2").fill("mat-khau-quan-tri")
        form.locator("#demo").check()
        screenshot(admin, "adoption-1-setup-1366")
        form.locator("button[type=submit]").click()
        expect(admin.locator("#setup-message")).to_be_visible()    # a wrong code is refused
        form.locator("#code").fill(setup_code)
        form.locator("button[type=submit]").click()
        admin.wait_for_url(url + "/admin")
        expect(admin.locator("#a-body")).to_be_visible()
        expect(admin.locator("#a-center-name")).to_have_text(
            "Trung tâm Phục vụ hành chính công xã Tân Phú")
        expect(admin.locator("#demo-ribbon")).to_be_visible()
        assert not code_file.exists()
        screenshot(admin, "adoption-2-console-1366")

        # --- 2. two officers --------------------------------------------------------------
        admin.locator("a[href='#can-bo']").first.click()
        users = admin.locator("#a-user-form")
        for username, counter in (("lan", "1"), ("binh", "2")):
            users.locator("input[name=username]").fill(username)
            users.locator("input[name=password]").fill(OFFICER_PASSWORD)
            users.locator("select[name=role]").select_option("staff")
            users.locator("select[name=counter]").select_option(counter)
            users.locator("button[type=submit]").click()
            expect(admin.locator("#a-users")).to_contain_text(username)
        expect(admin.locator("#a-users tr")).to_have_count(3)

        # --- 3. pair the kiosk (portrait) and the wall screen -----------------------------
        kiosk = kiosk_context.new_page()
        kiosk.goto(url + "/kiosk")
        kiosk.wait_for_selector('#kiosk[data-screen="setup"]')
        kiosk_code = _pairing_code(kiosk.locator("#k-pairing"))
        # The address shown is the box's real one, with the port it serves on.
        expect(kiosk.locator("#k-pairing .pairing-where")).to_contain_text(
            f":{fresh_box.port}/admin")
        screenshot(kiosk, "adoption-3-kiosk-pairing-1080x1920")
        wall = wall_context.new_page()
        wall.goto(url + "/display/wall")
        wall_code = _pairing_code(wall.locator("#screen-pairing"))
        admin.locator("a[href='#thiet-bi']").first.click()
        expect(admin.locator("#a-pending li")).to_have_count(2)
        screenshot(admin, "adoption-4-pairing-1366")
        _pair(admin, kiosk_code, "kiosk", "kiosk-sanh")
        kiosk.wait_for_selector('#kiosk[data-screen="fields"][data-connection="online"]',
                                timeout=20_000)
        _pair(admin, wall_code, "display", "man-hinh-sanh")
        expect(wall.locator("#screen-pairing")).to_have_count(0, timeout=20_000)
        expect(admin.locator("#a-tokens tr")).to_have_count(2, timeout=10_000)
        expect(wall.locator("#demo-ribbon")).to_be_visible()
        # The strip has its own room: it covers no field on the wall, no button on the kiosk.
        _clear_of_the_demo_strip(wall, "[data-service]")
        _clear_of_the_demo_strip(kiosk, ".k-field")

        # --- 4. a citizen takes a ticket --------------------------------------------------
        kiosk.locator('.k-field[data-service="A"]').click()
        kiosk.wait_for_selector('#kiosk[data-screen="result"]')
        label = kiosk.locator("#k-label").inner_text()
        assert label == "A001"
        screenshot(kiosk, "adoption-5-kiosk-ticket-1080x1920")
        _clear_of_the_demo_strip(kiosk, ".k-result button")
        kiosk.locator('.k-result [data-action="home"]').click()
        kiosk.wait_for_selector('#kiosk[data-screen="fields"]')
        expect(wall.locator('[data-service="A"] .w-count')).to_have_text("1")

        # --- 5. officer Lan calls it at counter 1; the wall shows it ------------------------
        officer = officer_context.new_page()
        officer.goto(url + "/counter")
        login = officer.locator("#login-form")
        login.locator("input[name=username]").fill("lan")
        login.locator("input[name=password]").fill(OFFICER_PASSWORD)
        login.locator("button[type=submit]").click()
        expect(officer.locator("#link-state")).to_have_text("Đã kết nối")
        officer.locator('#actions [data-action="next"]').click()
        expect(officer.locator("#serving-label")).to_have_text(label)
        expect(wall.locator("#hero-label")).to_have_text(label)
        expect(wall.locator("#hero-counter")).to_contain_text("Quầy 1")
        screenshot(officer, "adoption-6-officer-1366")
        screenshot(wall, "adoption-7-wall-called-1920")

        # --- 6. the admin renames a field: the wall and the kiosk change at once ------------
        admin.locator("a[href='#linh-vuc']").first.click()
        name = admin.locator('#linh-vuc tr[data-row="service"]').first.locator("input[name=name]")
        expect(name).to_have_value("Chứng thực")
        name.fill("Chứng thực bản sao")
        admin.locator('[data-save="linh-vuc"]').click()
        expect(admin.locator("#a-saved")).to_be_visible()
        expect(wall.locator('[data-service="A"] .w-name')).to_have_text("Chứng thực bản sao")
        expect(kiosk.locator('.k-field[data-service="A"]')).to_contain_text("Chứng thực bản sao")
        screenshot(admin, "adoption-8-fields-1366")
        screenshot(wall, "adoption-9-wall-renamed-1920")
        screenshot(kiosk, "adoption-10-kiosk-renamed-1080x1920")

        # --- 7. the admin revokes the kiosk: it stops and asks to be paired again ----------
        admin.locator("a[href='#thiet-bi']").first.click()
        row = admin.locator("#a-tokens tr", has_text="kiosk-sanh")
        row.locator('[data-action="revoke"]').click()
        expect(admin.locator("#a-saved")).to_contain_text("Đã thu hồi kiosk-sanh")
        kiosk.wait_for_selector('#kiosk[data-screen="setup"]', timeout=20_000)
        _pairing_code(kiosk.locator("#k-pairing"))
        assert kiosk.evaluate("localStorage.getItem('xephang.kiosk.token')") is None
        screenshot(kiosk, "adoption-11-kiosk-revoked-1080x1920")
        # The wall, still paired, carries on.
        expect(wall.locator("#hero-label")).to_have_text(label)
        tickets = fresh_box.get("/state").json()
        assert [s["name"] for s in tickets["services"]][0] == "Chứng thực bản sao"
    finally:
        for context in (admin_context, kiosk_context, wall_context, officer_context):
            context.close()
