"""The admin's page of what leaves the box: a failing endpoint, its reason, and "send again"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import screenshot
from playwright.sync_api import expect
from support_webhooks import SECRET, Receiver

from queue_core.config import WebhookSettings
from queue_core.domain.clock import VIETNAM, SystemClock
from queue_core.ops.outbox import WebhookSender
from queue_core.service import auth

PASSWORD = "mat-khau-quan-tri"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


def test_the_admin_sees_a_failure_and_sends_it_again(page: Any, live_server: Any,
                                                     receiver: Receiver) -> None:
    center = live_server.center
    auth.add_user(live_server.store, "quantri", PASSWORD, role="admin", counter=None,
                  now=center.clock.now())
    hook = WebhookSettings(receiver.url, SECRET)
    xephang = live_server.app.extensions["xephang"]
    xephang.live.swap(xephang.settings.replace(webhooks=(hook,)))
    # The test is the worker: it steps the sender itself, so each round is seen.
    sender = WebhookSender(hook, live_server.store, center.settings.outbox,
                           now=SystemClock(VIETNAM).now)
    sender.prepare()
    center.issue("A", actor="kiosk:hall")
    receiver.mode = "error"
    sender.step()  # the endpoint answers 500: recorded with its reason, to be tried again

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server.url + "/admin/webhooks")
    page.locator("#username").fill("quantri")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    row = page.locator("#deliveries tbody tr").first
    expect(row).to_contain_text("ticket_issued")
    expect(row).to_contain_text("Lỗi, sẽ thử lại")
    expect(row).to_contain_text("HTTP 500")
    expect(page.locator("#receivers tbody tr")).to_contain_text(receiver.url)
    expect(page.locator("#outbox-facts")).to_contain_text("giữ tối đa 30 ngày")
    screenshot(page, "admin-webhooks-failed")

    receiver.mode = "ok"
    row.get_by_role("button", name="Gửi lại").click()
    expect(page.locator("#webhooks-message")).to_contain_text("Đã yêu cầu gửi lại")
    expect(page.locator("#deliveries tbody tr").first).to_contain_text("Đang chờ")
    sender.step()  # the worker's next round: the retry goes out at once
    assert [e["event"] for e in receiver.events()] == ["ticket_issued"]
    page.locator("#refresh").click()
    expect(page.locator("#deliveries tbody tr").first).to_contain_text("Đã gửi")
    with live_server.store.read():
        others = live_server.store.audit_rows(limit=10)[1]
    assert any(entry[1] == "user:quantri" and entry[2] == "delivery_retried" for entry in others)
