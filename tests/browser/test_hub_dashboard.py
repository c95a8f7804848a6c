"""The province dashboard in a real browser: login, the overview with its alerts, comparisons,
one center's charts, the monthly report link, and a center's login seeing only itself."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import screenshot
from werkzeug.serving import make_server

from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.province import accounts, aggregate
from queue_core.province.storage.database import Database
from queue_core.province.web.app import create_app

# The hub's test helpers (a box driven through a day, the reference sender).
sys.path.insert(0, str(Path(__file__).parents[1] / "queue_core" / "province"))
from boxday import drive_day, open_box  # noqa: E402
from reference_sender import ReferenceOutbox, box_profile, forward  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

WAIT_MS = 15_000
PASSWORD = "mat-khau-tinh"
SIZES = ((1366, 768), (1920, 1080))


@dataclass
class HubSite:
    url: str
    app: Any
    db: Database
    clock: FakeClock
    issued: dict[str, int]


@pytest.fixture
def hub_site(hub_url: str, tmp_path: Path) -> Iterator[HubSite]:
    today = datetime.now(VIETNAM).replace(hour=8, minute=0, second=0, microsecond=0)
    db = Database(hub_url, max_size=4).open()
    clock = FakeClock(today)
    app = create_app(db, clock=clock, title="Tỉnh Quảng Nam – các Trung tâm Phục vụ Hành chính công")
    client = app.test_client()
    names = {"HB": "Trung tâm Phục vụ Hành chính công xã Hòa Bắc",
             "HN": "Trung tâm Phục vụ Hành chính công xã Hòa Ninh",
             "BN": "Trung tâm Phục vụ Hành chính công xã Bà Nà"}
    tokens = {code: accounts.add_center(db, code, name) for code, name in names.items()}
    issued, boxes = {}, []
    # Hòa Ninh's box believes it is three hours earlier than it is (its day starts at 5:00).
    for n, (code, late) in enumerate((("HN", 3), ("HB", 0))):
        box = open_box(tmp_path / code, today, name=names[code])
        for back in (7, 1, 0):
            drive_day(box, today - timedelta(days=back), variant=n + back % 3,
                      start_hour=8 - late)
        boxes.append(box)
        clock.set(box.clock.now() + timedelta(hours=late))
        outbox = ReferenceOutbox.of_file(box.path, profile=box_profile(box.settings))
        headers = {"Authorization": f"Bearer {tokens[code]}"}
        sent_at = box.clock.now

        def post(body: dict[str, Any], headers: dict[str, str] = headers) -> tuple[int, Any]:
            answer = client.post("/api/v1/ingest", json=body, headers=headers)
            return answer.status_code, answer.get_json()

        forward(outbox, post, now=sent_at)
        issued[code] = box.store.conn.execute(
            "SELECT count(*) FROM tickets WHERE day = ?", [today.date().isoformat()]).fetchone()[0]
    aggregate.count_all(db, now=clock.now)
    accounts.add_user(db, "van-phong", PASSWORD)
    accounts.add_user(db, "hoa-bac", PASSWORD, center="HB")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield HubSite(f"http://127.0.0.1:{server.server_port}", app, db, clock, issued)
    server.shutdown()
    thread.join(timeout=10)
    db.close()
    for box in boxes:
        box.store.close()


def open_page(browser: Any, width: int, height: int) -> tuple[Any, Any, list[str]]:
    """A fresh browser context at this size, its page, and the page's script errors."""
    # bypass_csp: wait_for_function evaluates its text, which the hub's policy forbids.
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height},
                                  locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def log_in(page: Any, site: HubSite, username: str) -> None:
    page.goto(site.url + "/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#o-centers tbody tr td a", timeout=WAIT_MS)


