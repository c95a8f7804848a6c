"""The staff console when things go wrong: two officers, a keypad, an expired session, a core restart."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import screenshot
from gpiozero import Device
from gpiozero.pins.mock import MockFactory
from playwright.sync_api import expect
from support_core import Proxy

from hardware.keypad import KeypadPins, Timings
from queue_core.cli.devices import KeypadSatellite
from queue_core.client.rest import CoreClient
from queue_core.service import auth

PASSWORD = "mat-khau-an-toan"
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def officers(live_server: Any) -> None:
    for name in ("lan", "minh"):
        auth.add_user(live_server.store, name, PASSWORD, role="staff", counter=2,
                      now=live_server.center.clock.now())


def open_desk(browser: Any, url: str, username: str = "lan") -> Any:
    """Log `username` in at `url` in a browser context of its own; return the page."""
    context = browser.new_context(bypass_csp=True, viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.loads = []
    page.on("load", lambda: page.loads.append(page.url))
    page.api_requests = []
    page.on("request", lambda r: page.api_requests.append(r) if "/api/v1/" in r.url else None)
    page.goto(url + "/counter")
    login_form(page, username)
    expect(page.locator("#link-state")).to_have_text("Đã kết nối")
    return page


def login_form(page: Any, username: str) -> None:
    form = page.locator("#login-form")
    expect(form).to_be_visible()
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator("#login")).to_be_hidden()


@pytest.fixture
def desks(browser: Any) -> Iterator[Any]:
    made: list[Any] = []

    def make(url: str, username: str = "lan") -> Any:
        page = open_desk(browser, url, username)
        made.append(page)
        return page

    yield make
    for page in made:
        page.context.close()


def serving(page: Any) -> Any:
    return page.locator("#serving-label")


def expire_session(page: Any) -> None:
    """End the desk's session as an expiry does: the browser holds no session cookie any more.

    Every answer of the core renews the session cookie, so a request the console sent with it
    just before (the queue it reloads after an event) would bring it back as its answer lands:
    clear, wait for the answers of every request sent so far, and clear again. A request sent
    after the first clear carries no cookie and brings none back.
    """
    page.context.clear_cookies()
    for request in list(page.api_requests):
        request.response()
    page.context.clear_cookies()


def test_two_officers_on_one_counter_see_the_same_desk(desks: Any, live_server: Any,
                                                       officers: None) -> None:
    for _ in range(3):
        live_server.center.issue("A", actor="test")
    lan = desks(live_server.url, "lan")
    minh = desks(live_server.url, "minh")
    # Minh's desk must be live before Lan calls: otherwise it learns of the call from its
    # first Board, not as news from another device.
    expect(minh.locator("#link-state")).to_have_class(re.compile(r"\blink-on\b"))
    expect(minh.locator("#waiting-list tr")).to_have_count(3)
    lan.keyboard.press("n")
    expect(serving(lan)).to_have_text("A001")
    expect(serving(minh)).to_have_text("A001")
    expect(minh.locator("#notice")).to_contain_text("từ thiết bị khác")
    expect(minh.locator("#waiting-list tr")).to_have_count(2)
    minh.keyboard.press("x")
    expect(serving(lan)).to_have_text("—")
    expect(lan.locator("#today-served")).to_have_text("1")
    assert lan.loads == [live_server.url + "/counter"] and len(minh.loads) == 1


def test_a_console_behind_the_news_is_asked_to_finish_first(desks: Any, live_server: Any,
                                                            officers: None) -> None:
    for _ in range(2):
        live_server.center.issue("B", actor="test")
    stale = desks(live_server.url, "minh")
    expect(stale.locator("#waiting-list tr")).to_have_count(2)
    # From now on this console hears nothing from the core: its desk looks idle.
    frozen = threading.Event()

    def route(ws: Any) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda message: server.send(message))
        server.on_message(lambda message: None if frozen.is_set() else ws.send(message))

    stale.route_web_socket(re.compile(r".*/socket\.io/.*"), route)
    stale.reload()
    expect(stale.locator("#link-state")).to_have_text("Đã kết nối")
    expect(stale.locator("#counter-state")).to_have_text("Đang mở")
    frozen.set()
    live_server.center.call_next(2, actor="device:keypad-2")
    expect(serving(stale)).to_have_text("—")
    stale.keyboard.press("n")
    dialog = stale.locator("#busy-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Số B001 vẫn đang được phục vụ")
    expect(dialog).to_contain_text("Quầy 2 đang phục vụ số B001; hãy kết thúc hoặc báo vắng trước.")
    expect(serving(stale)).to_have_text("B001")  # re-read from the core on the refusal
    screenshot(stale, "staff-console-refused-busy")
    dialog.get_by_role("button", name=re.compile("Xong rồi gọi")).click()
    expect(serving(stale)).to_have_text("B002")
    assert [t["label"] for t in live_server.center.tickets(state="done")] == ["B001"]


def test_keypad_and_console_pressing_at_once(desks: Any, live_server: Any, officers: None) -> None:
    for _ in range(2):
        live_server.center.issue("A", actor="test")
    factory = MockFactory()
    Device.pin_factory = factory
    pins = KeypadPins()
    keypad = KeypadSatellite(2, CoreClient(live_server.url, live_server.token("keypad", 2)),
                             pins=pins, pin_factory=factory, watch=False,
                             timings=Timings(refuse_on=0.002, refuse_off=0.002))
    keypad.start()
    try:
        desk = desks(live_server.url)
        expect(desk.locator("#waiting-list tr")).to_have_count(2)
        factory.pin(pins.next).drive_low()
        desk.keyboard.press("n")
        [outcome] = keypad.wait_outcomes(1)
        called = live_server.center.tickets(state="called")
        assert len(called) == 1 and called[0]["label"] == "A001"
        expect(serving(desk)).to_have_text("A001")
        if outcome.status == 200:
            # The keypad won; the console either saw it in time (dialog) or was refused (409).
            expect(desk.locator("#busy-dialog")).to_be_visible()
        else:
            assert (outcome.status, outcome.code) == (409, "counter_busy")
            expect(desk.locator("#notice")).to_contain_text("Đã gọi số A001")
    finally:
        keypad.stop()
        factory.reset()
        Device.pin_factory = None


def test_session_expiry_brings_back_the_login_and_keeps_the_counter(
        desks: Any, live_server: Any, officers: None) -> None:
    for _ in range(2):
        live_server.center.issue("A", actor="test")
    desk = desks(live_server.url)
    desk.keyboard.press("n")
    expect(serving(desk)).to_have_text("A001")
    expire_session(desk)
    desk.keyboard.press("x")
    expect(desk.locator("#login")).to_be_visible()
    expect(desk.locator("#login-message")).to_contain_text("Phiên đăng nhập đã hết")
    expect(desk.locator("#login-form input[name=username]")).to_have_value("lan")
    expect(serving(desk)).to_have_text("A001")  # the desk stays behind the form
    screenshot(desk, "staff-console-session-expired")
    assert live_server.center.counter_view(2)["current"]["label"] == "A001"
    login_form(desk, "lan")
    expect(serving(desk)).to_have_text("A001")
    desk.keyboard.press("x")
    expect(desk.locator("#notice")).to_contain_text("Đã kết thúc số A001")
    assert len(desk.loads) == 1


def test_console_recovers_by_itself_when_the_core_restarts(desks: Any, live_server: Any,
                                                           officers: None) -> None:
    proxy = Proxy(int(live_server.url.rsplit(":", 1)[1]))
    try:
        live_server.center.issue("A", actor="test")
        desk = desks(proxy.url)
        expect(desk.locator("#waiting-list tr")).to_have_count(1)
        proxy.cut()
        expect(desk.locator("#link-state")).to_have_text("Mất kết nối — đang thử lại…")
        screenshot(desk, "staff-console-offline")
        live_server.center.call_next(2, actor="device:keypad-2")  # while the console is cut off
        live_server.center.issue("B", actor="test")
        proxy.restore()
        expect(desk.locator("#link-state")).to_have_text("Đã kết nối", timeout=15000)
        expect(serving(desk)).to_have_text("A001")
        expect(desk.locator("#waiting-list tr")).to_have_count(1)
        desk.keyboard.press("x")
        expect(desk.locator("#notice")).to_contain_text("Đã kết thúc số A001")
        assert len(desk.loads) == 1
    finally:
        proxy.close()


def test_an_action_while_the_core_is_away_says_so(desks: Any, live_server: Any,
                                                  officers: None) -> None:
    proxy = Proxy(int(live_server.url.rsplit(":", 1)[1]))
    try:
        live_server.center.issue("A", actor="test")
        desk = desks(proxy.url)
        expect(desk.locator("#waiting-list tr")).to_have_count(1)
        proxy.cut()
        desk.keyboard.press("n")
        expect(desk.locator("#notice")).to_contain_text("Không kết nối được tới máy chủ")
        assert live_server.center.tickets(state="called") == []
        proxy.restore()
        expect(desk.locator("#link-state")).to_have_text("Đã kết nối", timeout=15000)
        desk.keyboard.press("n")
        expect(serving(desk)).to_have_text("A001")
    finally:
        proxy.close()
