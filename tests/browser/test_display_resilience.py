"""Screens that run for weeks: a missed event is noticed and repaired, a lost connection
is shown and recovered from without a reload, and nothing grows without bound."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from browser_support import screenshot
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "display"))
from netcut import NetCut  # noqa: E402

DISCONNECTED = "Mất kết nối — đang kết nối lại…"


def open_screen(page: Any, url: str, path: str = "/display/wall") -> Any:
    page.goto(url + path)
    expect(page.locator("#overlay")).to_be_hidden()
    return page


def shown_seq(page: Any) -> int:
    return int(page.evaluate("window.xephangDisplay.live.seq"))


def wait_seq(page: Any, seq: int) -> None:
    page.wait_for_function("s => window.xephangDisplay.live.seq === s", arg=seq)


def test_a_missed_event_is_noticed_by_its_seq_and_the_board_fetched(page: Any,
                                                                     live_server: Any) -> None:
    center = live_server.center
    open_screen(page, live_server.url)
    start = shown_seq(page)
    # Lose every event of one operation, as a dropped message would.
    page.evaluate("""(lost) => {
        const display = window.xephangDisplay;
        const receive = display.receive;
        display.receive = (name, payload) => {
            if (payload && payload.seq === lost) return;
            receive(name, payload);
        };
    }""", start + 2)
    center.issue("A", actor="t")       # start + 1: seen
    center.call_next(1, actor="t")     # start + 2: lost
    expect(page.locator('[data-service="A"] .w-count')).to_have_text("1")
    center.issue("B", actor="t")       # start + 3: a gap, so the page asks for the Board
    expect(page.locator("#hero-label")).to_have_text("A001")
    expect(page.locator('.crow[data-counter="1"] .c-serving')).to_have_text("A001")
    expect(page.locator('[data-service="A"] .w-count')).to_have_text("0")
    expect(page.locator('[data-service="B"] .w-count')).to_have_text("1")
    wait_seq(page, start + 3)
    assert page.evaluate("window.xephangDisplay.live.resyncs") == 1
    # And it goes on with the events as they come.
    center.call_next(2, actor="t")
    expect(page.locator("#hero-label")).to_have_text("B001")
    assert page.evaluate("window.xephangDisplay.live.resyncs") == 1


def test_an_event_from_beyond_the_board_is_never_shown(page: Any, live_server: Any) -> None:
    center = live_server.center
    center.issue("A", actor="t")
    open_screen(page, live_server.url)
    start = shown_seq(page)
    page.evaluate("""(seq) => window.xephangDisplay.receive('ticket_called', {
        seq, counter: 2, recall: false, speech: 'giả', waiting: {A: 9},
        ticket: {id: 'fake', label: 'Z999', state: 'called', counter: 2}})""", start + 5)
    page.wait_for_function("window.xephangDisplay.live.resyncs >= 1 && "
                           "!window.xephangDisplay.live.awaiting && !window.xephangDisplay.live.resync")
    expect(page.locator("#hero-label")).to_have_text("—")
    expect(page.locator('[data-service="A"] .w-count')).to_have_text("1")
    assert shown_seq(page) == start
    center.call_next(2, actor="t")
    expect(page.locator("#hero-label")).to_have_text("A001")


def test_overlay_while_the_network_is_cut_then_the_true_state(page: Any, live_server: Any) -> None:
    center = live_server.center
    with NetCut(urlparse(live_server.url).port) as cut:
        open_screen(page, cut.url)
        center.issue("F", actor="t")
        expect(page.locator('[data-service="F"] .w-count')).to_have_text("1")
        cut.down()
        expect(page.locator("#overlay")).to_be_visible()
        expect(page.locator("#overlay-text")).to_have_text(DISCONNECTED)
        screenshot(page, "display-wall-disconnected")
        # The queue moves on while the screen cannot hear it.
        center.issue("F", actor="t")
        center.call_next(5, actor="t")
        cut.up()
        expect(page.locator("#overlay")).to_be_hidden(timeout=20_000)
        expect(page.locator("#hero-label")).to_have_text("F001")
        expect(page.locator('.crow[data-counter="5"] .c-serving')).to_have_text("F001")
        expect(page.locator('[data-service="F"] .w-count')).to_have_text("1")
        # Still live after the reconnect: the page subscribed again.
        center.finish(5, actor="t")
        center.call_next(5, actor="t")
        expect(page.locator("#hero-label")).to_have_text("F002")


def test_counter_screen_overlay_and_recovery(page: Any, live_server: Any) -> None:
    center = live_server.center
    with NetCut(urlparse(live_server.url).port) as cut:
        page.set_viewport_size({"width": 1366, "height": 768})
        open_screen(page, cut.url, "/display/counter/2")
        cut.down()
        expect(page.locator("#overlay-text")).to_have_text(DISCONNECTED)
        center.issue("A", actor="t")
        center.call_next(2, actor="t")
        cut.up()
        expect(page.locator("#overlay")).to_be_hidden(timeout=20_000)
        expect(page.locator("#cs-label")).to_have_text("A001")


def test_a_screen_the_server_closed_connects_again(page: Any, live_server: Any) -> None:
    center = live_server.center
    open_screen(page, live_server.url)
    socketio = live_server.app.extensions["xephang"].socketio
    kicked = [sid for sid, _ in socketio.server.manager.get_participants("/", "board")]
    assert len(kicked) == 1
    for sid in kicked:
        socketio.server.disconnect(sid, namespace="/")
    expect(page.locator("#overlay")).to_be_visible()
    center.issue("D", actor="t")
    center.call_next(4, actor="t")
    expect(page.locator("#overlay")).to_be_hidden(timeout=15_000)
    expect(page.locator("#hero-label")).to_have_text("D001")
    assert [sid for sid, _ in socketio.server.manager.get_participants("/", "board")] != kicked


def test_the_day_turning_fetches_the_board_again(page: Any, live_server: Any) -> None:
    open_screen(page, live_server.url)
    today = live_server.center.clock.now().strftime("%d/%m/%Y")
    expect(page.locator("#date")).to_contain_text(today)
    # The screen's clock passes midnight: yesterday's recent calls must go.
    page.evaluate("window.xephangDisplay.serverOffsetMs += 24 * 3600 * 1000")
    page.wait_for_function("window.xephangDisplay.live.resyncs === 1")
    # The fetched Board brings the core's own time back.
    expect(page.locator("#date")).to_contain_text(today)


def serve_next(center: Any, counter: int) -> None:
    if center.counter_view(counter)["current"] is not None:
        center.finish(counter, actor="t")
    center.call_next(counter, actor="t")


def test_dom_and_memory_stay_bounded_over_two_thousand_events(page: Any,
                                                              live_server: Any) -> None:
    center = live_server.center
    open_screen(page, live_server.url)
    cdp = page.context.new_cdp_session(page)
    counters = (1, 2, 5)

    def burst(rounds: int) -> None:
        for index in range(rounds):
            center.issue("A", actor="t")
            serve_next(center, counters[index % len(counters)])

    def measure() -> tuple[int, int]:
        wait_seq(page, center.board()["seq"])
        cdp.send("HeapProfiler.collectGarbage")
        heap = int(cdp.send("Runtime.getHeapUsage")["usedSize"])
        return int(page.evaluate("document.getElementsByTagName('*').length")), heap

    burst(20)  # the recent list and every row filled
    nodes_before, heap_before = measure()
    start = center.board()["seq"]
    burst(400)  # an issue, a finish and a call each: 5 events to the board room per round
    nodes_after, heap_after = measure()
    assert center.board()["seq"] - start >= 1000
    assert nodes_after == nodes_before
    state = page.evaluate("""() => {
        const live = window.xephangDisplay.live;
        return {recent: live.board.recent_calls.length, shown: document.querySelectorAll('#recent li').length,
                pending: live.pending.length, fresh: live.fresh.size, resyncs: live.resyncs};
    }""")
    assert state == {"recent": 9, "shown": 8, "pending": 0, "fresh": 3, "resyncs": 0}
    assert heap_after - heap_before < 2_000_000, (heap_before, heap_after)
    expect(page.locator("#hero")).to_have_class(re.compile(r"\bis-fresh\b"))


@pytest.mark.slow
def test_core_killed_and_restarted_screens_come_back_by_themselves(page: Any,
                                                                   tmp_path: Path) -> None:
    from support_live import LiveServer

    with LiveServer(tmp_path / "var") as server:
        server.start()
        kiosk, keypad = server.tokens([("kiosk", None), ("keypad", 3)])
        counter_page = page.context.new_page()
        open_screen(page, server.url)
        open_screen(counter_page, server.url, "/display/counter/3")
        assert server.post("/tickets", kiosk, {"service": "B"}).status_code == 201
        server.kill()
        expect(page.locator("#overlay-text")).to_have_text(DISCONNECTED)
        expect(counter_page.locator("#overlay-text")).to_have_text(DISCONNECTED)
        server.start()
        assert server.post("/counters/3/call-next", keypad).status_code == 200
        expect(page.locator("#overlay")).to_be_hidden(timeout=20_000)
        expect(counter_page.locator("#overlay")).to_be_hidden(timeout=20_000)
        expect(page.locator("#hero-label")).to_have_text("B001")
        expect(counter_page.locator("#cs-label")).to_have_text("B001")
