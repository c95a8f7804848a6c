"""The accessible kiosk at 1080×1920 in Chromium: the priority path first, a large
high-contrast mode one tap away (text at least 7:1), a ticket taken with keys only, and
the number said once on the kiosk's own speaker. Screenshots kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser_support import screenshot, serve
from test_kiosk import PORTRAIT, field, open_kiosk, token_of

ALWAYS_OPEN = {"XEPHANG_CENTER_OPENS_AT": "00:00", "XEPHANG_CENTER_CLOSES_AT": "24:00",
               "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7"}

# Every visible element holding text: its colour against the background it is painted on
# (ancestors' backgrounds composited), as the WCAG contrast ratio.
CONTRASTS = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => { const a = top[3] + bottom[3] * (1 - top[3]);
    if (!a) return [0, 0, 0, 0];
    return [0, 1, 2].map((i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]); };
  const background = (el) => { const layers = [];
    for (let e = el; e; e = e.parentElement) { layers.push(parse(getComputedStyle(e).backgroundColor)); }
    let colour = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i -= 1) { colour = over(layers[i], colour); }
    return colour; };
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const found = [];
  document.querySelectorAll('#kiosk *').forEach((el) => {
    const text = Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join('');
    if (!text) return;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || el.closest('[hidden]')) return;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    found.push({text: text.slice(0, 40), ratio: (hi + 0.05) / (lo + 0.05)});
  });
  return found;
}"""


def low_contrast(page: Any, floor: float = 7.0) -> list[Any]:
    found = page.evaluate(CONTRASTS)
    assert len(found) > 5
    return [f for f in found if f["ratio"] < floor]


def test_the_priority_path_is_first_on_the_screen_and_in_keyboard_order(
        browser: Any, live_server: Any) -> None:
    context = browser.new_context(viewport=PORTRAIT, locale="vi-VN")
    page = context.new_page()
    open_kiosk(page, live_server.url, live_server.token("kiosk"))
    priority = page.locator("#k-priority-button").bounding_box()
    fields = [page.locator(".k-field").nth(i).bounding_box()
              for i in range(page.locator(".k-field").count())]
    assert priority is not None and all(priority["y"] + priority["height"] <= f["y"] for f in fields)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "k-priority-button"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.service") == "A"
    context.close()


def test_large_high_contrast_mode_is_one_tap_away_and_ends_when_the_kiosk_idles(
        tmp_path: Path, browser: Any) -> None:
    with serve(tmp_path, **ALWAYS_OPEN, XEPHANG_KIOSK_RETURN_SECONDS="2") as (url, app):
        context = browser.new_context(viewport=PORTRAIT, locale="vi-VN")
        page = context.new_page()
        open_kiosk(page, url, token_of(app))
        screenshot(page, "kiosk-portrait-normal")
        toggle = page.locator("#k-access-toggle")
        assert toggle.is_visible() and "Chữ lớn" in toggle.inner_text()
        normal = page.locator(".k-field-name").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        toggle.click()
        page.wait_for_selector("#kiosk.k-access")
        assert toggle.get_attribute("aria-pressed") == "true"
        large = page.locator(".k-field-name").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert large >= 1.25 * normal
        assert low_contrast(page) == []
        # Every field and the priority path still fit the portrait screen.
        for i in range(page.locator(".k-field").count()):
            box = page.locator(".k-field").nth(i).bounding_box()
            assert box is not None and box["y"] + box["height"] <= PORTRAIT["height"]
        screenshot(page, "kiosk-portrait-large")
        page.click("#k-priority-button")
        page.wait_for_selector('#kiosk[data-screen="priority"]')
        assert low_contrast(page) == []
        screenshot(page, "kiosk-portrait-large-priority")
        page.click('.k-priority[data-priority="elderly"]')
        field(page, "B").click()
        page.wait_for_selector('#kiosk[data-screen="result"]')
        assert page.locator("#kiosk.k-access").count() == 1     # remembered across screens
        assert low_contrast(page) == []
        screenshot(page, "kiosk-portrait-large-result")
        # The kiosk goes back to the start by itself: the next citizen sees the usual screen.
        page.wait_for_selector('#kiosk[data-screen="fields"]:not(.k-access)', timeout=30_000)
        assert toggle.get_attribute("aria-pressed") == "false"
        context.close()


