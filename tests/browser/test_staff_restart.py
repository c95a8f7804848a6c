"""A real `xephang serve` killed and started again: the console, the keypad and the rating
device find it again by themselves, and the officer's session survives."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory
from playwright.sync_api import expect
from support_live import ASYNC_MODES, LiveServer

from hardware.keypad import KeypadPins, Timings
from queue_core.cli.devices import KeypadSatellite
from queue_core.client.rest import CoreClient

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PASSWORD = "mat-khau-an-toan"


@pytest.fixture(params=ASYNC_MODES)
def core(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "var", mode=str(request.param))
    add = subprocess.run(server._cli("user", "add", "lan", "--role", "staff", "--counter", "2",
                                     "--password-stdin"),
                         input=PASSWORD + "\n", env=server.env, capture_output=True, text=True,
                         cwd=tmp_path, timeout=60, check=False)
    assert add.returncode == 0, add.stderr
    server.start()
    yield server
    server.stop()


@pytest.fixture
def keypad(core: LiveServer) -> Iterator[tuple[KeypadSatellite, MockFactory]]:
    factory = MockFactory()
    Device.pin_factory = factory
    satellite = KeypadSatellite(2, CoreClient(core.url, core.token("keypad", 2)),
                                pin_factory=factory, timings=Timings(refuse_on=0.002, refuse_off=0.002))
    satellite.start()
    yield satellite, factory
    satellite.stop()
    factory.reset()
    Device.pin_factory = None


def test_everything_at_the_counter_recovers_from_a_kill_9(
        browser: Any, core: LiveServer, keypad: tuple[KeypadSatellite, MockFactory]) -> None:
    satellite, factory = keypad
    kiosk = core.token("kiosk")
    for _ in range(3):
        assert core.post("/tickets", kiosk, {"service": "A"}).status_code == 201

    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768}, locale="vi-VN")
    try:
        desk = context.new_page()
        desk.goto(core.url + "/counter")
        form = desk.locator("#login-form")
        form.locator("input[name=username]").fill("lan")
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        expect(desk.locator("#link-state")).to_have_text("Đã kết nối")
        rate = context.new_page()
        rate.goto(f"{core.url}/rate/2#token={kiosk}")
        expect(rate.locator("#link-state")).to_have_text("Sẵn sàng")
        assert satellite.signals is not None and satellite.signals.wait_steady(offline=False)

        core.restart()  # SIGKILL to the whole process group, then the same data dir again

        expect(desk.locator("#link-state")).to_have_text("Đã kết nối", timeout=30000)
        expect(rate.locator("#link-state")).to_have_text("Sẵn sàng", timeout=30000)
        assert satellite.signals.wait_steady(offline=False, timeout=30)

        # The keypad calls; the console (same session, no new login) sees it live.
        factory.pin(KeypadPins().next).drive_low()
        [outcome] = satellite.wait_outcomes(1, timeout=15)
        assert outcome.status == 200 and outcome.label == "A001"
        expect(desk.locator("#serving-label")).to_have_text("A001")
        assert satellite.signals.wait_steady(serving=True)
        desk.keyboard.press("x")
        expect(desk.locator("#notice")).to_contain_text("Đã kết thúc số A001")
        expect(desk.locator("#login")).to_be_hidden()
        # The finish asks the rating device, which rates once.
        expect(rate.locator("#ask-label")).to_have_text("A001")
        rate.locator('#screen-ask [data-level="very_satisfied"]').click()
        expect(rate.locator("#screen-done")).to_be_visible()
        with core.db() as db:
            assert db.execute("SELECT level, counter FROM ratings").fetchall() == [
                ("very_satisfied", 2)]
    finally:
        context.close()
