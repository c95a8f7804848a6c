"""The staff console in a real browser: every action, its shortcut, its confirmation, live updates."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import screenshot
from playwright.sync_api import expect

from queue_core.service import auth

PASSWORD = "mat-khau-an-toan"
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def officer(live_server: Any) -> str:
    auth.add_user(live_server.store, "lan", PASSWORD, role="staff", counter=2,
                  now=live_server.center.clock.now())
    return "lan"


@pytest.fixture
def desk(page: Any, live_server: Any, officer: str) -> Any:
    """The console of counter 2 at 1366×768, logged in, live; counts page loads."""
    page.set_viewport_size(DESKTOP)
    page.loads = []
    page.on("load", lambda: page.loads.append(page.url))
    page.clock.install()  # time flows; a test may jump over a no-show's undo seconds
    login(page, live_server.url)
    return page


def login(page: Any, url: str, username: str = "lan", counter: int | None = None) -> None:
    page.goto(url + "/counter")
    form = page.locator("#login-form")
    expect(form).to_be_visible()
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    if counter is not None:
        form.locator("select[name=counter]").select_option(str(counter))
    form.locator("button[type=submit]").click()
    expect(page.locator("#login")).to_be_hidden()
    expect(page.locator("#link-state")).to_have_text("Đã kết nối")


def action(page: Any, name: str) -> Any:
    return page.locator(f'#actions [data-action="{name}"]')


def issue(live_server: Any, *plan: str, priority: str | None = None) -> list[dict[str, Any]]:
    return [live_server.center.issue(service, priority=priority, actor="test") for service in plan]


def serving(page: Any) -> Any:
    return page.locator("#serving-label")


def notice(page: Any) -> Any:
    return page.locator("#notice")


def test_call_recall_finish_with_the_buttons(desk: Any, live_server: Any) -> None:
    issue(live_server, "A", "B")
    expect(desk.locator("#waiting-list tr")).to_have_count(2)
    expect(desk.locator("#waiting-total")).to_have_text("2")

    action(desk, "next").click()
    expect(serving(desk)).to_have_text("A001")
    expect(notice(desk)).to_contain_text("Đã gọi số A001 đến quầy 2.")
    expect(desk.locator("#waiting-list tr")).to_have_count(1)
    expect(desk.locator("#serving-timer")).not_to_have_text("00:00", timeout=4000)
    assert live_server.center.counter_view(2)["current"]["label"] == "A001"

    action(desk, "recall").click()
    expect(notice(desk)).to_contain_text("Đã gọi lại số A001")
    expect(desk.locator("#serving-recalls")).to_have_text("đã gọi lại 1 lần")

    action(desk, "finish").click()
    expect(notice(desk)).to_contain_text("Đã kết thúc số A001")
    expect(serving(desk)).to_have_text("—")
    expect(desk.locator("#today-served")).to_have_text("1")
    expect(desk.locator("#history li")).to_have_count(3)
    done = live_server.center.tickets(state="done")
    assert [(t["label"], t["recalls"]) for t in done] == [("A001", 1)]
    screenshot(desk, "staff-console-after-finish")
    assert len(desk.loads) == 1


def test_keyboard_shortcuts_and_restoring_a_no_show(desk: Any, live_server: Any) -> None:
    issue(live_server, "A", "A")
    expect(desk.locator("#waiting-list tr")).to_have_count(2)
    for key, name in [("N", "next"), ("L", "recall"), ("V", "no_show"), ("X", "finish"),
                      ("C", "transfer"), ("T", "pause")]:
        expect(action(desk, name).locator("kbd")).to_have_text(key)

    desk.keyboard.press("n")
    expect(serving(desk)).to_have_text("A001")
    desk.keyboard.press("l")
    expect(desk.locator("#serving-recalls")).to_have_text("đã gọi lại 1 lần")
    desk.keyboard.press("v")
    expect(desk.locator("#undo")).to_be_visible()
    desk.clock.fast_forward(6000)
    expect(notice(desk)).to_contain_text("Đã ghi số A001 vắng mặt")
    expect(serving(desk)).to_have_text("—")
    no_show = desk.locator("#noshow-list tr", has_text="A001")
    expect(no_show).to_be_visible()
    expect(desk.locator("#today-noshow")).to_have_text("1")

    # The citizen turns up: call the no-show back from the list.
    no_show.get_by_role("button", name="Gọi lại số A001").click()
    expect(serving(desk)).to_have_text("A001")
    expect(desk.locator("#noshow-list tr")).to_have_count(0)
    desk.keyboard.press("x")
    expect(serving(desk)).to_have_text("—")
    expect(desk.locator("#today-served")).to_have_text("1")
    trail = [t["action"] for t in live_server.center.transitions(
        live_server.center.tickets(state="done")[0]["id"])]
    assert trail == ["issue", "call", "recall", "no_show", "restore_call", "finish"]

    desk.keyboard.press("t")
    expect(desk.locator("#counter-state")).to_have_text("Tạm dừng")
    expect(action(desk, "next")).to_be_disabled()
    desk.keyboard.press("n")
    expect(notice(desk)).to_contain_text("mở quầy trước")
    desk.keyboard.press("t")
    expect(desk.locator("#counter-state")).to_have_text("Đang mở")
    assert live_server.center.counter_view(2)["state"] == "open"
    assert len(desk.loads) == 1


def test_a_no_show_can_go_back_to_the_queue(desk: Any, live_server: Any) -> None:
    issue(live_server, "B")
    expect(desk.locator("#waiting-list tr")).to_have_count(1)
    desk.keyboard.press("n")
    expect(serving(desk)).to_have_text("B001")
    desk.keyboard.press("v")
    desk.clock.fast_forward(6000)
    row = desk.locator("#noshow-list tr", has_text="B001")
    row.get_by_role("button", name="Về hàng chờ").click()
    expect(notice(desk)).to_contain_text("Số B001 đã trở lại hàng chờ")
    expect(desk.locator("#waiting-list tr", has_text="B001")).to_be_visible()
    assert live_server.center.tickets(state="waiting")[0]["label"] == "B001"


def test_transfer_keeps_the_place_by_default(desk: Any, live_server: Any) -> None:
    first, = issue(live_server, "A")
    issue(live_server, "F")
    desk.keyboard.press("n")
    expect(serving(desk)).to_have_text("A001")
    desk.keyboard.press("c")
    dialog = desk.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-service]")).to_have_count(5)  # every field but A
    expect(dialog.locator("#transfer-keep")).to_be_checked()
    screenshot(desk, "staff-console-transfer")
    desk.keyboard.press("f")
    expect(dialog).to_be_hidden()
    expect(notice(desk)).to_contain_text("Đã chuyển số A001 sang Trả kết quả (giữ thứ tự).")
    expect(serving(desk)).to_have_text("—")
    ticket = live_server.center.ticket(first["id"])
    assert (ticket["service"], ticket["state"], ticket["ahead"]) == ("F", "waiting", 0)
    # Counter 2 does not serve F: A001 leaves its list.
    expect(desk.locator("#waiting-list tr")).to_have_count(0)


def test_transfer_to_the_end_of_the_line_and_cancel(desk: Any, live_server: Any) -> None:
    issue(live_server, "A")
    issue(live_server, "B")
    action(desk, "next").click()
    expect(serving(desk)).to_have_text("A001")
    action(desk, "transfer").click()
    dialog = desk.locator("#transfer-dialog")
    desk.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(serving(desk)).to_have_text("A001")
    action(desk, "transfer").click()
    dialog.locator("#transfer-keep").uncheck()
    dialog.locator('[data-service="B"]').click()
    expect(notice(desk)).to_contain_text("(xếp cuối hàng)")
    expect(desk.locator("#waiting-list tr").nth(1)).to_contain_text("A001")
    assert [t["label"] for t in live_server.center.tickets(state="waiting")] == ["B001", "A001"]


def test_call_a_specific_ticket_from_the_waiting_list(desk: Any, live_server: Any) -> None:
    issue(live_server, "A", "A", "B")
    issue(live_server, "B", priority="elderly")
    rows = desk.locator("#waiting-list tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("B002")
    expect(rows.first).to_contain_text("Ưu tiên · Người cao tuổi")
    expect(rows.first).to_have_class(re.compile("priority"))
    expect(rows.first.locator(".waited")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    desk.get_by_role("button", name="Gọi số B001").click()
    expect(serving(desk)).to_have_text("B001")
    expect(rows).to_have_count(3)
    screenshot(desk, "staff-console-serving")


def test_refused_actions_are_disabled_and_explained(desk: Any, live_server: Any) -> None:
    for name in ("recall", "no_show", "finish", "transfer"):
        expect(action(desk, name)).to_be_disabled()
    expect(action(desk, "pause")).to_be_enabled()
    expect(action(desk, "finish")).to_have_attribute("title", "Chưa có số nào đang được phục vụ.")
    desk.keyboard.press("x")
    expect(notice(desk)).to_contain_text("Chưa có số nào đang được phục vụ.")
    expect(notice(desk)).to_have_class(re.compile("notice-error"))
    # Nobody waiting is not a refusal: the core says so.
    action(desk, "next").click()
    expect(notice(desk)).to_contain_text("Không có công dân nào đang chờ.")
    # A pause disables calling, live on a colleague's console too.
    live_server.center.set_counter_state(2, "paused", actor="user:minh")
    expect(action(desk, "next")).to_be_disabled()
    expect(desk.locator('#waiting-list button')).to_have_count(0)
    issue(live_server, "A")
    expect(desk.get_by_role("button", name="Gọi số A001")).to_be_disabled()
    live_server.center.set_counter_state(2, "open", actor="user:minh")
    expect(action(desk, "next")).to_be_enabled()
    expect(desk.get_by_role("button", name="Gọi số A001")).to_be_enabled()
    expect(action(desk, "finish")).to_be_disabled()
    assert len(desk.loads) == 1


def test_calling_while_serving_asks_to_finish_or_no_show_first(desk: Any, live_server: Any) -> None:
    issue(live_server, "A", "A", "A")
    desk.keyboard.press("n")
    expect(serving(desk)).to_have_text("A001")
    desk.keyboard.press("n")
    dialog = desk.locator("#busy-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Số A001 vẫn đang được phục vụ")
    screenshot(desk, "staff-console-busy")
    desk.keyboard.press("x")
    expect(serving(desk)).to_have_text("A002")
    assert live_server.center.ticket(live_server.center.tickets(state="done")[0]["id"])["label"] == "A001"

    # Calling a specific ticket while serving asks the same; "no-show first" this time.
    desk.get_by_role("button", name="Gọi số A003").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=re.compile("Vắng mặt rồi gọi số A003")).click()
    expect(serving(desk)).to_have_text("A003")
    expect(desk.locator("#noshow-list tr", has_text="A002")).to_be_visible()
    desk.keyboard.press("n")
    desk.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(serving(desk)).to_have_text("A003")


def test_changes_from_elsewhere_arrive_live(desk: Any, live_server: Any) -> None:
    issue(live_server, "A", "B", "C")
    expect(desk.locator("#waiting-list tr")).to_have_count(2)  # C is not served at counter 2
    expect(desk.locator('#field-counts [data-service="A"] strong')).to_have_text("1")
    live_server.center.call_next(2, actor="device:keypad-2")
    expect(serving(desk)).to_have_text("A001")
    expect(notice(desk)).to_contain_text("từ thiết bị khác")
    live_server.center.call_next(3, actor="user:minh")  # counter 3 takes B001 from our list
    expect(desk.locator("#waiting-list tr")).to_have_count(0)
    live_server.center.finish(2, actor="device:keypad-2")
    expect(serving(desk)).to_have_text("—")
    expect(desk.locator("#today-served")).to_have_text("1")
    assert len(desk.loads) == 1


def test_counter_chosen_at_login(page: Any, live_server: Any) -> None:
    auth.add_user(live_server.store, "thu", PASSWORD, role="staff", counter=None,
                  now=live_server.center.clock.now())
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/counter")
    screenshot(page, "staff-console-login")
    form = page.locator("#login-form")
    form.locator("input[name=username]").fill("thu")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator("#login-message")).to_have_text(
        "Tài khoản này chưa gắn với quầy nào: hãy chọn quầy làm việc.")
    form.locator("select[name=counter]").select_option("4")
    form.locator("button[type=submit]").click()
    expect(page.locator("#counter-name")).to_have_text("Quầy 4")
    expect(page.locator("#counter-fields")).to_contain_text("C · Đất đai – Xây dựng")
    issue(live_server, "D")
    expect(page.locator("#waiting-list tr")).to_have_count(1)
    page.keyboard.press("n")
    expect(serving(page)).to_have_text("D001")
    assert live_server.center.counter_view(4)["current"]["label"] == "D001"
    # The next visit offers the same counter.
    page.locator("#logout").click()
    expect(page.locator("select[name=counter]")).to_have_value("4")


def test_wrong_password_says_so(page: Any, live_server: Any, officer: str) -> None:
    page.goto(live_server.url + "/counter")
    form = page.locator("#login-form")
    form.locator("input[name=username]").fill("lan")
    form.locator("input[name=password]").fill("sai-mat-khau")
    form.locator("button[type=submit]").click()
    expect(page.locator("#login-message")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    expect(page.locator("#desk")).to_be_hidden()


@pytest.mark.parametrize("size,name", [({"width": 800, "height": 1280}, "tablet-portrait"),
                                       ({"width": 1280, "height": 800}, "tablet-landscape")])
def test_tablet_layouts(page: Any, live_server: Any, officer: str, size: dict[str, int],
                        name: str) -> None:
    page.set_viewport_size(size)
    issue(live_server, "A", "B", "A")
    issue(live_server, "A", priority="pregnant")
    login(page, live_server.url)
    expect(page.locator("#waiting-list tr")).to_have_count(4)
    page.keyboard.press("n")
    expect(serving(page)).to_have_text("A003")
    for button in ("next", "recall", "no_show", "finish", "transfer", "pause"):
        box = action(page, button).bounding_box()
        assert box["height"] >= 48 and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"], "nothing sticks out sideways"
    screenshot(page, f"staff-console-{name}")


def test_a_no_show_waits_a_few_seconds_and_can_be_taken_back(page: Any, live_server: Any,
                                                              officer: str) -> None:
    page.clock.install()  # the undo time passes when the test says so
    page.set_viewport_size(DESKTOP)
    login(page, live_server.url)
    center = live_server.center
    issue(live_server, "A", "A")
    expect(page.locator("#waiting-list tr")).to_have_count(2)
    page.keyboard.press("n")
    expect(serving(page)).to_have_text("A001")
    # V by mistake (next to X): nothing is recorded yet, Esc takes it back.
    page.keyboard.press("v")
    expect(page.locator("#undo")).to_be_visible()
    expect(page.locator("#undo-text")).to_contain_text("Ghi vắng mặt số A001 sau 5 giây")
    expect(action(page, "no_show")).to_be_disabled()
    page.keyboard.press("Escape")
    expect(page.locator("#undo")).to_be_hidden()
    expect(notice(page)).to_contain_text("Đã hủy ghi vắng mặt số A001")
    page.clock.fast_forward(6000)
    expect(serving(page)).to_have_text("A001")
    assert center.counter_view(2)["current"]["label"] == "A001"
    # V then X: the officer meant finish.
    page.keyboard.press("v")
    expect(page.locator("#undo")).to_be_visible()
    page.keyboard.press("x")
    expect(serving(page)).to_have_text("—")
    page.clock.fast_forward(6000)
    assert center.tickets(state="done")[0]["label"] == "A001"
    assert center.tickets(state="no_show") == []
    # A real no-show: recorded once the seconds are over, then restorable as before.
    page.keyboard.press("n")
    expect(serving(page)).to_have_text("A002")
    action(page, "no_show").click()
    expect(page.locator("#undo")).to_be_visible()
    assert center.counter_view(2)["current"]["label"] == "A002"
    page.clock.fast_forward(6000)
    expect(notice(page)).to_contain_text("Đã ghi số A002 vắng mặt")
    expect(page.locator("#undo")).to_be_hidden()
    row = page.locator("#noshow-list tr", has_text="A002")
    expect(row).to_be_visible()
    assert center.tickets(state="no_show")[0]["label"] == "A002"
    row.get_by_role("button", name="Về hàng chờ").click()
    expect(notice(page)).to_contain_text("Số A002 đã trở lại hàng chờ")


def test_no_show_key_is_not_beside_finish(desk: Any) -> None:
    finish = action(desk, "finish").bounding_box()
    no_show = action(desk, "no_show").bounding_box()
    assert finish is not None and no_show is not None
    beside = abs(finish["y"] - no_show["y"]) < 5 and \
        abs(finish["x"] + finish["width"] - no_show["x"]) < 20
    assert not beside and (no_show["y"] > finish["y"] + finish["height"] - 5)


def test_times_are_the_centers_in_a_browser_elsewhere(browser: Any, live_server: Any,
                                                      officer: str) -> None:
    """A browser set to New York shows what every screen shows: the center's time."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    context = browser.new_context(viewport=DESKTOP, locale="en-US",
                                  timezone_id="America/New_York")
    page = context.new_page()
    login(page, live_server.url)
    issue(live_server, "A")
    page.keyboard.press("n")
    expect(serving(page)).to_have_text("A001")
    center_now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    shown = page.locator("#notice time").inner_text()
    near = {(center_now + timedelta(seconds=s)).strftime("%H:%M") for s in (-60, 0, 60)}
    assert shown[:5] in near, (shown, near)
    live_server.center.no_show(2, actor="t")
    row = page.locator("#noshow-list tr", has_text="A001")
    expect(row).to_be_visible()
    finished = live_server.center.tickets(state="no_show")[0]["finished_at"]
    assert finished.endswith("+07:00")
    expect(row.locator(".when")).to_contain_text("vắng lúc " + finished[11:16])
    context.close()


