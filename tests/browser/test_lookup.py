"""The look-up kiosk in Chromium, typed on its own on-screen keyboard, portrait and landscape."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from browser_support import screenshot, serve
from PIL import Image

from queue_core.service.catalog import SAMPLE_DIR

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
ALWAYS_OPEN = {"XEPHANG_CENTER_OPENS_AT": "00:00", "XEPHANG_CENTER_CLOSES_AT": "24:00",
               "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
    "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false"}


@pytest.fixture
def portrait(browser: Any) -> Iterator[Any]:
    context = browser.new_context(bypass_csp=True, viewport=PORTRAIT, locale="vi-VN")
    yield context.new_page()
    context.close()


def open_lookup(page: Any, url: str, token: str | None) -> None:
    page.goto(f"{url}/lookup" + (f"#token={token}" if token else ""))
    page.wait_for_selector('#lookup[data-ready="true"]')
    if token:
        page.wait_for_selector('#lookup[data-token="ok"]')


def type_on_screen(page: Any, text: str, keyboard: str = "#l-keyboard") -> None:
    """Press the on-screen keys, one by one, as a citizen's finger would."""
    for char in text:
        key = "space" if char == " " else char
        page.locator(f'{keyboard} [data-key="{key}"]').click()


def results(page: Any) -> list[str]:
    return page.locator("#l-results .l-result-name").all_inner_texts()  # type: ignore[no-any-return]


def wait_for_first(page: Any, name: str) -> None:
    page.wait_for_function(
        "name => { const r = document.querySelector('#l-results .l-result-name');"
        " return r && r.textContent.startsWith(name); }", arg=name)


def test_search_on_the_screen_keyboard_with_and_without_accents(portrait: Any,
                                                                 live_server: Any) -> None:
    page = portrait
    open_lookup(page, live_server.url, live_server.token("kiosk"))
    screenshot(page, "lookup-portrait-attract")
    page.locator('[data-action="search"]').click()
    type_on_screen(page, "chung thuc")
    assert page.input_value("#l-query") == "chung thuc"
    wait_for_first(page, "Chứng thực bản sao từ bản chính")
    screenshot(page, "lookup-portrait-search")
    page.locator('#l-keyboard [data-key="clear"]').click()
    type_on_screen(page, "chuwngs thuwcj ban sao")  # Telex: the marks are typed as letters
    assert page.input_value("#l-query") == "chứng thực ban sao"
    wait_for_first(page, "Chứng thực bản sao từ bản chính")
    page.locator('#l-keyboard [data-key="clear"]').click()
    # The picker, for those who do not know Telex: "ket" → ê → sắc = "kết".
    type_on_screen(page, "dang ky ket")
    for key in ("pick:ê", "pick:s"):
        page.locator(f'#l-keyboard [data-key="{key}"]').click()
    assert page.input_value("#l-query") == "dang ky kết"
    wait_for_first(page, "Đăng ký kết hôn")
    # A typo still finds.
    page.locator('#l-keyboard [data-key="clear"]').click()
    type_on_screen(page, "khaii sinh")
    wait_for_first(page, "Đăng ký khai sinh")


def test_telex_rules_in_the_page(portrait: Any, live_server: Any) -> None:
    open_lookup(portrait, live_server.url, None)
    typed = portrait.evaluate("""words => words.map(w => {
        let t = ""; for (const k of w) t = VNKeys.telex(t, k); return t; })""",
                              ["dduwowngf", "hoaf", "thuyr", "nguwowif", "giaays", "xacs nhaanj",
                               "ass", "aaa", "ddd", "tieengs vieetj"])
    assert typed == ["đường", "hòa", "thủy", "người", "giấy", "xác nhận", "as", "aa", "dd",
                     "tiếng việt"]


def test_a_procedure_its_forms_as_qr_codes_print_and_a_number(browser: Any,
                                                              live_server: Any) -> None:
    context = browser.new_context(bypass_csp=True, viewport=LANDSCAPE, locale="vi-VN")
    page = context.new_page()
    open_lookup(page, live_server.url, live_server.token("kiosk"))
    screenshot(page, "lookup-landscape-attract")
    page.locator('.l-field[data-field="B"]').click()  # browse by field
    page.wait_for_selector('.l-result[data-code="HT-01"]')
    assert set(results(page)) >= {"Đăng ký khai sinh", "Đăng ký kết hôn"}
    screenshot(page, "lookup-landscape-browse")
    page.locator('.l-result[data-code="HT-01"]').click()
    page.wait_for_selector('#lookup[data-screen="procedure"]')
    assert page.locator("#l-p-name").inner_text() == "Đăng ký khai sinh"
    assert "Giấy chứng sinh" in page.locator("#l-p-documents").inner_text()
    assert page.locator("#l-p-fee").inner_text() == "Miễn lệ phí khi đăng ký đúng hạn"
    qr = page.locator("#l-p-forms img.l-qr").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    screenshot(page, "lookup-landscape-procedure")
    zxingcpp = pytest.importorskip("zxingcpp")
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())).convert("L"))
    assert len(found) == 1
    url = found[0].text
    assert url == f"{live_server.url}/api/v1/procedures/HT-01/forms/to-khai-dang-ky-khai-sinh.docx"
    download = requests.get(url, timeout=10)  # what a phone on the LAN gets
    assert download.status_code == 200
    assert download.content == (SAMPLE_DIR / "forms" / "Tờ khai đăng ký khai sinh.docx").read_bytes()

    page.locator("#l-print").click()
    page.wait_for_selector('#l-print-state[data-state="printed"]')
    printer = live_server.app.extensions["xephang_printer"].service.printer
    assert [job.name for job in printer.jobs] == ["HT-01"]

    page.locator("#l-take").click()
    page.wait_for_selector('#lookup[data-screen="ticket"]')
    assert page.locator("#l-t-label").inner_text() == "B001"
    assert "Hộ tịch" in page.locator("#l-t-field").inner_text()
    screenshot(page, "lookup-landscape-ticket")
    assert [job.name for job in printer.jobs] == ["HT-01", "B001"]
    context.close()


