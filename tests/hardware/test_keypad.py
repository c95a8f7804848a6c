"""The counter keypad on gpiozero's mock pins against a real core served in this process."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from gpiozero import Device
from gpiozero.pins.mock import MockFactory
from werkzeug.serving import make_server

from hardware.keypad import (
    CoreClient,
    CounterWatch,
    KeypadPins,
    KeypadSatellite,
    Outcome,
    Timings,
)
from queue_core.service import auth
from queue_core.config import load_settings
from queue_core.web.app import create_app

FAST = Timings(refuse_on=0.002, refuse_off=0.002, nothing_on=0.002, offline_on=0.01,
               offline_off=0.01)
PINS = KeypadPins()


class Core:
    """A core served on a loopback port by a thread of this process."""

    def __init__(self, data_dir: Path, port: int = 0) -> None:
        settings = load_settings(env={
            "XEPHANG_DATA_DIR": str(data_dir),
            "XEPHANG_CENTER_OPENS_AT": "00:00",
            "XEPHANG_CENTER_CLOSES_AT": "24:00",
            "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
        })
        self.app = create_app(settings)
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def center(self) -> Any:
        return self.app.extensions["xephang"].center

    def token(self, role: str, counter: int | None = None) -> str:
        return auth.create_token(self.center.store, f"{role}-{counter}", role=role,
                                 counter=counter, now=self.center.clock.now())

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)
        self.app.extensions["xephang"].store.close()


class Proxy:
    """A TCP relay in front of the core that a test can cut (a core restart) and restore."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.open = threading.Event()
        self.open.set()
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        self.open.clear()
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            try:
                link.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            link.close()

    def restore(self) -> None:
        self.open.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


class Ticker:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    factory = MockFactory()
    Device.pin_factory = factory
    yield factory
    factory.reset()
    Device.pin_factory = None


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    core = Core(tmp_path / "var")
    yield core
    core.stop()


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


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


def test_counter_watch_reports_events_of_its_room_only(core: Core) -> None:
    seen: list[tuple[str, int]] = []
    got = threading.Condition()
    views: list[Any] = []

    def on_event(name: str, payload: Any) -> None:
        with got:
            seen.append((name, payload["seq"]))
            got.notify_all()

    def on_counter(view: Any) -> None:
        with got:
            views.append(view)
            got.notify_all()

    watch = CounterWatch(core.url, core.token("display"), 3, on_event=on_event, on_counter=on_counter)
    watch.start()
    try:
        assert watch.connected.wait(10)
        with got:
            assert got.wait_for(lambda: views, 10)  # the Board on subscribe
        core.center.issue("A", actor="test")
        core.center.call_next(1, actor="test")  # counter 1: not our room
        core.center.issue("B", actor="test")
        core.center.call_next(3, actor="test")
        core.center.finish(3, actor="test")
        with got:
            assert got.wait_for(lambda: any(name == "rating_requested" for name, _ in seen), 10)
        names = [name for name, _ in seen]
        assert names == ["ticket_called", "counter_updated", "ticket_updated", "counter_updated",
                         "rating_requested"]
        assert views[-1]["current"] is None and views[-2]["current"]["label"] == "B001"
    finally:
        watch.stop()
