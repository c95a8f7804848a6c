"""The counter keypad: four buttons, a "serving" LED and a buzzer beside an officer.

Next, Recall, No-show and Finish call the same REST API as the staff console, with the
keypad's device token. The LED is lit while a ticket is being served at the counter (the
core's events over Socket.IO keep it right, whoever acted: keypad, console or a colleague);
a refused press beeps twice and blinks fast; while the core cannot be reached the LED
blinks slowly, and the link comes back by itself.

Presses are debounced in our code (`hardware.gpio.DebouncedButton`), not by gpiozero's
``bounce_time``: its mock pins ignore it, and a test must prove the debounce with an
injected clock. A button also ignores a second press within `repeat_seconds` of the last.

>>> satellite = KeypadSatellite(2, CoreClient("http://127.0.0.1:8000", token))  # doctest: +SKIP
>>> satellite.start()                                                             # doctest: +SKIP
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import socketio

from .errors import HardwareError
from .gpio import DebouncedButton

__all__ = [
    "ACTIONS",
    "CoreClient",
    "CoreUnreachable",
    "CounterWatch",
    "KeypadPins",
    "KeypadSatellite",
    "Outcome",
    "Reply",
    "Signals",
]

log = logging.getLogger(__name__)

# Keypad button → the counter operation it calls (POST /api/v1/counters/{n}/{operation}).
ACTIONS: dict[str, str] = {
    "next": "call-next",
    "recall": "recall",
    "no_show": "no-show",
    "finish": "finish",
}
# A contact is settled after this long without an edge.
DEBOUNCE_SECONDS = 0.05
# A second press of the same button this soon is taken as the same press.
REPEAT_SECONDS = 0.25


class CoreUnreachable(HardwareError, ConnectionError):
    """The queue core did not answer (network down, core restarting)."""


@dataclass(frozen=True)
class KeypadPins:
    """BCM pin numbers of the keypad; buttons connect the pin to ground when pressed.

    >>> KeypadPins().buttons()["next"]
    5
    """

    next: int = 5
    recall: int = 6
    no_show: int = 13
    finish: int = 19
    led: int = 26
    buzzer: int | None = 12

    def buttons(self) -> dict[str, int]:
        return {"next": self.next, "recall": self.recall, "no_show": self.no_show,
                "finish": self.finish}


# --- the core, over REST and Socket.IO -----------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    """An HTTP answer of the core: status and JSON body (None when empty)."""

    status: int
    data: Any = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error_code(self) -> str:
        error = self.data.get("error") if isinstance(self.data, Mapping) else None
        return str(error.get("code", "")) if isinstance(error, Mapping) else ""

    @property
    def error_message(self) -> str:
        error = self.data.get("error") if isinstance(self.data, Mapping) else None
        return str(error.get("message", "")) if isinstance(error, Mapping) else ""


class CoreClient:
    """REST calls to the queue core with a device token.

    >>> CoreClient("http://127.0.0.1:8000/", "xph_…").url("/api/v1/state")
    'http://127.0.0.1:8000/api/v1/state'
    """

    def __init__(self, core_url: str, token: str, *, timeout: float = 5.0) -> None:
        self.core_url = core_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers.update({"Authorization": f"Bearer {token}",
                                      "Accept": "application/json"})

    def url(self, path: str) -> str:
        return self.core_url + path

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> Reply:
        """POST to the core; raise CoreUnreachable when it does not answer."""
        try:
            response = self._session.post(self.url(path), json=dict(body) if body else None,
                                          timeout=self.timeout)
        except requests.RequestException as exc:
            raise CoreUnreachable(f"the core at {self.core_url} did not answer: {exc}") from None
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = None
        return Reply(response.status_code, data)

    def close(self) -> None:
        self._session.close()


class CounterWatch:
    """Follow one counter's room (``counter:N``) over Socket.IO, reconnecting by itself.

    Calls `on_counter(view)` with the Counter whenever the core says it changed (and on
    every (re)connection, from the Board), `on_event(name, payload)` for every event of
    the room, and `on_link(up)` when the link comes or goes.
    """

    EVENTS = ("ticket_called", "ticket_updated", "counter_updated", "rating_requested")

    def __init__(self, core_url: str, token: str, counter: int, *,
                 on_counter: Callable[[Mapping[str, Any]], None] | None = None,
                 on_event: Callable[[str, Mapping[str, Any]], None] | None = None,
                 on_link: Callable[[bool], None] | None = None,
                 reconnect_delay: float = 0.5, reconnect_delay_max: float = 5.0,
                 connect_timeout: float = 5.0) -> None:
        self.core_url = core_url.rstrip("/")
        self.counter = counter
        self.connected = threading.Event()
        self._token = token
        self._on_counter = on_counter or (lambda view: None)
        self._on_event = on_event or (lambda name, payload: None)
        self._on_link = on_link or (lambda up: None)
        self._delay = reconnect_delay
        self._delay_max = reconnect_delay_max
        self._connect_timeout = connect_timeout
        self._stop = threading.Event()
        # Set by `stop`, and when the core hangs up on purpose (no automatic reconnection then).
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: socketio.Client | None = None

    @property
    def room(self) -> str:
        return f"counter:{self.counter}"

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name=f"counter-{self.counter}-watch")
            self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop following the counter; no callback runs after this returns."""
        self._stop.set()
        self._wake.set()
        # The link closes in the background: a websocket close may wait for the server.
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _new_client(self) -> socketio.Client:
        client = socketio.Client(reconnection=True, reconnection_delay=self._delay,
                                 reconnection_delay_max=self._delay_max, logger=False,
                                 engineio_logger=False, handle_sigint=False)
        client.on("connect", lambda: self._connected(client))
        client.on("disconnect", self._disconnected)
        client.on("board", self._board)
        for name in self.EVENTS:
            client.on(name, self._handler(name))
        return client

    def _run(self) -> None:
        delay = self._delay
        while not self._stop.is_set():
            client = self._client = self._new_client()
            try:
                client.connect(self.core_url, auth={"token": self._token},
                               wait_timeout=self._connect_timeout)
            except socketio.exceptions.ConnectionError as exc:
                log.warning("cannot reach the core at %s (%s); retrying in %.1f s",
                            self.core_url, exc, delay)
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, self._delay_max)
                continue
            delay = self._delay
            # python-socketio reconnects by itself after a drop; only a hang-up by the core
            # (or `stop`) ends this client: then start over with a new one.
            self._wake.wait()
            self._wake.clear()
            try:
                client.disconnect()
            except Exception as exc:  # noqa: BLE001 - already gone is fine
                log.debug("closing the old link: %s", exc)
            self._disconnected()
            if not self._stop.is_set():
                self._stop.wait(delay)

    def _connected(self, client: socketio.Client) -> None:
        if self._stop.is_set():
            return
        log.info("connected to the core at %s, room %s", self.core_url, self.room)
        client.emit("subscribe", {"rooms": [self.room]})
        self.connected.set()
        self._on_link(True)

    def _disconnected(self, *reason: Any) -> None:
        if reason and reason[0] == socketio.Client.reason.SERVER_DISCONNECT:
            self._wake.set()
        if self.connected.is_set() and not self._stop.is_set():
            log.warning("lost the link to the core at %s", self.core_url)
        self.connected.clear()
        if not self._stop.is_set():
            self._on_link(False)

    def _board(self, board: Any) -> None:
        if not isinstance(board, Mapping) or self._stop.is_set():
            return
        for view in board.get("counters") or []:
            if isinstance(view, Mapping) and view.get("number") == self.counter:
                self._on_counter(view)

    def _handler(self, name: str) -> Callable[[Any], None]:
        def handle(payload: Any = None) -> None:
            if not isinstance(payload, Mapping) or self._stop.is_set():
                return
            view = payload.get("counter")
            if name == "counter_updated" and isinstance(view, Mapping) \
                    and view.get("number") == self.counter:
                self._on_counter(view)
            self._on_event(name, payload)

        return handle


