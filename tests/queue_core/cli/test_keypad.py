"""The counter keypad on gpiozero's mock pins against a real core served in this process."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from gpiozero.pins.mock import MockFactory
from support_core import Core, Proxy, Ticker

from hardware.keypad import KeypadPins, Timings
from queue_core.cli.devices import KeypadSatellite, Outcome
from queue_core.client.rest import CoreClient

FAST = Timings(refuse_on=0.002, refuse_off=0.002, nothing_on=0.002, offline_on=0.01,
               offline_off=0.01)
PINS = KeypadPins()


@pytest.fixture
def keypads(mock_pins: MockFactory, ticker: Ticker) -> Iterator[Any]:
    """Return a factory of started keypads on the mock pins; all are stopped at teardown."""
    made: list[KeypadSatellite] = []

    def make(url: str, token: str, counter: int = 2, *, watch: bool = True) -> KeypadSatellite:
        keypad = KeypadSatellite(counter, CoreClient(url, token, timeout=3), pins=PINS,
                                 pin_factory=mock_pins, clock=ticker, timings=FAST, watch=watch)
        keypad.start()
        made.append(keypad)
        return keypad

    yield make
    for keypad in made:
        keypad.stop()


def push(factory: MockFactory, pin: int) -> None:
    """Press and release a button wired between `pin` and ground."""
    factory.pin(pin).drive_low()
    factory.pin(pin).drive_high()


def led(factory: MockFactory) -> bool:
    return bool(factory.pin(PINS.led).state)


def beeped(factory: MockFactory, keypad: KeypadSatellite | None = None) -> bool:
    """Tell whether the buzzer sounded (after `keypad` played every pattern it was given)."""
    assert PINS.buzzer is not None
    if keypad is not None:
        assert keypad.signals is not None and keypad.signals.wait_steady()
    return any(change.state for change in factory.pin(PINS.buzzer).states)


# --- pure pieces -------------------------------------------------------------------------------

def test_unknown_action_is_a_programming_error(mock_pins: MockFactory, ticker: Ticker) -> None:
    keypad = KeypadSatellite(2, CoreClient("http://127.0.0.1:9", "t"), pin_factory=mock_pins,
                             clock=ticker, watch=False)
    with pytest.raises(ValueError, match="no keypad action"):
        keypad.press("dance")


# --- presses and their effect in the core ------------------------------------------------------

def test_next_then_finish_with_the_serving_led(core: Core, keypads: Any, mock_pins: MockFactory) -> None:
    core.center.issue("B", actor="test")
    keypad = keypads(core.url, core.token("keypad", 2))
    assert keypad.signals.wait_steady(offline=False)
    push(mock_pins, PINS.next)
    [outcome] = keypad.wait_outcomes(1)
    assert outcome == Outcome("next", 200, label="B001")
    assert core.center.counter_view(2)["current"]["label"] == "B001"
    assert keypad.signals.wait_steady(serving=True) and led(mock_pins)

    push(mock_pins, PINS.recall)
    push(mock_pins, PINS.finish)
    outcomes = keypad.wait_outcomes(3)
    assert [(o.action, o.status) for o in outcomes[1:]] == [("recall", 200), ("finish", 200)]
    ticket = core.center.tickets(state="done")[0]
    assert (ticket["label"], ticket["recalls"]) == ("B001", 1)
    assert keypad.signals.wait_steady(serving=False) and not led(mock_pins)
    assert not beeped(mock_pins)


def test_bouncing_contacts_make_one_press(core: Core, keypads: Any, mock_pins: MockFactory,
                                          ticker: Ticker) -> None:
    for _ in range(3):
        core.center.issue("A", actor="test")
    keypad = keypads(core.url, core.token("keypad", 2))
    pin = mock_pins.pin(PINS.next)
    for _ in range(5):  # one press, bouncing: mock pins ignore bounce_time, our code must not
        pin.drive_low()
        pin.drive_high()
    [outcome] = keypad.wait_outcomes(1)
    assert outcome.status == 200
    assert keypad.signals.wait_steady(serving=True)
    assert len(core.center.tickets(state="called")) == 1 and not beeped(mock_pins)

    ticker.now += 0.3  # a real second press: refused, the counter is busy
    push(mock_pins, PINS.next)
    outcomes = keypad.wait_outcomes(2)
    assert (outcomes[1].status, outcomes[1].code) == (409, "counter_busy")
    assert keypad.signals.wait_steady(serving=True)
    assert beeped(mock_pins) and len(core.center.tickets(state="called")) == 1


def test_refusals_beep_and_blink(core: Core, keypads: Any, mock_pins: MockFactory) -> None:
    keypad = keypads(core.url, core.token("keypad", 2))
    assert keypad.signals.wait_steady(offline=False)
    mock_pins.pin(PINS.led).clear_states()
    push(mock_pins, PINS.finish)
    [outcome] = keypad.wait_outcomes(1)
    assert (outcome.status, outcome.code) == (409, "counter_idle")
    assert "không có công dân" in outcome.message
    assert keypad.signals.wait_steady(serving=False, offline=False)
    blinks = [change.state for change in mock_pins.pin(PINS.led).states]
    assert blinks.count(True) >= FAST.refuse_times and beeped(mock_pins)


def test_next_with_nobody_waiting_is_not_a_refusal(core: Core, keypads: Any,
                                                   mock_pins: MockFactory) -> None:
    keypad = keypads(core.url, core.token("keypad", 2))
    push(mock_pins, PINS.next)
    [outcome] = keypad.wait_outcomes(1)
    assert outcome.status == 204 and outcome.ok
    assert keypad.signals.wait_steady(serving=False) and not beeped(mock_pins, keypad)


def test_a_keypad_of_another_counter_is_refused(core: Core, keypads: Any,
                                                mock_pins: MockFactory) -> None:
    core.center.issue("A", actor="test")
    keypad = keypads(core.url, core.token("keypad", 1), counter=2, watch=False)
    push(mock_pins, PINS.next)
    [outcome] = keypad.wait_outcomes(1)
    assert (outcome.status, outcome.code) == (403, "wrong_counter")
    assert core.center.tickets(state="called") == [] and beeped(mock_pins, keypad)


def test_a_revoked_token_is_refused(core: Core, keypads: Any, mock_pins: MockFactory) -> None:
    keypad = keypads(core.url, "xph_not-a-token", watch=False)
    push(mock_pins, PINS.next)
    [outcome] = keypad.wait_outcomes(1)
    assert outcome.status == 401 and beeped(mock_pins, keypad)


def test_led_follows_the_console_and_colleagues(core: Core, keypads: Any,
                                                mock_pins: MockFactory) -> None:
    core.center.issue("A", actor="test")
    keypad = keypads(core.url, core.token("keypad", 2))
    assert keypad.signals.wait_steady(serving=False, offline=False)
    core.center.call_next(2, actor="user:lan")
    assert keypad.signals.wait_steady(serving=True) and led(mock_pins)
    core.center.no_show(2, actor="user:lan")
    assert keypad.signals.wait_steady(serving=False) and not led(mock_pins)


def test_keypad_and_console_pressing_at_once(core: Core, keypads: Any, mock_pins: MockFactory) -> None:
    for _ in range(2):
        core.center.issue("A", actor="test")
    keypad = keypads(core.url, core.token("keypad", 2), watch=False)
    staff = core.token("staff", 2)
    start = threading.Barrier(2)
    answers: list[int] = []

    def console() -> None:
        start.wait()
        answers.append(requests.post(f"{core.url}/api/v1/counters/2/call-next",
                                     headers={"Authorization": f"Bearer {staff}"}, timeout=5).status_code)

    thread = threading.Thread(target=console)
    thread.start()
    start.wait()
    push(mock_pins, PINS.next)
    [outcome] = keypad.wait_outcomes(1)
    thread.join(10)
    statuses = sorted([outcome.status, *answers])
    assert statuses == [200, 409]
    called = core.center.tickets(state="called")
    assert len(called) == 1 and called[0]["counter"] == 2
    assert beeped(mock_pins, keypad) == (outcome.status == 409)


# --- the core going away and coming back -------------------------------------------------------

def test_unreachable_core_is_a_refusal_and_the_led_says_offline(keypads: Any,
                                                                mock_pins: MockFactory) -> None:
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    keypad = keypads(url, "xph_any")
    assert keypad.signals.wait_steady(offline=True)
    push(mock_pins, PINS.next)
    [outcome] = keypad.wait_outcomes(1)
    assert (outcome.status, outcome.code) == (0, "unreachable") and beeped(mock_pins, keypad)
    assert keypad.signals.wait_steady(offline=True)


def test_keypad_started_before_the_core_connects_when_it_comes(tmp_path: Path, keypads: Any,
                                                               mock_pins: MockFactory) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The token must exist in the core that will start: create it in that data dir first.
    core = Core(tmp_path / "var", port=port)
    token = core.token("keypad", 2)
    core.stop()
    keypad = keypads(f"http://127.0.0.1:{port}", token)
    assert keypad.signals.wait_steady(offline=True)
    core = Core(tmp_path / "var", port=port)
    try:
        core.center.issue("A", actor="test")
        assert keypad.signals.wait_steady(offline=False, timeout=20)
        push(mock_pins, PINS.next)
        [outcome] = keypad.wait_outcomes(1)
        assert outcome.status == 200
    finally:
        core.stop()


def test_keypad_reconnects_after_the_link_drops(core: Core, keypads: Any,
                                                mock_pins: MockFactory) -> None:
    proxy = Proxy(core.server.server_port)
    try:
        core.center.issue("A", actor="test")
        keypad = keypads(proxy.url, core.token("keypad", 2))
        assert keypad.signals.wait_steady(offline=False)
        proxy.cut()
        assert keypad.signals.wait_steady(offline=True)
        core.center.call_next(2, actor="user:lan")  # happens while the keypad is cut off
        proxy.restore()
        assert keypad.signals.wait_steady(offline=False, serving=True, timeout=20)
        push(mock_pins, PINS.finish)
        [outcome] = keypad.wait_outcomes(1)
        assert outcome.status == 200
        assert keypad.signals.wait_steady(serving=False)
    finally:
        proxy.close()
