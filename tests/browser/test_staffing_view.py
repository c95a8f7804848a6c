""""Kế hoạch quầy" on the manager's dashboard in a real browser: sentences, chart, the live
hint, fitting 1366×768 and 1920×1080 and printing on A4 (screenshots kept)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import screenshot
from test_manager import (PASSWORD, TODAY_9AM, WAIT_MS, Dashboard, assert_fits, canvas_painted,
                          dashboard_page, log_in, print_on_a4, serve)

from queue_core.config import load_settings
from queue_core.domain.clock import FakeClock
from queue_core.service import auth
from queue_core.stats.simulate import simulate_day
from queue_core.web.app import create_app

pytestmark = pytest.mark.browser

SENTENCE = re.compile(r"^Thứ Hai \d+–\d+ giờ: (nên|chỉ cần) mở \d+ quầy cho [^;]+; "
                      r"hiện mở (đủ )?\d+ — ")


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """Eight busy Mondays of history, and this Monday morning five citizens waiting for
    Đất đai – Xây dựng, which one counter serves."""
    clock = FakeClock(TODAY_9AM)
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path_factory.mktemp("plan"))})
    app = create_app(settings, clock=clock)
    xephang = app.extensions["xephang"]
    auth.add_user(xephang.store, "giamdoc", PASSWORD, role="manager", counter=None, now=clock.now())
    rng = random.Random(3)
    for weeks in range(1, 9):
        day = simulate_day(settings, (TODAY_9AM - timedelta(weeks=weeks)).date(), per_day=220,
                           rng=rng)
        with xephang.store.write():
            xephang.store.insert_history(day.tickets, day.transitions, day.ratings)
    for _ in range(5):
        xephang.center.issue("C", actor="kiosk:test")
    yield from serve(app, clock)


def test_the_live_view_says_to_open_one_more_counter(page: Any, planned: Dashboard) -> None:
    from playwright.sync_api import expect

    log_in(page, planned.url)
    hint = page.locator("#staffing-hint")
    expect(hint).to_be_visible(timeout=WAIT_MS)
    expect(hint).to_contain_text("Nên mở thêm một quầy cho lĩnh vực Đất đai – Xây dựng")
    expect(hint).to_contain_text("5 người đang chờ")


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_the_plan_in_sentences_and_a_chart_fits_the_screen(browser: Any, planned: Dashboard,
                                                           width: int, height: int) -> None:
    from playwright.sync_api import expect

    with dashboard_page(browser, planned.url, width, height) as page:
        page.click("#tab-plan")
        expect(page.locator("#plan-title")).to_contain_text("Kế hoạch quầy Thứ Hai 23/11/2026",
                                                            timeout=WAIT_MS)
        sentences = page.locator("#plan-sentences li")
        expect(sentences.first).to_be_visible(timeout=WAIT_MS)
        texts = sentences.all_inner_texts()
        assert all(SENTENCE.match(t) for t in texts), texts
        # Hours with the same advice are merged: fewer sentences than hours × groups.
        hours = page.locator("#t-plan tbody tr").count()
        assert 0 < len(texts) < hours
        short = page.locator("#plan-sentences li.verdict-short")
        assert short.count() >= 1
        assert "Chứng thực, Hộ tịch" in short.first.inner_text()
        assert re.search(r"hiện mở 4 — (thời gian chờ dự kiến \d+ phút|số quầy đang bố trí không kịp)",
                         short.first.inner_text())
        page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-plan'))",
                               timeout=WAIT_MS)
        assert canvas_painted(page, "chart-plan")
        expect(page.locator("#plan-note")).to_contain_text("Erlang C")
        assert_fits(page, "plan")
        screenshot(page, f"manager-plan-{width}x{height}")


def test_a_bad_target_is_refused_in_words(page: Any, planned: Dashboard) -> None:
    from playwright.sync_api import expect

    log_in(page, planned.url)
    page.click("#tab-plan")
    expect(page.locator("#plan-sentences li").first).to_be_visible(timeout=WAIT_MS)
    page.evaluate("() => { document.getElementById('p-target').removeAttribute('max'); }")
    page.fill("#p-target", "999")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#plan-message")).to_contain_text("target_wait_minutes", timeout=WAIT_MS)


def test_the_plan_prints_on_a4(browser: Any, planned: Dashboard) -> None:
    from playwright.sync_api import expect

    with dashboard_page(browser, planned.url, 1366, 768) as page:
        page.click("#tab-plan")
        expect(page.locator("#plan-sentences li").first).to_be_visible(timeout=WAIT_MS)
        page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-plan'))",
                               timeout=WAIT_MS)
        print_on_a4(page, hidden=[".mgr-bar", "#plan-form", "#live"], shown=["#plan", ".print-head"])
        # Chart.js follows the new width on its ResizeObserver's next turn: wait for it.
        page.wait_for_function("""() => document.getElementById('chart-plan').getBoundingClientRect()
            .right <= window.innerWidth""", timeout=WAIT_MS)
        assert_fits(page, "plan print")
        screenshot(page, "manager-plan-print-a4")
