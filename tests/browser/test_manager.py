"""The manager's dashboard in a real browser: login, live numbers, alert, charts, screenshots."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import screenshot
from werkzeug.serving import make_server

from queue_core.service import auth
from queue_core.service.center import Center
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.config import load_settings
from queue_core.web.app import create_app

pytestmark = pytest.mark.browser

# Generous: the figures come from a server on the same, possibly busy, machine.
WAIT_MS = 15_000

TODAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)
PASSWORD = "mat-khau-giam-doc"


@dataclass
class Dashboard:
    url: str
    app: Any
    clock: FakeClock

    @property
    def center(self) -> Center:
        return self.app.extensions["xephang"].center  # type: ignore[no-any-return]


STAFF = ((1, "lan"), (2, "hoa"), (5, "minh"), (3, "hoa"))
LEVELS = ("very_satisfied", "satisfied", "very_satisfied", "unsatisfied", "satisfied",
          "very_satisfied", "satisfied")


def build_week(center: Center, clock: FakeClock) -> None:
    """Six past workdays through the real center: a queue that builds up mid-morning, calls,
    no-shows, a transfer and ratings."""
    for back in range(7, 1, -1):
        day = TODAY_9AM - timedelta(days=back)
        served = 0
        for hour, count, busy in ((8, 4 + back % 3, 0), (9, 8, 3), (10, 6, 2), (14, 4, 0)):
            clock.set(day.replace(hour=hour, minute=1))
            for n in range(count):
                center.issue("AABF"[(n + back) % 4], actor="kiosk:test",
                             priority="elderly" if n == 3 else None)
                clock.advance(minutes=1 + (n + back) % 3)
                # When busy, some turns pass without a call and the queue grows.
                if busy and n % busy:
                    continue
                counter, officer = STAFF[(n + back) % 4]
                ticket = center.call_next(counter, actor=f"user:{officer}", officer=officer)
                if ticket is None:
                    continue
                clock.advance(minutes=2 + (n + counter) % 4, seconds=17 * n)
                if counter == 2 and n % 5 == 4:
                    center.no_show(counter, actor=f"user:{officer}")
                elif counter == 1 and back == 4 and n == 0:
                    center.transfer(counter, "F", actor=f"user:{officer}")
                else:
                    center.finish(counter, actor=f"user:{officer}")
                    served += 1
                    if served % 3:
                        center.rate(ticket["id"], LEVELS[(served + back) % len(LEVELS)])
            for counter, officer in STAFF * 4:
                clock.advance(minutes=3)
                ticket = center.call_next(counter, actor=f"user:{officer}", officer=officer)
                if ticket is not None:
                    clock.advance(minutes=3 + counter % 3)
                    center.finish(counter, actor=f"user:{officer}")
        clock.set(day.replace(hour=18))
        center.close_day()


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[Dashboard]:
    """An always-open appliance on a fake clock, with a week of history, served on loopback."""
    clock = FakeClock(TODAY_9AM - timedelta(days=8))
    settings = load_settings(env={
        "XEPHANG_DATA_DIR": str(tmp_path / "var"),
        "XEPHANG_CENTER_OPENS_AT": "00:00",
        "XEPHANG_CENTER_CLOSES_AT": "24:00",
        "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
    "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false",
    })
    app = create_app(settings, clock=clock)
    store = app.extensions["xephang"].store
    for name, role in (("giamdoc", "manager"), ("lan", "staff"), ("hoa", "staff"),
                       ("minh", "staff")):
        auth.add_user(store, name, PASSWORD, role=role, counter=None, now=clock.now())
    build_week(app.extensions["xephang"].center, clock)
    clock.set(TODAY_9AM)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Dashboard(f"http://127.0.0.1:{server.server_port}", app, clock)
    server.shutdown()
    thread.join(timeout=10)
    store.close()


def log_in(page: Any, url: str, username: str = "giamdoc") -> None:
    page.goto(url + "/manager")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#live-waiting")


def canvas_painted(page: Any, canvas_id: str) -> bool:
    return bool(page.evaluate("""(id) => {
        const canvas = document.getElementById(id);
        if (!canvas || !window.Chart || !Chart.getChart(canvas)) { return false; }
        const { width, height } = canvas;
        if (!width || !height) { return false; }
        const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
        for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { return true; } }
        return false;
    }""", canvas_id))


def test_login_form_then_live_view_updates_on_calls(page: Any, dashboard: Dashboard) -> None:
    from playwright.sync_api import expect

    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    center, clock = dashboard.center, dashboard.clock
    for code in ("A", "A", "B"):
        center.issue(code, actor="kiosk:test")
        clock.advance(minutes=1)

    page.goto(dashboard.url + "/manager")
    expect(page.locator("h1")).to_have_text("Trung tâm Phục vụ Hành chính công xã", timeout=WAIT_MS)
    page.fill("#username", "giamdoc")
    page.fill("#password", "sai-mat-khau")
    page.click("button[type=submit]")
    expect(page.locator("#login-message")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.", timeout=WAIT_MS)
    log_in(page, dashboard.url)
    expect(page.locator("#link-state")).to_have_text("Đang cập nhật trực tiếp", timeout=WAIT_MS)
    expect(page.locator("#live-waiting")).to_have_text("3", timeout=WAIT_MS)
    expect(page.locator("#live-served")).to_have_text("0", timeout=WAIT_MS)
    fields = page.locator("#live-fields tbody tr")
    expect(fields.nth(0)).to_contain_text("Chứng thực", timeout=WAIT_MS)
    expect(fields.nth(0).locator("td").nth(2)).to_have_text("2", timeout=WAIT_MS)

    clock.advance(minutes=2)
    center.call_next(1, actor="user:lan", officer="lan")
    expect(page.locator("#live-waiting")).to_have_text("2", timeout=WAIT_MS)
    counter_1 = page.locator("#live-counters tbody tr").nth(0)
    expect(counter_1).to_contain_text("A001", timeout=WAIT_MS)
    expect(counter_1).to_contain_text("lan", timeout=WAIT_MS)
    expect(counter_1).to_contain_text("Đang mở", timeout=WAIT_MS)

    clock.advance(minutes=4)
    center.finish(1, actor="user:lan")
    expect(page.locator("#live-served")).to_have_text("1", timeout=WAIT_MS)
    expect(counter_1.locator("td").nth(3)).to_have_text("—", timeout=WAIT_MS)
    expect(page.locator("#alert")).to_be_hidden(timeout=WAIT_MS)
    screenshot(page, "manager-live")
    assert errors == [] and failed == []


def test_alert_when_a_ticket_waits_past_the_target(page: Any, dashboard: Dashboard) -> None:
    from playwright.sync_api import expect

    center, clock = dashboard.center, dashboard.clock
    center.issue("C", actor="kiosk:test", priority="elderly")
    log_in(page, dashboard.url)
    expect(page.locator("#link-state")).to_have_text("Đang cập nhật trực tiếp", timeout=WAIT_MS)
    expect(page.locator("#live-waiting")).to_have_text("1", timeout=WAIT_MS)
    expect(page.locator("#alert")).to_be_hidden(timeout=WAIT_MS)
    clock.advance(minutes=16)
    center.issue("D", actor="kiosk:test")  # any push makes the page read the hall again
    expect(page.locator("#alert")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#alert")).to_contain_text("1 công dân đã chờ quá 15 phút", timeout=WAIT_MS)
    expect(page.locator("#alert-list")).to_contain_text("C001 – Đất đai – Xây dựng: 16 phút", timeout=WAIT_MS)
    expect(page.locator("#tile-longest")).to_have_class(re.compile(r"\bbad\b"), timeout=WAIT_MS)
    expect(page.locator("#live-queue tbody tr.over")).to_have_count(1, timeout=WAIT_MS)
    screenshot(page, "manager-alert")


def test_history_charts_and_tables(page: Any, dashboard: Dashboard) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, dashboard.url)
    page.click("#tab-history")
    page.click("[data-preset='7']")
    expect(page.locator("#period")).to_have_text("Từ 17/11/2026 đến 23/11/2026", timeout=WAIT_MS)
    figures = page.evaluate("""() => fetch('/api/v1/stats?from=2026-11-17&to=2026-11-23')
        .then((response) => response.json())""")
    assert figures["issued"] > 50
    expect(page.locator("#h-issued")).to_have_text(str(figures["issued"]), timeout=WAIT_MS)
    expect(page.locator("#h-served")).to_have_text(str(figures["served"]), timeout=WAIT_MS)
    for canvas in ("chart-wait", "chart-heat", "chart-counters", "chart-officers",
                   "chart-satisfaction", "chart-level"):
        page.wait_for_function("(id) => window.Chart && Chart.getChart(document.getElementById(id))",
                               arg=canvas, timeout=WAIT_MS)
        assert canvas_painted(page, canvas), canvas
    expect(page.locator("#t-services tbody tr").first).to_contain_text("A – Chứng thực", timeout=WAIT_MS)
    expect(page.locator("#t-officers tbody")).to_contain_text("hoa", timeout=WAIT_MS)
    expect(page.locator("#t-heat thead")).to_contain_text("08h", timeout=WAIT_MS)
    expect(page.locator("#t-heat tbody")).to_contain_text("Thứ Bảy", timeout=WAIT_MS)
    assert page.locator("#export-xlsx").get_attribute("href").startswith(
        "/api/v1/stats/export.xlsx?from=2026-11-17&to=2026-11-23")
    screenshot(page, "manager-history")

    page.select_option("#f-counter", "2")
    page.click("#filters button[type=submit]")
    expect(page.locator("#period")).to_contain_text("Quầy 2", timeout=WAIT_MS)
    expect(page.locator("#t-counters tbody tr").first).to_contain_text("Quầy 2", timeout=WAIT_MS)
    page.fill("#f-from", "2026-11-23")
    page.fill("#f-to", "2026-11-01")
    page.click("#filters button[type=submit]")
    expect(page.locator("#filters-message")).to_contain_text("'to'", timeout=WAIT_MS)
    assert errors == []


def test_staff_account_is_refused(page: Any, dashboard: Dashboard) -> None:
    from playwright.sync_api import expect

    page.goto(dashboard.url + "/manager")
    page.fill("#username", "lan")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".login-message.error")).to_contain_text("không có quyền lãnh đạo", timeout=WAIT_MS)
    page.click("#logout")
    expect(page.locator("#username")).to_be_visible(timeout=WAIT_MS)