def test_dossier_status_from_the_sample_export(portrait: Any, live_server: Any) -> None:
    page = portrait
    open_lookup(page, live_server.url, live_server.token("kiosk"))
    page.locator('[data-action="dossier"]').click()
    type_on_screen(page, "MAU-0004", keyboard="#l-code-keyboard")
    page.locator("#l-check").click()
    page.wait_for_selector("#l-dossier-result:not([hidden])")
    assert page.locator("#l-d-status").inner_text() == "Đã có kết quả"
    assert "Quầy 5" in page.locator("#l-d-text").inner_text()
    assert page.locator("#l-d-due").inner_text() == "16:30 17/11/2026"
    screenshot(page, "lookup-portrait-dossier")
    page.locator("#l-take-results").click()  # results are handed over in field F
    page.wait_for_selector('#lookup[data-screen="ticket"]')
    assert page.locator("#l-t-label").inner_text() == "F001"
    page.locator('.l-ticket [data-action="home"]').click()
    page.locator('[data-action="dossier"]').click()
    type_on_screen(page, "HS-404", keyboard="#l-code-keyboard")
    page.locator("#l-check").click()
    page.wait_for_selector("#l-dossier-error:not([hidden])")
    assert "Không tìm thấy hồ sơ" in page.locator("#l-dossier-error").inner_text()


def test_an_unreachable_one_door_system_is_said_plainly(tmp_path: Path, browser: Any) -> None:
    # A port nothing listens on: the one-door system is down.
    with serve(tmp_path, **ALWAYS_OPEN, XEPHANG_LOOKUP_CONNECTOR="rest",
               XEPHANG_LOOKUP_REST_URL="http://127.0.0.1:9/hoso/{code}",
               XEPHANG_LOOKUP_TIMEOUT_SECONDS="1") as (url, _app):
        context = browser.new_context(bypass_csp=True, viewport=LANDSCAPE, locale="vi-VN")
        page = context.new_page()
        open_lookup(page, url, None)
        page.locator('[data-action="dossier"]').click()
        type_on_screen(page, "HS-0001", keyboard="#l-code-keyboard")
        page.locator("#l-check").click()
        page.wait_for_selector('#l-dossier-error[data-code="connector_unavailable"]')
        assert "Chưa tra cứu được hồ sơ lúc này" in page.locator("#l-dossier-error").inner_text()
        context.close()


def test_back_to_the_attract_screen_when_left_alone(tmp_path: Path, browser: Any) -> None:
    with serve(tmp_path, **ALWAYS_OPEN, XEPHANG_LOOKUP_IDLE_SECONDS="2") as (url, _app):
        context = browser.new_context(bypass_csp=True, viewport=PORTRAIT, locale="vi-VN")
        page = context.new_page()
        open_lookup(page, url, None)
        page.locator('[data-action="search"]').click()
        type_on_screen(page, "khai")
        page.wait_for_selector('#lookup[data-screen="attract"]', timeout=10_000)
        assert page.input_value("#l-query") == ""
        assert page.locator("#l-no-token").is_visible()  # no token: look-up only
        context.close()


def test_a_counter_asks_for_a_rating(portrait: Any, live_server: Any) -> None:
    page = portrait
    center = live_server.center
    ticket = center.issue("A", actor="test")
    center.call_next(1, actor="test")
    open_lookup(page, live_server.url, live_server.token("kiosk"))
    page.wait_for_selector('#lookup[data-live="true"]')
    center.finish(1, actor="test")
    page.wait_for_selector('#lookup[data-screen="rating"]')
    assert page.locator("#l-r-who").inner_text() == f"Số {ticket['label']} · Quầy 1"
    screenshot(page, "lookup-portrait-rating")
    page.locator('.xr-choice[data-level="satisfied"]').click()
    page.wait_for_selector('#lookup[data-rated="rated"]')
    store = live_server.store
    with store.read():
        assert store.rating(ticket["id"]).level == "satisfied"
