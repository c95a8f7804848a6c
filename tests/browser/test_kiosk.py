"""The ticket kiosk in Chromium: press → number on screen → paper; and every way that fails."""

from __future__ import annotations

import re
import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from browser_support import SCREENSHOTS, screenshot, serve
from playwright.sync_api import expect
from browser_support import serve_settings as _serve

from hardware.printer import PaperOut
from queue_core.service import auth
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.config import ServiceSettings, load_settings
from queue_core.web.security import Throttle

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}


def printer_of(app: Any) -> Any:
    return app.extensions["xephang_printer"].service.printer


def open_kiosk(page: Any, url: str, token: str) -> None:
    """Provision the kiosk the way an installer does, then wait until it is ready."""
    page.goto(f"{url}/kiosk#token={token}")
    page.wait_for_selector('#kiosk[data-screen="fields"][data-connection="online"]')
    page.wait_for_function("!document.querySelector('.k-field').disabled")


def field(page: Any, code: str) -> Any:
    return page.locator(f'.k-field[data-service="{code}"]')


def token_of(app: Any) -> str:
    center = app.extensions["xephang"].center
    return auth.create_token(center.store, "kiosk-sanh", role="kiosk", counter=None,
                             now=center.clock.now())


def test_token_is_kept_and_taken_out_of_the_address(page: Any, live_server: Any) -> None:
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    assert page.url == f"{live_server.url}/kiosk"
    assert page.evaluate("localStorage.getItem('xephang.kiosk.token')").startswith("xph_")
    page.reload()  # a restart of the kiosk needs nothing from the installer
    page.wait_for_selector('#kiosk[data-screen="fields"][data-connection="online"]')


