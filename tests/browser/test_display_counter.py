"""The screen above a counter: its number and the label it serves, very large."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import screenshot
from playwright.sync_api import expect


def open_counter(page: Any, url: str, number: int, query: str = "") -> Any:
    page.goto(f"{url}/display/counter/{number}{query}")
    expect(page.locator("#overlay")).to_be_hidden()
    return page


def test_counter_screen_shows_its_own_calls_only(page: Any, live_server: Any) -> None:
    center = live_server.center
    open_counter(page, live_server.url, 3)
    expect(page.locator("#cs-name")).to_have_text("Quầy 3")
    expect(page.locator("#cs-label")).to_have_text("—")
    expect(page.locator("#cs-state")).to_have_text("Chưa gọi số")
    expect(page.locator("#cs-fields li")).to_have_text(["BHộ tịch",
                                                        "EChính sách xã hội – Người có công"])
    for _ in range(3):
        center.issue("B", actor="t")
    center.call_next(2, actor="t")
    expect(page.locator("#cs-waiting")).to_have_text("2")
    expect(page.locator("#cs-label")).to_have_text("—")
    center.call_next(3, actor="t")
    expect(page.locator("#cs-label")).to_have_text("B002")
    expect(page.locator("#cs-main")).to_have_class(re.compile(r"\bis-fresh\b"))
    expect(page.locator("#cs-caption")).to_have_text("Đang phục vụ số")
    expect(page.locator("#cs-waiting")).to_have_text("1")
    # Counter 2 calls again: this screen keeps its own label.
    center.finish(2, actor="t")
    center.call_next(2, actor="t")
    expect(page.locator("#cs-waiting")).to_have_text("0")
    expect(page.locator("#cs-label")).to_have_text("B002")


def test_paused_and_closed_counter(page: Any, live_server: Any) -> None:
    center = live_server.center
    open_counter(page, live_server.url, 4)
    center.set_counter_state(4, "paused", actor="t")
    expect(page.locator("#cs-label")).to_have_text("Tạm dừng")
    expect(page.locator("body")).to_have_class(re.compile(r"\bis-paused\b"))
    center.set_counter_state(4, "closed", actor="t")
    expect(page.locator("#cs-label")).to_have_text("Đóng")
    expect(page.locator("body")).to_have_class(re.compile(r"\bis-closed\b"))
    screenshot(page, "display-counter-closed")
    center.set_counter_state(4, "open", actor="t")
    expect(page.locator("#cs-label")).to_have_text("—")


def test_unknown_counter_is_not_found(page: Any, live_server: Any) -> None:
    answer = page.goto(f"{live_server.url}/display/counter/42")
    assert answer is not None and answer.status == 404


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080), (1024, 600)])
def test_counter_screen_fits_small_and_large_screens(page: Any, live_server: Any, width: int,
                                                     height: int) -> None:
    center = live_server.center
    page.set_viewport_size({"width": width, "height": height})
    for code in "BBEE":
        center.issue(code, actor="t")
    open_counter(page, live_server.url, 3)
    center.call_next(3, actor="t")
    expect(page.locator("#cs-label")).to_have_text("B001")
    page.evaluate("document.fonts.ready")
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [width, height]
    for selector in ("#cs-name", "#cs-label", "#cs-fields", "#cs-waiting"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, selector
    panel = page.locator("#cs-main").bounding_box()
    for selector in ("#cs-caption", "#cs-label", "#cs-state"):
        box = page.locator(selector).bounding_box()
        assert box is not None and panel is not None
        assert box["y"] >= panel["y"] + 4 and box["y"] + box["height"] <= panel["y"] + panel["height"] - 4, selector
    label_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#cs-label')).fontSize)")
    assert label_px >= height / 4
    screenshot(page, f"display-counter-{width}x{height}")