def test_a_scanned_dossier_code_is_attached_wherever_the_focus_is(desk: Any,
                                                                   live_server: Any) -> None:
    """A USB scanner types the code fast and ends with Enter; the letters of the code are
    also shortcut keys (N, X, C…), which must not act; a key alone still does."""
    center = live_server.center
    issue(live_server, "A", "A")
    expect(desk.locator("#dossier-code")).to_be_disabled()
    desk.keyboard.press("n")
    expect(serving(desk)).to_have_text("A001")
    expect(desk.locator("#dossier-code")).to_be_enabled()
    desk.locator("#queue-title").click()  # the focus on the page, in no field
    desk.keyboard.type("nxc-000.12.h13-261123-0001", delay=3)
    desk.keyboard.press("Enter")
    expect(desk.locator("#dossier-current")).to_have_text(
        "Số A001 đã gắn hồ sơ NXC-000.12.H13-261123-0001")
    expect(serving(desk)).to_have_text("A001")
    expect(desk.locator("#busy-dialog")).to_be_hidden()
    expect(desk.locator("#dossier-code")).to_have_value("")
    served = center.counter_view(2)["current"]
    assert center.ticket(served["id"])["dossier"] == {"code": "NXC-000.12.H13-261123-0001",
                                                      "procedure": None}
    assert [t["label"] for t in center.tickets(state="waiting")] == ["A002"]
    screenshot(desk, "staff-console-dossier")

    # Typed by hand in the field; a bad code is refused with the reason, and nothing changes.
    field = desk.locator("#dossier-code")
    field.fill("mã sai")
    field.press("Enter")
    expect(notice(desk)).to_contain_text("code")
    assert center.ticket(served["id"])["dossier"]["code"] == "NXC-000.12.H13-261123-0001"
    field.fill("  hs   2026 ")
    field.press("Enter")
    expect(desk.locator("#dossier-current")).to_have_text("Số A001 đã gắn hồ sơ HS 2026")

    # A key alone is still a shortcut.
    desk.keyboard.press("x")
    expect(serving(desk)).to_have_text("—")
    expect(desk.locator("#dossier-code")).to_be_disabled()
    assert center.ticket(served["id"])["state"] == "done"


def test_the_dossier_button_attaches_what_was_typed(desk: Any, live_server: Any) -> None:
    issue(live_server, "A")
    desk.keyboard.press("n")
    expect(serving(desk)).to_have_text("A001")
    desk.locator("#dossier-code").fill("hs-77")
    desk.get_by_role("button", name="Gắn hồ sơ").click()
    expect(desk.locator("#dossier-current")).to_have_text("Số A001 đã gắn hồ sơ HS-77")