def test_without_a_token_the_kiosk_shows_its_pairing_code(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/kiosk")
    page.wait_for_selector('#kiosk[data-screen="setup"]')
    code = page.locator("#k-pairing .pairing-code")
    expect(code).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    port = live_server.url.rsplit(":", 1)[1]
    expect(page.locator("#k-pairing .pairing-where")).to_contain_text(f":{port}/admin")
    page.goto(f"{live_server.url}/kiosk#token=xph_revoked")
    page.wait_for_function(
        "document.getElementById('k-setup-reason').textContent.includes('không hợp lệ')")
    assert page.url == f"{live_server.url}/kiosk"


def test_press_shows_the_number_and_prints_it(page: Any, live_server: Any) -> None:
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    live_server.center.issue("A", actor="test")
    page.wait_for_function("document.querySelector('[data-waiting=\"A\"]').textContent === '1'")
    screenshot(page, "kiosk-landscape")
    field(page, "A").click()
    page.wait_for_selector('#kiosk[data-screen="result"]')
    assert page.locator("#k-label").inner_text() == "A002"
    assert page.locator("#k-result-field").inner_text() == "Chứng thực"
    assert page.locator("#k-ahead").inner_text() == "1"
    assert page.locator("#k-print-ok").is_visible()
    assert "Vui lòng chờ gọi số" in page.locator(".k-result").inner_text()
    jobs = printer_of(live_server.app).jobs
    assert [job.name for job in jobs] == ["A002"]
    screenshot(page, "kiosk-landscape-result")
    SCREENSHOTS.mkdir(exist_ok=True)
    shutil.copy(jobs[0].png_path, SCREENSHOTS / "kiosk-printed-ticket.png")
    # "Xong" returns to the start at once; otherwise the countdown does.
    page.locator('.k-result [data-action="home"]').click()
    page.wait_for_selector('#kiosk[data-screen="fields"]')


def test_the_start_screen_comes_back_by_itself(tmp_path: Path, browser: Any) -> None:
    with serve(tmp_path, XEPHANG_CENTER_OPENS_AT="00:00", XEPHANG_CENTER_CLOSES_AT="24:00",
               XEPHANG_CENTER_WORKDAYS="1,2,3,4,5,6,7", XEPHANG_CENTER_PUBLIC_HOLIDAYS="false",
               XEPHANG_KIOSK_RETURN_SECONDS="1") as (url, app):
        context = browser.new_context(bypass_csp=True, viewport=LANDSCAPE, locale="vi-VN")
        page = context.new_page()
        open_kiosk(page, url, token_of(app))
        field(page, "F").click()
        page.wait_for_selector('#kiosk[data-screen="result"]')
        page.wait_for_selector('#kiosk[data-screen="fields"]', timeout=5000)
        context.close()


def test_printer_failure_shows_the_number_with_a_plain_message(page: Any, live_server: Any) -> None:
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    printer_of(live_server.app).fail(PaperOut("no paper"))
    started = time.monotonic()
    field(page, "B").click()
    page.wait_for_selector("#k-print-failed:visible")
    assert time.monotonic() - started < 2.0
    assert page.locator("#k-label").inner_text() == "B001"
    assert page.locator("#k-print-failed").inner_text() == \
        "Máy in gặp sự cố — xin ông/bà ghi nhớ số thứ tự"
    assert not page.locator("#k-print-ok").is_visible()
    screenshot(page, "kiosk-landscape-printer-failed")
    health = live_server.app.extensions["xephang"].hub.device_report()["printer"]
    assert health["status"] == "error" and "B001" in health["message"]
    tickets = live_server.center.tickets(state="waiting")
    assert [t["label"] for t in tickets] == ["B001"]  # the ticket stays valid
    # Staff were told; the kiosk's own banner warns the next citizen too.
    page.locator('.k-result [data-action="home"]').click()
    page.wait_for_selector("#k-printer-trouble:visible")
    screenshot(page, "kiosk-landscape-printer-banner")


def test_priority_leads_to_the_field_choice(page: Any, live_server: Any) -> None:
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    live_server.center.issue("E", actor="test")
    page.locator("#k-priority-button").click()
    page.wait_for_selector('#kiosk[data-screen="priority"]')
    screenshot(page, "kiosk-landscape-priority")
    page.locator('.k-priority[data-priority="pregnant"]').click()
    page.wait_for_selector('#kiosk[data-screen="fields"]')
    assert page.locator("#k-priority-name").inner_text() == "Phụ nữ mang thai"
    assert not page.locator("#k-priority-button").is_visible()
    field(page, "E").click()
    page.wait_for_selector('#kiosk[data-screen="result"]')
    assert page.locator("#k-label").inner_text() == "E002"
    assert "Phụ nữ mang thai" in page.locator("#k-result-priority").inner_text()
    assert page.locator("#k-ahead").inner_text() == "0"  # served before the earlier E001
    issued = [t for t in live_server.center.tickets(state="waiting") if t["label"] == "E002"]
    assert issued[0]["priority"] == "pregnant"
    # Back to the start: the next citizen is not priority by accident.
    page.locator('.k-result [data-action="home"]').click()
    page.wait_for_selector('#kiosk[data-screen="fields"]')
    assert page.locator("#k-priority-button").is_visible()
    assert not page.locator("#k-priority-chosen").is_visible()


def test_double_tap_gives_one_ticket(page: Any, live_server: Any) -> None:
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    field(page, "C").click(click_count=3, delay=30)
    page.wait_for_selector('#kiosk[data-screen="result"]')
    assert [t["label"] for t in live_server.center.tickets()] == ["C001"]
    assert len(printer_of(live_server.app).jobs) == 1


def test_core_unreachable_claims_no_ticket_then_recovers(page: Any, live_server: Any) -> None:
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    page.route("**/api/v1/kiosk/tickets", lambda route: route.abort("connectionrefused"))
    field(page, "D").click()
    page.wait_for_selector("#k-offline:visible")
    assert page.locator("#k-offline").inner_text().startswith("Hệ thống đang kết nối lại")
    assert page.locator('#kiosk').get_attribute("data-screen") == "fields"
    assert live_server.center.tickets() == []
    screenshot(page, "kiosk-landscape-offline")
    # The core is back: the same press (same key) gets its one ticket.
    page.unroute("**/api/v1/kiosk/tickets")
    page.wait_for_selector('#kiosk[data-screen="result"]', timeout=6000)
    assert page.locator("#k-label").inner_text() == "D001"
    assert [t["label"] for t in live_server.center.tickets()] == ["D001"]


def test_a_kiosk_pressed_too_often_says_wait(page: Any, live_server: Any) -> None:
    live_server.app.extensions["xephang"].kiosk_limit.throttle = Throttle(limit=1, window=60)
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    field(page, "A").click()
    page.wait_for_selector('#kiosk[data-screen="result"]')
    page.locator('.k-result [data-action="home"]').click()
    field(page, "A").click()
    page.wait_for_selector('#kiosk[data-screen="message"]')
    assert page.locator("#k-message-title").inner_text() == "Vui lòng đợi một chút"
    assert len(live_server.center.tickets()) == 1


def test_closed_field_is_shown_plainly(tmp_path: Path, browser: Any) -> None:
    base = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "closed-field"),
                              "XEPHANG_CENTER_OPENS_AT": "00:00", "XEPHANG_CENTER_CLOSES_AT": "24:00",
                              "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
    "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false"})
    services = tuple(ServiceSettings(s.code, s.name, s.name_en, open=s.code != "D",
                                     numeric_base=s.numeric_base) for s in base.services)
    for url, app in _serve(base.replace(services=services)):
        context = browser.new_context(bypass_csp=True, viewport=LANDSCAPE, locale="vi-VN")
        page = context.new_page()
        open_kiosk(page, url, token_of(app))
        closed = field(page, "D")
        # The Board comes over the socket just after the connection: wait for it.
        page.wait_for_selector('.k-field[data-service="D"][data-open="false"]')
        assert "Tạm ngừng nhận hồ sơ" in closed.inner_text()
        closed.click(force=True)  # aria-disabled, yet a tap must explain itself
        page.wait_for_selector('#kiosk[data-screen="message"]')
        assert page.locator("#k-message-title").inner_text() == "Lĩnh vực tạm ngừng"
        assert app.extensions["xephang"].center.tickets() == []
        context.close()