# --- lights and sound ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timings:
    """How long lights and beeps last (tests make them tiny)."""

    refuse_on: float = 0.08
    refuse_off: float = 0.08
    refuse_times: int = 3
    nothing_on: float = 0.4
    offline_on: float = 0.15
    offline_off: float = 1.6


class Signals:
    """One LED (steady "serving", or patterns) and an optional buzzer.

    Only one thread drives them: patterns play one after another, and after the last one
    the LED returns to its steady state (lit while serving, slow blink while the core is
    unreachable). Changing the state from any thread just asks that thread to show it.
    """

    def __init__(self, led: Any, buzzer: Any | None = None, *, timings: Timings | None = None) -> None:
        self.led = led
        self.buzzer = buzzer
        self.timings = timings or Timings()
        self.serving = False
        self.offline = False
        self.shown = threading.Condition()
        # The steady state last shown, (serving, offline), once nothing is left to play.
        self.steady: tuple[bool, bool] | None = None
        self._pending = 0
        self._patterns: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._play, daemon=True, name="keypad-signals")
        self._thread.start()

    def set_serving(self, serving: bool) -> None:
        with self.shown:
            self.serving = serving
        self._enqueue(_show_steady)

    def set_offline(self, offline: bool) -> None:
        with self.shown:
            self.offline = offline
        self._enqueue(_show_steady)

    def refuse(self) -> None:
        """Two beeps and a fast blink: the core said no, or could not be reached."""
        t = self.timings

        def pattern() -> None:
            if self.buzzer is not None:
                self.buzzer.beep(on_time=t.refuse_on, off_time=t.refuse_off, n=2, background=True)
            self.led.blink(on_time=t.refuse_on, off_time=t.refuse_off, n=t.refuse_times,
                           background=False)

        self._enqueue(pattern)

    def nothing(self) -> None:
        """One long blink: the press worked but there was nothing to do (nobody waits)."""
        t = self.timings

        def pattern() -> None:
            self.led.off()
            self.led.blink(on_time=t.nothing_on, off_time=t.nothing_on, n=1, background=False)

        self._enqueue(pattern)

    def close(self) -> None:
        self._patterns.put(None)
        self._thread.join(2)

    def wait_steady(self, *, serving: bool | None = None, offline: bool | None = None,
                    timeout: float = 10.0) -> bool:
        """Wait until every pattern played and the LED shows this steady state."""

        def shown() -> bool:
            if self._pending or self.steady is None:
                return False
            return ((serving is None or self.steady[0] == serving)
                    and (offline is None or self.steady[1] == offline))

        with self.shown:
            return self.shown.wait_for(shown, timeout)

    def _enqueue(self, pattern: Callable[[], None]) -> None:
        with self.shown:
            self._pending += 1
        self._patterns.put(pattern)

    def _play(self) -> None:
        while True:
            pattern = self._patterns.get()
            if pattern is None:
                return
            try:
                if pattern is not _show_steady:
                    pattern()
                if self._patterns.empty():
                    self._show_steady()
            except Exception:  # a broken LED must not stop the keypad
                log.exception("signal pattern failed")
            with self.shown:
                self._pending -= 1
                self.shown.notify_all()

    def _show_steady(self) -> None:
        with self.shown:
            serving, offline = self.serving, self.offline
        if offline:
            t = self.timings
            self.led.blink(on_time=t.offline_on, off_time=t.offline_off, background=True)
        elif serving:
            self.led.on()
        else:
            self.led.off()
        with self.shown:
            self.steady = (serving, offline)


