"""The wall screen in Debian's Chromium: a call shows at once, big and highlighted, with
every counter, the fields' queues, the recent calls and the sentence people hear."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import screenshot
from playwright.sync_api import expect

NOTICE = "Thứ Bảy làm việc buổi sáng từ 7 giờ 30 đến 11 giờ 30. Xin cảm ơn quý công dân!"


def open_wall(page: Any, url: str, query: str = "") -> Any:
    page.goto(url + "/display/wall" + query)
    expect(page.locator("#overlay")).to_be_hidden()
    return page


def serve_next(center: Any, counter: int) -> dict[str, Any] | None:
    """Finish whoever the counter serves, then call the next ticket."""
    if center.counter_view(counter)["current"] is not None:
        center.finish(counter, actor="t")
    return center.call_next(counter, actor="t")


def busy_morning(center: Any) -> None:
    """Tickets in every field, four counters calling, one paused and one closed later."""
    for code, count in (("A", 9), ("B", 4), ("C", 2), ("D", 1), ("E", 3), ("F", 2)):
        for _ in range(count):
            center.issue(code, actor="t")
    for counter in (1, 2, 1, 3, 4, 2, 1, 5, 3):
        serve_next(center, counter)
    center.finish(5, actor="t")
    center.set_counter_state(5, "paused", actor="t")
    center.call_next(2, actor="t") if center.counter_view(2)["current"] is None else None


def test_a_call_shows_big_highlighted_with_counter_row_and_sentence(page: Any,
                                                                     live_server: Any) -> None:
    center = live_server.center
    open_wall(page, live_server.url)
    expect(page.locator("#hero-label")).to_have_text("—")
    center.issue("A", actor="t")
    center.issue("B", actor="t")
    center.issue("B", actor="t")
    center.call_next(3, actor="t")

    expect(page.locator("#hero-label")).to_have_text("B001")
    expect(page.locator("#hero-counter")).to_have_text("đến Quầy 3")
    expect(page.locator("#hero")).to_have_class(re.compile(r"\bis-fresh\b"))
    # Written for people who cannot hear: the label and counter as on the ticket, while the
    # loudspeaker says "bê không không một … quầy số ba".
    expect(page.locator("#hero-speech")).to_have_text(
        "Xin mời công dân có số thứ tự B001 đến quầy số 3.")
    row = page.locator('.crow[data-counter="3"]')
    expect(row.locator(".c-serving")).to_have_text("B001")
    expect(row).to_have_class(re.compile(r"\bis-fresh\b"))
    expect(row.locator(".c-names")).to_have_text("Hộ tịch · Chính sách xã hội – Người có công")
    expect(page.locator('.crow[data-counter="1"] .c-serving')).to_have_text("—")
    expect(page.locator('[data-service="A"] .w-count')).to_have_text("1")
    expect(page.locator('[data-service="B"] .w-count')).to_have_text("1")
    expect(page.locator('[data-service="B"] .w-name')).to_have_text("Hộ tịch")


def test_highlight_ends_after_its_seconds_and_recent_calls_list_the_earlier_ones(
        page: Any, live_server: Any) -> None:
    center = live_server.center
    open_wall(page, live_server.url, "?highlight=1&recent=3")
    for _ in range(6):
        center.issue("A", actor="t")
    for counter in (1, 2, 5, 1, 2):
        serve_next(center, counter)
    expect(page.locator("#hero-label")).to_have_text("A005")
    expect(page.locator("#recent .r-label")).to_have_text(["A004", "A003", "A002"])
    expect(page.locator("#recent .r-counter")).to_have_text(["Quầy 1", "Quầy 5", "Quầy 2"])
    expect(page.locator("#hero")).not_to_have_class(re.compile(r"\bis-fresh\b"), timeout=5000)
    expect(page.locator('.crow[data-counter="2"]')).not_to_have_class(re.compile(r"\bis-fresh\b"))
    expect(page.locator('.crow[data-counter="2"] .c-serving')).to_have_text("A005")


def test_recall_is_marked_and_counter_states_are_shown(page: Any, live_server: Any) -> None:
    center = live_server.center
    open_wall(page, live_server.url)
    center.issue("C", actor="t")
    center.call_next(4, actor="t")
    center.recall(4, actor="t")
    expect(page.locator("#hero-caption")).to_have_text("Nhắc lại — xin mời số")
    expect(page.locator("#hero-speech")).to_have_text(center.caption("C001", 4, recall=True))
    center.set_counter_state(1, "paused", actor="t")
    center.set_counter_state(5, "closed", actor="t")
    expect(page.locator('.crow[data-counter="1"] .c-serving')).to_have_text("Tạm dừng")
    expect(page.locator('.crow[data-counter="5"] .c-serving')).to_have_text("Đóng")
    expect(page.locator('.crow[data-counter="5"]')).to_have_class(re.compile(r"\bis-closed\b"))
    center.finish(4, actor="t")
    expect(page.locator('.crow[data-counter="4"] .c-serving')).to_have_text("—")


def test_a_page_opened_late_shows_the_true_state_and_its_sentence(
        page: Any, live_server: Any) -> None:
    center = live_server.center
    busy_morning(center)
    board = center.board()
    open_wall(page, live_server.url, "?notice=" + NOTICE)
    last = board["recent_calls"][0]
    expect(page.locator("#hero-label")).to_have_text(last["label"])
    expect(page.locator("#hero-speech")).to_have_text(center.caption(last["label"], last["counter"]))
    # Nothing new happened since the page opened: no highlight.
    expect(page.locator("#hero")).not_to_have_class(re.compile(r"\bis-fresh\b"))
    for counter in board["counters"]:
        current = counter["current"]
        shown = {"paused": "Tạm dừng", "closed": "Đóng"}.get(counter["state"]) or (
            current["label"] if current else "—")
        expect(page.locator(f'.crow[data-counter="{counter["number"]}"] .c-serving')) \
            .to_have_text(shown)
    for service in board["services"]:
        expect(page.locator(f'[data-service="{service["code"]}"] .w-count')) \
            .to_have_text(str(service["waiting"]))
    expect(page.locator("#notice-text")).to_have_text(NOTICE)
    expect(page.locator("#center-name")).to_have_text("Trung tâm Phục vụ Hành chính công xã")
    screenshot(page, "display-wall-settled")


def test_vietnamese_text_uses_the_bundled_font(page: Any, live_server: Any) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    open_wall(page, live_server.url)
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('700 40px \"DejaVu Sans\"', 'Xin mời số Quầy')")
    family = page.evaluate("getComputedStyle(document.querySelector('#hero-label')).fontFamily")
    assert family.startswith('"DejaVu Sans"')
    assert failed == []


@pytest.mark.parametrize("width,height", [(1920, 1080), (1366, 768), (3840, 2160)])
def test_wall_fits_the_screen_at_every_tv_size(page: Any, live_server: Any, width: int,
                                               height: int) -> None:
    center = live_server.center
    busy_morning(center)
    page.set_viewport_size({"width": width, "height": height})
    open_wall(page, live_server.url, "?notice=" + NOTICE)
    for _ in range(2):
        center.issue("B", actor="t")
    center.finish(3, actor="t")
    center.call_next(3, actor="t")
    expect(page.locator("#hero")).to_have_class(re.compile(r"\bis-fresh\b"))
    page.evaluate("document.fonts.ready")
    # Everything inside the screen: nothing scrolls, nothing is pushed off the bottom.
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [width, height]
    for selector in ("#hero-label", "#hero-counter", "#hero-speech", ".waiting", "#recent", "#notice", "#counter-rows"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, selector
    # The called number is the largest thing on the screen: about a seventh of its height.
    label_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#hero-label')).fontSize)")
    assert label_px >= height / 7
    screenshot(page, f"display-wall-{width}x{height}")


def test_the_large_panel_drops_a_call_that_is_no_longer_true_also_after_a_reload(
        page: Any, live_server: Any) -> None:
    """Call A006 at counter 1, transfer it to D, pause counter 1: never "A006 đến Quầy 1"."""
    center = live_server.center
    open_wall(page, live_server.url)
    for code in "AAAAAAB":
        center.issue(code, actor="t")
    for counter in (1, 2, 5, 1, 5):
        serve_next(center, counter)
    center.finish(1, actor="t")
    center.finish(5, actor="t")
    center.call_next(3, actor="t")                     # B001 at counter 3, served from now on
    called = center.call_next(1, actor="t")["label"]  # the latest call
    expect(page.locator("#hero-label")).to_have_text(called)
    expect(page.locator("#hero-counter")).to_have_text("đến Quầy 1")
    center.transfer(1, "D", actor="t")
    center.set_counter_state(1, "paused", actor="t")
    expect(page.locator('.crow[data-counter="1"] .c-serving')).to_have_text("Tạm dừng")
    for attempt in ("live", "reloaded"):
        if attempt == "reloaded":
            page.reload()
            expect(page.locator("#overlay")).to_be_hidden()
        # The newest call still true, clearly not a new call.
        expect(page.locator("#hero-label")).to_have_text("B001")
        expect(page.locator("#hero-caption")).to_have_text("Đang phục vụ số")
        expect(page.locator("#hero-counter")).to_have_text("tại Quầy 3")
        expect(page.locator("#hero")).to_have_class(re.compile(r"\bis-earlier\b"))
        expect(page.locator("#hero")).not_to_have_class(re.compile(r"\bis-fresh\b"))
        expect(page.locator("#hero-speech")).to_have_text("")
        assert called not in page.locator("#hero").inner_text()
    # The call is still in the list of calls made, where it belongs.
    expect(page.locator("#recent .r-label").first).to_have_text(called)
    screenshot(page, "display-wall-earlier-call-1920x1080")
    center.finish(3, actor="t")
    expect(page.locator("#hero-label")).to_have_text("A002")   # still served at counter 2
    center.finish(2, actor="t")
    expect(page.locator("#hero-label")).to_have_text("—")
    expect(page.locator("#hero-caption")).to_have_text("Xin mời số")


def test_a_recall_is_one_entry_marked_goi_lai(page: Any, live_server: Any) -> None:
    center = live_server.center
    open_wall(page, live_server.url, "?recent=6")
    for _ in range(5):
        center.issue("A", actor="t")
    for counter in (1, 2, 5):
        center.call_next(counter, actor="t")
    center.recall(1, actor="t")        # A001 again
    center.recall(1, actor="t")        # and once more
    center.finish(2, actor="t")
    center.call_next(2, actor="t")     # A004: the large panel
    expect(page.locator("#hero-label")).to_have_text("A004")
    for attempt in ("live", "reloaded"):
        if attempt == "reloaded":
            page.reload()
            expect(page.locator("#overlay")).to_be_hidden()
        expect(page.locator("#recent .r-label")).to_have_text(["A001", "A003", "A002"])
        expect(page.locator("#recent .recent-item").first).to_have_class(re.compile(r"\bis-recall\b"))
        expect(page.locator("#recent .r-again")).to_have_text(["gọi lại", "", ""])
    page.set_viewport_size({"width": 1366, "height": 768})
    item = page.locator("#recent .recent-item").first
    boxes = [item.locator(part).bounding_box() for part in (".r-label", ".r-counter", ".r-again")]
    row = item.bounding_box()
    assert row is not None and all(box is not None for box in boxes)
    for box in boxes:  # each part inside its row, none over another
        assert row["x"] <= box["x"] and box["x"] + box["width"] <= row["x"] + row["width"] + 1
        assert row["y"] <= box["y"] and box["y"] + box["height"] <= row["y"] + row["height"] + 1
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = (a["x"] + a["width"] <= b["x"] + 1 or b["x"] + b["width"] <= a["x"] + 1
                     or a["y"] + a["height"] <= b["y"] + 1 or b["y"] + b["height"] <= a["y"] + 1)
            assert apart, (a, b)
    screenshot(page, "display-wall-recall-1366x768")


def test_the_caption_is_written_while_the_loudspeaker_says_the_spoken_form(
        page: Any, live_server: Any) -> None:
    center = live_server.center
    heard: list[dict[str, Any]] = []
    publish = center.publish
    center.publish = lambda events: (heard.extend(e.message() for e in events
                                                  if e.name == "ticket_called"), publish(events))
    open_wall(page, live_server.url)
    center.issue("A", actor="t")
    center.call_next(1, actor="t")
    expect(page.locator("#hero-speech")).to_have_text(
        "Xin mời công dân có số thứ tự A001 đến quầy số 1.")
    assert heard[-1]["speech"] == "Xin mời công dân có số thứ tự a không không một đến quầy số một."
    assert heard[-1]["caption"] == "Xin mời công dân có số thứ tự A001 đến quầy số 1."
    spoken = page.evaluate("fetch('/api/v1/speech?label=A001&counter=1').then((r) => r.json())")
    assert spoken == {"text": heard[-1]["speech"], "caption": heard[-1]["caption"]}


FIT_CHECK = """() => Array.from(document.querySelectorAll('.c-names, .w-name')).map((node) => ({
    text: node.textContent, scrollWidth: node.scrollWidth, clientWidth: node.clientWidth,
    scrollHeight: node.scrollHeight, clientHeight: node.clientHeight,
    fontPx: parseFloat(getComputedStyle(node).fontSize)}))"""


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_long_field_names_wrap_or_shrink_and_are_never_cut(page: Any, live_server: Any,
                                                           width: int, height: int) -> None:
    center = live_server.center
    busy_morning(center)
    page.set_viewport_size({"width": width, "height": height})
    open_wall(page, live_server.url, "?notice=" + NOTICE)
    page.evaluate("document.fonts.ready")
    names = {s["code"]: s["name"] for s in center.board()["services"]}
    expect(page.locator('.crow[data-counter="3"] .c-names')).to_have_text(
        f"{names['B']} · {names['E']}")
    expect(page.locator('[data-service="D"] .w-name')).to_have_text("Hộ kinh doanh – Đầu tư")
    boxes = page.evaluate(FIT_CHECK)
    assert len(boxes) == 5 + 6
    assert "Chính sách xã hội – Người có công" in [b["text"] for b in boxes]
    for box in boxes:
        assert box["scrollWidth"] <= box["clientWidth"], box
        assert box["scrollHeight"] <= box["clientHeight"], box
        assert box["fontPx"] >= 0.4 * height / 56.25, box  # shrunk, still readable
    screenshot(page, f"display-wall-long-names-{width}x{height}")