def test_outside_opening_hours_says_when_it_opens_and_nothing_else(tmp_path: Path,
                                                                   browser: Any) -> None:
    """Saturday evening, a center open Monday to Friday: "…mở cửa lúc 7 giờ 00, thứ Hai 7/12"."""
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "closed"),
                                  "XEPHANG_CENTER_OPENS_AT": "07:00",
                                  "XEPHANG_CENTER_CLOSES_AT": "17:30",
                                  "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5"})
    clock = FakeClock(datetime(2026, 12, 5, 18, 10, tzinfo=VIETNAM))
    for url, app in _serve(settings, clock=clock):
        context = browser.new_context(bypass_csp=True, viewport=PORTRAIT, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{url}/kiosk#token={token_of(app)}")
        page.wait_for_selector('#kiosk[data-screen="closed"][data-connection="online"]')
        closed = page.locator('.k-screen[data-name="closed"]')
        assert closed.locator("#k-opens-next").inner_text() == \
            "Trung tâm mở cửa lúc 7 giờ 00, thứ Hai 7/12"
        assert [line for line in closed.inner_text().split("\n") if line.strip()] == [
            "Ngoài giờ làm việc", "Trung tâm mở cửa lúc 7 giờ 00, thứ Hai 7/12"]
        # Nothing else: no field to touch, no "Chạm vào lĩnh vực để lấy số".
        assert not page.locator(".k-field").first.is_visible()
        assert not page.get_by_text("Chạm vào lĩnh vực để lấy số").is_visible()
        assert not page.locator("#k-priority-button").is_visible()
        screenshot(page, "kiosk-portrait-closed")
        assert app.extensions["xephang"].center.tickets() == []
        # Monday 7:00: the Board says open, the fields come back.
        clock.set(datetime(2026, 12, 7, 7, 0, 5, tzinfo=VIETNAM))
        page.reload()
        page.wait_for_selector('#kiosk[data-screen="fields"][data-connection="online"]')
        context.close()


def test_portrait_screen(browser: Any, live_server: Any) -> None:
    context = browser.new_context(bypass_csp=True, viewport=PORTRAIT, locale="vi-VN")
    page = context.new_page()
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    fields = page.locator(".k-field")
    # Every field and the priority button fit on the screen, none scrolled away.
    for i in range(fields.count()):
        box = fields.nth(i).bounding_box()
        assert box is not None and box["y"] + box["height"] <= PORTRAIT["height"]
        assert box["width"] > 400 and box["height"] > 250
    priority = page.locator("#k-priority-button").bounding_box()
    assert priority is not None and priority["y"] + priority["height"] <= PORTRAIT["height"]
    screenshot(page, "kiosk-portrait")
    field(page, "E").click()
    page.wait_for_selector('#kiosk[data-screen="result"]')
    screenshot(page, "kiosk-portrait-result")
    context.close()


def test_landscape_buttons_fit(page: Any, live_server: Any) -> None:
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    for i in range(page.locator(".k-field").count()):
        box = page.locator(".k-field").nth(i).bounding_box()
        assert box is not None and box["y"] + box["height"] <= LANDSCAPE["height"]
        assert box["height"] > 200


def test_citizen_ticket_page_follows_the_call(browser: Any, live_server: Any) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 412, "height": 915}, locale="vi-VN")
    page = context.new_page()
    first = live_server.center.issue("A", actor="test")
    mine = live_server.center.issue("A", actor="test")
    # The QR code's address (with the holder's key): the page joins its ticket's room.
    page.goto(f"{live_server.url}/t/{mine['id']}?k={mine['holder_key']}")
    page.wait_for_selector('#t-page[data-connection="online"]')
    assert page.locator("#t-label").inner_text() == "A002"
    assert page.locator("#t-ahead").inner_text() == "1"
    screenshot(page, "ticket-page-waiting")
    live_server.center.call_next(1, actor="test")  # calls A001
    page.wait_for_function("document.getElementById('t-ahead').textContent === '0'")
    live_server.center.finish(1, actor="test")
    live_server.center.call_next(2, actor="test")  # calls A002 at counter 2
    page.wait_for_selector('#t-page[data-state="called"]')
    assert page.locator("#t-counter").inner_text() == "2"
    screenshot(page, "ticket-page-called")
    assert first["id"] not in page.content()  # nothing about anyone else
    context.close()


def test_the_confirmation_and_the_ticket_say_which_counters_serve_the_field(
        page: Any, live_server: Any) -> None:
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    field(page, "A").click()
    page.wait_for_selector('#kiosk[data-screen="result"]')
    assert page.locator("#k-where").inner_text() == "Mời đến quầy 1, 2 hoặc 5 khi được gọi"
    page.locator('.k-result [data-action="home"]').click()
    field(page, "D").click()
    page.wait_for_selector('#kiosk[data-screen="result"] #k-label:text("D001")')
    assert page.locator("#k-where").inner_text() == "Mời đến quầy 4 khi được gọi"
    tickets = live_server.center.tickets()
    page.goto(f"{live_server.url}/t/{tickets[0]['id']}")
    assert page.locator(".t-where").inner_text() == "Mời đến quầy 1, 2 hoặc 5 khi được gọi"