def test_the_province_sees_every_center_and_its_alerts(browser, hub_site):
    for width, height in SIZES:
        context, page, errors = open_page(browser, width, height)
        log_in(page, hub_site, "van-phong")
        rows = page.locator("#o-centers tbody tr")
        assert rows.count() == 3
        text = page.locator("#o-centers").inner_text()
        for name in ("xã Hòa Bắc", "xã Hòa Ninh", "xã Bà Nà"):
            assert name in text
        bana = page.locator("#o-centers tbody tr", has_text="Bà Nà")
        assert "Mất kết nối quá 15 phút" in bana.inner_text()
        assert "Chưa nhận dữ liệu" in bana.inner_text()
        assert page.locator("#alert").is_visible()
        hoa_ninh = page.locator("#o-centers tbody tr", has_text="Hòa Ninh")
        assert "Đồng hồ máy tại trung tâm bị lệch" in hoa_ninh.inner_text()
        assert "3 giờ" in (hoa_ninh.locator(".skew").get_attribute("title") or "")
        assert page.locator("#o-online").inner_text() == "2 / 3"
        screenshot(page, f"hub-overview-{width}x{height}")

        page.click("#tab-compare")
        page.wait_for_selector("#c-centers tbody tr.total", timeout=WAIT_MS)
        assert page.locator("#c-centers tbody tr").count() == 4
        page.wait_for_selector("#w-weeks tbody tr", timeout=WAIT_MS)
        page.click("[data-preset='30']")
        page.wait_for_function(
            "document.querySelector('#c-centers tbody tr') &&"
            " document.querySelector('#c-from').value !== document.querySelector('#c-to').value",
            timeout=WAIT_MS)
        page.wait_for_function("Object.keys(window.Chart ? Chart.instances : {}).length >= 2",
                               timeout=WAIT_MS)
        screenshot(page, f"hub-compare-{width}x{height}")

        page.click("#tab-report")
        href = page.locator("#r-download").get_attribute("href")
        assert href == "/api/v1/reports/monthly.xlsx?month=" + hub_site.clock.now().strftime("%Y-%m")
        assert errors == []
        context.close()


def test_one_center_shows_the_charts_of_the_boxs_manager_page(browser, hub_site):
    for width, height in SIZES:
        context, page, errors = open_page(browser, width, height)
        log_in(page, hub_site, "van-phong")
        page.click("#o-centers a:has-text('Hòa Bắc')")
        page.wait_for_url("**/centers/HB", timeout=WAIT_MS)
        page.wait_for_function("document.querySelector('#h-issued').textContent !== '–'",
                               timeout=WAIT_MS)
        assert page.locator("#h-issued").inner_text() == str(hub_site.issued["HB"])
        page.click("[data-preset='30']")
        page.wait_for_function("document.querySelector('#period').textContent.startsWith('Từ')",
                               timeout=WAIT_MS)
        page.wait_for_function("Object.keys(Chart.instances).length === 6", timeout=WAIT_MS)
        for table in ("t-services", "t-counters", "t-officers", "t-hours"):
            assert page.locator(f"#{table} tbody tr").count() >= 1
        assert "Theo ngày" in page.locator("#t-periods-title").inner_text()
        screenshot(page, f"hub-center-{width}x{height}")
        assert errors == []
        context.close()


def test_a_centers_login_sees_only_that_center(browser, hub_site):
    context, page, _ = open_page(browser, 1366, 768)
    log_in(page, hub_site, "hoa-bac")
    assert page.locator("#o-centers tbody tr").count() == 1
    assert "Hòa Bắc" in page.locator("#o-centers").inner_text()
    answer = page.goto(hub_site.url + "/centers/HN")
    assert answer is not None and answer.status == 403
    assert "chỉ được xem số liệu của trung tâm mình" in page.locator("#refused").inner_text()
    screenshot(page, "hub-refused-1366x768")
    page.goto(hub_site.url + "/")
    page.click("#logout")
    page.wait_for_selector("#login-form", timeout=WAIT_MS)
    context.close()
