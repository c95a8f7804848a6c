"""Every page works under the box's Content-Security-Policy, which allows no 'unsafe-eval'.

Pages: home, kiosk, ticket, wall and counter screens, rating tablet, look-up kiosk, staff
console, manager, a screen showing its pairing code, the first-run page and the console.

The browser context does not bypass the policy: a page that evaluated text as code, or ran
an inline script the policy does not list, would log a violation here and fail.
"""

from __future__ import annotations

import re
from typing import Any

from browser_support import screenshot
from playwright.sync_api import expect

from queue_core.service import auth, setup

PASSWORD = "mat-khau-an-toan"


def test_every_page_runs_under_the_policy_without_unsafe_eval(browser: Any,
                                                             live_server: Any) -> None:
    store, clock = live_server.store, live_server.center.clock
    auth.add_user(store, "giamdoc", PASSWORD, role="manager", counter=None, now=clock.now())
    auth.add_user(store, "lan", PASSWORD, role="staff", counter=1, now=clock.now())
    kiosk = live_server.token("kiosk")
    mine = live_server.center.issue("A", actor="test")
    violations: list[str] = []

    def fresh_page() -> Any:
        page = browser.new_context(viewport={"width": 1366, "height": 768},
                                   locale="vi-VN").new_page()
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text or "unsafe-eval" in message.text
                else None)
        return page

    page = fresh_page()
    policy = page.goto(live_server.url + "/").headers["content-security-policy"]
    assert "unsafe-eval" not in policy and "script-src 'self'" in policy

    page.goto(f"{live_server.url}/kiosk#token={kiosk}")
    page.wait_for_selector('#kiosk[data-screen="fields"][data-connection="online"]')
    page.goto(f"{live_server.url}/t/{mine['id']}?k={mine['holder_key']}")
    page.wait_for_selector('#t-page[data-connection="online"]')
    for screen in ("/display/wall", "/display/counter/1"):
        page.goto(live_server.url + screen)
        page.wait_for_function("() => window.xephangDisplay && window.xephangDisplay.connected")
    page.goto(f"{live_server.url}/rate/1#token={kiosk}")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/lookup#token={kiosk}")
    page.wait_for_selector('#lookup[data-ready="true"][data-token="ok"]')
    page.locator('.l-field[data-field="B"]').click()
    page.wait_for_selector('.l-result[data-code="HT-01"]')
    page.goto(live_server.url + "/counter")
    form = page.locator("#login-form")
    form.locator("input[name=username]").fill("lan")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator("#link-state")).to_have_text("Đã kết nối")
    page.context.close()
    page = fresh_page()
    page.goto(live_server.url + "/manager")
    page.fill("#username", "giamdoc")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#live-waiting")
    screenshot(page, "manager-under-csp")
    page.context.close()

    # A screen with no token shows its pairing code; the first run and the admin console.
    page = fresh_page()
    page.goto(live_server.url + "/kiosk")
    page.wait_for_selector('#kiosk[data-screen="setup"]')
    expect(page.locator("#k-pairing .pairing-code")).to_have_text(re.compile(r"^\d{3} \d{3}$"))
    page.context.close()
    code = setup.issue_code(store, live_server.app.extensions["xephang"].settings.data_path,
                            now=clock.now())
    page = fresh_page()
    page.goto(live_server.url + "/setup")
    form = page.locator("#setup-form")
    form.locator("#code").fill(str(code))
    form.locator("#username").fill("quantri")
    form.locator("#password").fill(PASSWORD)
    form.locator("#password2").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(live_server.url + "/admin")
    expect(page.locator("#a-body")).to_be_visible()
    page.locator("a[href='#thiet-bi']").first.click()
    expect(page.locator("#a-pair-form")).to_be_visible()
    screenshot(page, "admin-under-csp")
    assert violations == []
    page.context.close()