def test_a_ticket_taken_with_the_keys_only(tmp_path: Path, browser: Any) -> None:
    with serve(tmp_path, **ALWAYS_OPEN) as (url, app):
        context = browser.new_context(viewport=PORTRAIT, locale="vi-VN")
        page = context.new_page()
        open_kiosk(page, url, token_of(app))
        keys = page.keyboard
        # Arrows and Enter: the first arrow lands on the priority path, the next on field A.
        keys.press("ArrowDown")
        assert page.evaluate("document.activeElement.id") == "k-priority-button"
        keys.press("ArrowDown")
        assert page.evaluate("document.activeElement.dataset.service") == "A"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"                       # the focus shows
        screenshot(page, "kiosk-portrait-keys-focus")
        keys.press("Enter")
        page.wait_for_selector('#kiosk[data-screen="result"]')
        assert page.locator("#k-label").inner_text() == "A001"
        assert page.evaluate("document.activeElement.classList.contains('k-done')")
        keys.press("Escape")                            # "Xong"
        page.wait_for_selector('#kiosk[data-screen="fields"]')
        # The numeric keypad: 0 = priority, then the category's digit, then the field's.
        keys.press("Numpad0")
        page.wait_for_selector('#kiosk[data-screen="priority"]')
        assert page.locator('.k-priority[data-key="1"]').get_attribute("data-priority") == "elderly"
        keys.press("Numpad1")
        page.wait_for_selector('#k-priority-chosen:not([hidden])')
        keys.press("3")                                 # the third field: C
        page.wait_for_selector('#kiosk[data-screen="result"]')
        assert page.locator("#k-label").inner_text() == "C001"
        assert page.locator("#k-result-priority").is_visible()
        keys.press("Escape")
        page.wait_for_selector('#kiosk[data-screen="fields"]')
        # * turns the large mode on and off.
        keys.press("NumpadMultiply")
        page.wait_for_selector("#kiosk.k-access")
        keys.press("*")
        page.wait_for_selector("#kiosk:not(.k-access)")
        tickets = app.extensions["xephang"].center.tickets()
        assert sorted((t["label"], t["priority"]) for t in tickets) == [("A001", None),
                                                                        ("C001", "elderly")]
        context.close()


def test_the_kiosk_says_the_number_once_with_its_token(tmp_path: Path, browser: Any) -> None:
    with serve(tmp_path, **ALWAYS_OPEN) as (url, app):
        context = browser.new_context(viewport=PORTRAIT, locale="vi-VN")
        page = context.new_page()
        asked: list[Any] = []
        page.on("request", lambda r: asked.append(r) if r.url.endswith("/speech.wav") else None)
        open_kiosk(page, url, token_of(app))
        field(page, "A").click()
        page.wait_for_selector('#kiosk[data-screen="result"]')
        page.wait_for_function("() => window.KioskSpeech.said === 1", timeout=30_000)
        page.locator(".k-result .k-done").click()
        field(page, "A").click()
        page.wait_for_selector('#kiosk[data-screen="result"]')
        page.wait_for_function("() => window.KioskSpeech.said === 2", timeout=30_000)
        last = page.evaluate("window.KioskSpeech.last")
        assert last["text"] == "Số của quý công dân là a không không hai. Phía trước còn một người."
        assert last["volume"] == 0.6 and last["bytes"] > 20_000
        assert len(asked) == 2
        assert all(r.headers.get("authorization", "").startswith("Bearer xph_") for r in asked)
        context.close()
