"""The manager's dashboard in a real browser: login, live numbers, alert, charts, screenshots."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
    yield from serve(app, clock)


def serve(app: Any, clock: FakeClock) -> Iterator[Dashboard]:
    """Serve `app` on a free loopback port until the test is over, then close its store."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Dashboard(f"http://127.0.0.1:{server.server_port}", app, clock)
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["xephang"].store.close()


def log_in(page: Any, url: str, username: str = "giamdoc") -> None:
    page.goto(url + "/manager")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#live-waiting")
    # The dashboard's scripts are deferred: its tabs answer clicks only once they have run,
    # which is by the page's load event (a click before that would be lost).
    page.wait_for_load_state("load")


@contextmanager
def dashboard_page(browser: Any, url: str, width: int, height: int) -> Iterator[Any]:
    """A fresh browser at this screen size, logged in to the manager's dashboard at `url`."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    try:
        page = context.new_page()
        log_in(page, url)
        yield page
    finally:
        context.close()


def print_on_a4(page: Any, hidden: list[str], shown: list[str]) -> None:
    """Lay the page out for printing on A4 and check what the paper leaves out and keeps."""
    page.emulate_media(media="print")
    # An A4 page, portrait, at the browser's 96 dots an inch, less 12 mm margins.
    page.set_viewport_size({"width": 703, "height": 1032})
    display = page.evaluate("""(selectors) => selectors
        .map((s) => getComputedStyle(document.querySelector(s)).display)""", hidden + shown)
    assert display[:len(hidden)] == ["none"] * len(hidden), display
    assert "none" not in display[len(hidden):], display


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


def test_the_officer_filter_lists_officers_only(page: Any, dashboard: Dashboard) -> None:
    from playwright.sync_api import expect

    auth.add_user(dashboard.app.extensions["xephang"].store, "quantri", PASSWORD, role="admin",
                  counter=None, now=dashboard.clock.now())
    log_in(page, dashboard.url)
    page.click("#tab-history")
    options = page.locator("#f-officer option")
    expect(options.first).to_have_text("Tất cả cán bộ", timeout=WAIT_MS)
    # The manager and the admin never served anyone: not officers.
    assert [o for o in options.evaluate_all("(all) => all.map((o) => o.value)") if o] == [
        "hoa", "lan", "minh"]


@pytest.mark.parametrize("page_path,username", [("/counter", "lan"), ("/manager", "giamdoc")])
def test_an_english_browser_gets_the_same_vietnamese_answer_on_both_logins(
        browser: Any, dashboard: Dashboard, page_path: str, username: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(dashboard.url + page_path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "sai-mat-khau")
    page.click("button[type=submit]")
    expect(page.locator("#login-message")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.",
                                                        timeout=WAIT_MS)
    context.close()


def test_a_field_serving_transfers_says_why_it_served_more_than_it_issued(
        page: Any, dashboard: Dashboard) -> None:
    from playwright.sync_api import expect

    center, clock = dashboard.center, dashboard.clock
    for _ in range(3):
        center.issue("A", actor="kiosk:test")
    for _ in range(3):
        clock.advance(minutes=2)
        center.call_next(1, actor="user:lan", officer="lan")
        center.transfer(1, "F", actor="user:lan")
    for _ in range(3):
        clock.advance(minutes=2)
        assert center.call_next(5, actor="user:minh", officer="minh")["service"] == "F"
        clock.advance(minutes=3)
        center.finish(5, actor="user:minh")
    log_in(page, dashboard.url)
    page.click("#tab-history")
    row = page.locator("#t-services tbody tr", has_text="F – Trả kết quả")
    expect(row).to_be_visible(timeout=WAIT_MS)
    cells = row.locator("td")
    issued, served = int(cells.nth(1).inner_text()), int(cells.nth(2).inner_text())
    assert served > issued
    expect(page.locator("#t-services thead")).to_contain_text("Đã phục vụ*")
    expect(page.locator("#t-services-note")).to_contain_text("Kể cả số chuyển đến")
    expect(page.locator("#t-services-note")).to_be_visible()


# --- fit and print ----------------------------------------------------------------------------

FIT = """() => {
    const tables = Array.from(document.querySelectorAll('table.data')).filter((t) => t.offsetParent)
        .map((t) => ({id: t.id, width: t.scrollWidth, room: t.parentElement.clientWidth,
                      cells: Array.from(t.querySelectorAll('th, td')).filter(
                          (c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent)}));
    const cards = Array.from(document.querySelectorAll('.card, .tile, .chart-card'))
        .filter((c) => c.offsetParent).map((c) => c.getBoundingClientRect());
    const overlaps = [];
    cards.forEach((a, i) => cards.slice(i + 1).forEach((b) => {
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) overlaps.push([a.left, a.top, b.left, b.top]);
    }));
    return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
            tables, overlaps};
}"""


@pytest.fixture(scope="module")
def busy_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """Four weeks of simulated history and a live morning queue, on a fake clock (looked at
    only, by every test that needs it)."""
    from datetime import date

    from queue_core.cli.simulate import simulate_history

    clock = FakeClock(TODAY_9AM)
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path_factory.mktemp("busy"))})
    app = create_app(settings, clock=clock)
    xephang = app.extensions["xephang"]
    for name, role in (("giamdoc", "manager"), ("lan", "staff"), ("hoa", "staff")):
        auth.add_user(xephang.store, name, PASSWORD, role=role, counter=None, now=clock.now())
    simulate_history(xephang.store, settings, days=24, per_day=150, end=date(2026, 11, 22))
    center = xephang.center
    for n in range(40):
        center.issue("ABCDEFA"[n % 7], actor="kiosk:test", priority="elderly" if n % 9 == 0 else None)
        clock.advance(seconds=40)
    for counter, officer in ((1, "lan"), (2, "hoa"), (3, None), (4, "lan")):
        center.call_next(counter, actor="user:x", officer=officer)
    center.set_counter_state(5, "paused", actor="user:x")
    clock.advance(minutes=20)
    yield from serve(app, clock)


def assert_fits(page: Any, name: str) -> None:
    fit = page.evaluate(FIT)
    assert fit["scrollWidth"] <= fit["innerWidth"], (name, fit["scrollWidth"], fit["innerWidth"])
    for table in fit["tables"]:
        assert table["width"] <= table["room"], (name, table["id"], table["width"], table["room"])
        assert table["cells"] == [], (name, table["id"], table["cells"])
    assert fit["overlaps"] == [], name


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_the_dashboard_fits_the_screen_on_every_tab(browser: Any, busy_dashboard: Dashboard,
                                                    width: int, height: int) -> None:
    from playwright.sync_api import expect

    with dashboard_page(browser, busy_dashboard.url, width, height) as page:
        expect(page.locator("#live-queue tbody tr").first).to_contain_text("phút", timeout=WAIT_MS)
        expect(page.locator("#alert")).to_be_visible(timeout=WAIT_MS)
        assert_fits(page, "live")
        screenshot(page, f"manager-live-{width}x{height}")
        page.click("#tab-history")
        page.click("[data-preset='30']")
        expect(page.locator("#period")).to_have_text("Từ 25/10/2026 đến 23/11/2026", timeout=WAIT_MS)
        page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-level'))",
                               timeout=WAIT_MS)
        expect(page.locator("#t-officers tbody tr")).not_to_have_count(0, timeout=WAIT_MS)
        assert_fits(page, "history")
        screenshot(page, f"manager-history-{width}x{height}")


def test_the_monthly_report_prints_without_cutting_anything(browser: Any,
                                                            busy_dashboard: Dashboard) -> None:
    from playwright.sync_api import expect

    with dashboard_page(browser, busy_dashboard.url, 1366, 768) as page:
        page.click("#tab-history")
        page.click("[data-preset='month']")
        expect(page.locator("#period")).to_have_text("Từ 01/11/2026 đến 23/11/2026", timeout=WAIT_MS)
        page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-level'))",
                               timeout=WAIT_MS)
        print_on_a4(page, hidden=[".mgr-bar", "#filters", "#live"],
                    shown=[".print-head", ".signatures"])
        assert_fits(page, "print")
        screenshot(page, "manager-print-a4")
        pdf = page.pdf(format="A4", print_background=True,
                       margin={"top": "12mm", "bottom": "12mm", "left": "12mm", "right": "12mm"})
        assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
        (Path(__file__).parent / "screenshots").mkdir(exist_ok=True)
        (Path(__file__).parent / "screenshots" / "manager-report.pdf").write_bytes(pdf)