def _show_steady() -> None:
    """Marks a request to show the steady state (nothing to play)."""


# --- the keypad ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What one accepted press did."""

    action: str
    status: int
    code: str = ""
    label: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class _Listeners:
    outcomes: list[Outcome] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)


class KeypadSatellite:
    """The keypad of one counter: buttons → REST calls, LED and buzzer ← the core's answers."""

    def __init__(self, counter: int, client: CoreClient, *, pins: KeypadPins | None = None,
                 pin_factory: Any = None, debounce_seconds: float = DEBOUNCE_SECONDS,
                 repeat_seconds: float = REPEAT_SECONDS,
                 clock: Callable[[], float] = time.monotonic, timings: Timings | None = None,
                 watch: bool = True) -> None:
        self.counter = counter
        self.client = client
        self.pins = pins or KeypadPins()
        self.debounce_seconds = debounce_seconds
        self.repeat_seconds = repeat_seconds
        self.clock = clock
        self.signals: Signals | None = None
        self.watch: CounterWatch | None = None
        self._pin_factory = pin_factory
        self._timings = timings
        self._watch_enabled = watch
        self._devices: list[Any] = []
        self._presses: queue.Queue[str | None] = queue.Queue(maxsize=4)
        self._worker: threading.Thread | None = None
        self._listeners = _Listeners()

    # --- life cycle ---

    def start(self) -> None:
        """Open the pins, start sending presses and following the counter."""
        from gpiozero import LED, Buzzer

        factory = self._pin_factory
        led = LED(self.pins.led, pin_factory=factory)
        buzzer = Buzzer(self.pins.buzzer, pin_factory=factory) if self.pins.buzzer is not None else None
        self._devices = [led] + ([buzzer] if buzzer is not None else [])
        self.signals = Signals(led, buzzer, timings=self._timings)
        for action, pin in self.pins.buttons().items():
            self._devices.append(DebouncedButton(
                pin, debounce=self.debounce_seconds, min_interval=self.repeat_seconds,
                clock=self.clock, when_pressed=self._pressed_handler(action), pin_factory=factory))
        self._worker = threading.Thread(target=self._work, daemon=True,
                                        name=f"keypad-{self.counter}")
        self._worker.start()
        if self._watch_enabled:
            self.signals.set_offline(True)
            self.watch = CounterWatch(self.client.core_url, self.client.token, self.counter,
                                      on_counter=self._counter_changed, on_link=self._link)
            self.watch.start()

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.stop()
        if self._worker is not None:
            self._presses.put(None)
            self._worker.join(5)
        if self.signals is not None:
            self.signals.close()
        for device in self._devices:
            device.close()
        self.client.close()

    # --- presses ---

    def press(self, action: str) -> bool:
        """Send one (debounced) press of `action`; False if presses come too fast to send."""
        if action not in ACTIONS:
            raise ValueError(f"no keypad action {action!r}; one of {', '.join(ACTIONS)}")
        try:
            self._presses.put_nowait(action)
        except queue.Full:
            log.warning("presses are coming faster than the core answers; dropped %s", action)
            self._signals().refuse()
            return False
        return True

    def _pressed_handler(self, action: str) -> Callable[[Any], None]:
        def pressed(pin: Any) -> None:
            self.press(action)

        return pressed

    def _work(self) -> None:
        while True:
            action = self._presses.get()
            if action is None:
                return
            outcome = self._send(action)
            self._show(outcome)
            with self._listeners.changed:
                self._listeners.outcomes.append(outcome)
                self._listeners.changed.notify_all()

    def _send(self, action: str) -> Outcome:
        path = f"/api/v1/counters/{self.counter}/{ACTIONS[action]}"
        try:
            reply = self.client.post(path)
        except CoreUnreachable as exc:
            log.warning("%s: %s", action, exc)
            return Outcome(action, 0, "unreachable", message=str(exc))
        ticket = reply.data if isinstance(reply.data, Mapping) else {}
        if not reply.ok:
            if reply.status == 401:
                log.error("the core refused the keypad token: create one with "
                          "`xephang token create keypad-%d --role keypad --counter %d`",
                          self.counter, self.counter)
            else:
                log.info("%s refused (%d %s): %s", action, reply.status, reply.error_code,
                         reply.error_message)
        return Outcome(action, reply.status, reply.error_code, str(ticket.get("label") or ""),
                       reply.error_message)

    def _show(self, outcome: Outcome) -> None:
        signals = self._signals()
        if not outcome.ok:
            signals.refuse()
        elif outcome.status == 204:
            signals.set_serving(False)
            signals.nothing()
        else:
            signals.set_serving(outcome.action in ("next", "recall"))

    # --- the core's view of the counter ---

    def _counter_changed(self, view: Mapping[str, Any]) -> None:
        self._signals().set_serving(view.get("current") is not None)

    def _link(self, up: bool) -> None:
        self._signals().set_offline(not up)

    def _signals(self) -> Signals:
        if self.signals is None:
            raise HardwareError("the keypad is not started")
        return self.signals

    # --- for tests and the CLI ---

    def wait_outcomes(self, count: int, timeout: float = 10.0) -> list[Outcome]:
        """Wait until `count` presses were answered; return all outcomes so far."""
        with self._listeners.changed:
            self._listeners.changed.wait_for(lambda: len(self._listeners.outcomes) >= count,
                                             timeout)
            return list(self._listeners.outcomes)
