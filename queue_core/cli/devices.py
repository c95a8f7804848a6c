"""The counter's GPIO satellites: the keypad and the rating pad, composed of `client` and `hardware`.

Both talk to the core over the network only (`CoreClient` for presses, `CoreLink` on the
counter's room for what the core says), so they run on the core's box or on a small
board at the counter. The pins are driven by `hardware.keypad` and `hardware.ratingpad`.

Keypad: Next, Recall, No-show and Finish call the same REST API as the staff console,
with the keypad's device token. The LED is lit while a ticket is being served at the
counter (the core's events keep it right, whoever acted: keypad, console or a colleague);
a refused press beeps twice and blinks fast; while the core cannot be reached the LED
blinks slowly, and the link comes back by itself.

Rating pad: when the core asks for a rating of the ticket just finished at the counter
(``rating_requested``), every LED lights up for ``ratings.idle_seconds``. The first press
sends the one rating of that ticket (``POST /api/v1/counters/N/rating``, kiosk token); its
LED then blinks a thank-you. A refusal blinks all LEDs fast. Presses with no rating asked
are ignored, so a child playing with the box rates nothing.

>>> keypad = KeypadSatellite(2, CoreClient("http://127.0.0.1:8000", token))  # doctest: +SKIP
>>> keypad.start()                                                            # doctest: +SKIP
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hardware.keypad import DEBOUNCE_SECONDS, REPEAT_SECONDS, Keypad, KeypadPins, Signals, Timings
from hardware.ratingpad import PadTimings, RatingPad, RatingPadPins
from queue_core.client.link import CoreLink
from queue_core.client.rest import CoreClient, CoreUnreachable
from queue_core.domain.events import COUNTER_UPDATED, RATING_REQUESTED, counter_room
from queue_core.domain.vocabulary import DEFAULT_RATING_LEVELS

__all__ = ["ACTIONS", "KeypadSatellite", "Outcome", "RatingOutcome", "RatingPadSatellite"]

log = logging.getLogger(__name__)

# Keypad button → the counter operation it calls (POST /api/v1/counters/{n}/{operation}).
ACTIONS: dict[str, str] = {
    "next": "call-next",
    "recall": "recall",
    "no_show": "no-show",
    "finish": "finish",
}


def counter_link(client: CoreClient, counter: int, *,
                 on_counter: Callable[[Mapping[str, Any]], None] | None = None,
                 on_event: Callable[[str, Mapping[str, Any]], None] | None = None,
                 on_link: Callable[[bool], None] | None = None) -> CoreLink:
    """Return a link following counter `counter`'s room.

    `on_counter(view)` hears the Counter whenever the core says it changed (and from the
    Board on every connection), `on_event(name, payload)` every event of the room.
    """

    def board(snapshot: Mapping[str, Any]) -> None:
        for view in snapshot.get("counters") or []:
            if isinstance(view, Mapping) and view.get("number") == counter and on_counter:
                on_counter(view)

    def event(name: str, payload: Any) -> None:
        if not isinstance(payload, Mapping):
            return
        view = payload.get("counter")
        if (name == COUNTER_UPDATED and isinstance(view, Mapping)
                and view.get("number") == counter and on_counter):
            on_counter(view)
        if on_event:
            on_event(name, payload)

    return CoreLink(client.core_url, rooms=[counter_room(counter)], token=client.token,
                    on_board=board, on_event=event, on_link=on_link, reconnect_delay=0.5,
                    reconnect_delay_max=5.0, name=f"counter-{counter}-link")


# --- the keypad --------------------------------------------------------------------------------

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
        self.watch: CoreLink | None = None
        self._pin_factory = pin_factory
        self._timings = timings
        self._watch_enabled = watch
        self._keypad: Keypad | None = None
        self._presses: queue.Queue[str | None] = queue.Queue(maxsize=4)
        self._worker: threading.Thread | None = None
        self._listeners = _Listeners()

    # --- life cycle ---

    def start(self) -> None:
        """Open the pins, start sending presses and following the counter."""
        self._keypad = Keypad(self.pins, when_pressed=self._pressed, pin_factory=self._pin_factory,
                              debounce_seconds=self.debounce_seconds,
                              repeat_seconds=self.repeat_seconds, clock=self.clock,
                              timings=self._timings)
        self.signals = self._keypad.signals
        self._worker = threading.Thread(target=self._work, daemon=True,
                                        name=f"keypad-{self.counter}")
        self._worker.start()
        if self._watch_enabled:
            self.signals.set_offline(True)
            self.watch = counter_link(self.client, self.counter, on_counter=self._counter_changed,
                                      on_link=self._link)
            self.watch.start()

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.stop(timeout=1.0)
        if self._worker is not None:
            self._presses.put(None)
            self._worker.join(5)
        if self._keypad is not None:
            self._keypad.close()
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

    def _pressed(self, button: str) -> None:
        self.press(button)

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
        try:
            reply = self.client.post(f"/api/v1/counters/{self.counter}/{ACTIONS[action]}")
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
            raise RuntimeError("the keypad is not started")
        return self.signals

    # --- for tests and the CLI ---

    def wait_outcomes(self, count: int, timeout: float = 10.0) -> list[Outcome]:
        """Wait until `count` presses were answered; return all outcomes so far."""
        with self._listeners.changed:
            self._listeners.changed.wait_for(lambda: len(self._listeners.outcomes) >= count,
                                             timeout)
            return list(self._listeners.outcomes)


# --- the rating pad ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RatingOutcome:
    """What one rating press did."""

    level: str
    ticket: str
    status: int
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class _Pending:
    ticket: str
    label: str
    deadline: float


class RatingPadSatellite:
    """Buttons and LEDs of one counter's rating pad, driven by the core's rating requests."""

    def __init__(self, counter: int, client: CoreClient, *,
                 levels: Sequence[str] = DEFAULT_RATING_LEVELS, pins: RatingPadPins | None = None,
                 pin_factory: Any = None, idle_seconds: float = 20.0,
                 debounce_seconds: float = DEBOUNCE_SECONDS,
                 clock: Callable[[], float] = time.monotonic, timings: PadTimings | None = None,
                 watch: bool = True, tick_seconds: float = 0.5) -> None:
        self.pins = pins or RatingPadPins()
        self.counter = counter
        self.client = client
        self.levels = tuple(levels)
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.timings = timings or PadTimings()
        self.debounce_seconds = debounce_seconds
        self.watch: CoreLink | None = None
        self.outcomes: list[RatingOutcome] = []
        self.changed = threading.Condition()
        self._pin_factory = pin_factory
        self._watch_enabled = watch
        self._tick_seconds = tick_seconds
        self._pending: _Pending | None = None
        self._lock = threading.Lock()
        self._pad: RatingPad | None = None
        self._jobs: queue.Queue[tuple[str, _Pending] | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        # The pins must fit the levels before anything is opened.
        self.pins.check(self.levels)

    # --- life cycle ---

    def start(self) -> None:
        self._pad = RatingPad(self.pins, levels=self.levels, when_pressed=self._pressed,
                              pin_factory=self._pin_factory,
                              debounce_seconds=self.debounce_seconds, clock=self.clock,
                              timings=self.timings)
        for target, name in ((self._work, "send"), (self._tick_loop, "tick")):
            thread = threading.Thread(target=target, daemon=True,
                                      name=f"ratingpad-{self.counter}-{name}")
            thread.start()
            self._threads.append(thread)
        if self._watch_enabled:
            self.watch = counter_link(self.client, self.counter, on_event=self._event)
            self.watch.start()

    def stop(self) -> None:
        self._stop.set()
        if self._pad is not None:
            self._pad.interrupt()
        if self.watch is not None:
            self.watch.stop(timeout=1.0)
        self._jobs.put(None)
        for thread in self._threads:
            thread.join(5)
        if self._pad is not None:
            self._pad.close()
        self.client.close()

    # --- the core asks ---

    def _event(self, name: str, payload: Mapping[str, Any]) -> None:
        if name != RATING_REQUESTED or payload.get("counter") != self.counter:
            return
        ticket = payload.get("ticket")
        if isinstance(ticket, Mapping) and isinstance(ticket.get("id"), str):
            self.request(ticket["id"], str(ticket.get("label") or ""))

    def request(self, ticket_id: str, label: str = "") -> None:
        """Invite a rating of `ticket_id`: all LEDs on until a press or the timeout."""
        with self._lock:
            self._pending = _Pending(ticket_id, label, self.clock() + self.idle_seconds)
        log.info("rating asked for %s", label or ticket_id)
        self._lights(True)
        with self.changed:
            self.changed.notify_all()

    @property
    def pending(self) -> str | None:
        """The ticket a press would rate now, if any."""
        with self._lock:
            return self._pending.ticket if self._pending else None

    def tick(self) -> None:
        """Go back to idle once the rating was not given in time."""
        with self._lock:
            expired = self._pending is not None and self.clock() >= self._pending.deadline
            if expired:
                self._pending = None
        if expired:
            log.info("no rating given in time; idle again")
            self._lights(False)
            with self.changed:
                self.changed.notify_all()

    def _tick_loop(self) -> None:
        while not self._stop.wait(self._tick_seconds):
            self.tick()

    # --- the citizen presses ---

    def press(self, level: str) -> bool:
        """Handle a (debounced) press of `level`'s button; True if it sends a rating.

        Only the first press after a request counts: it takes the request, so a second
        press, or two buttons at once, rate nothing more.
        """
        if level not in self.levels:
            raise ValueError(f"no rating level {level!r}; one of {', '.join(self.levels)}")
        self.tick()
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is None:
            return False
        self._jobs.put((level, pending))
        return True

    def _pressed(self, index: int) -> None:
        self.press(self.levels[index])

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            level, pending = job
            outcome = self._send(level, pending)
            pad = self._pad
            if pad is not None:
                if outcome.ok:
                    pad.thank(self.levels.index(level))
                else:
                    pad.refuse()
                # A new request may have come while blinking: show it, or go dark.
                self._lights(self.pending is not None)
            with self.changed:
                self.outcomes.append(outcome)
                self.changed.notify_all()

    def _send(self, level: str, pending: _Pending) -> RatingOutcome:
        try:
            reply = self.client.post(f"/api/v1/counters/{self.counter}/rating",
                                     {"ticket": pending.ticket, "level": level})
        except CoreUnreachable as exc:
            log.warning("rating of %s not sent: %s", pending.label, exc)
            return RatingOutcome(level, pending.ticket, 0, "unreachable", str(exc))
        if not reply.ok:
            log.info("rating of %s refused (%d %s): %s", pending.label, reply.status,
                     reply.error_code, reply.error_message)
        return RatingOutcome(level, pending.ticket, reply.status, reply.error_code,
                             reply.error_message)

    def _lights(self, on: bool) -> None:
        if self._pad is not None:
            self._pad.lights(on)

    # --- for tests ---

    def wait_outcomes(self, count: int, timeout: float = 10.0) -> list[RatingOutcome]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.outcomes) >= count, timeout)
            return list(self.outcomes)

    def wait_pending(self, present: bool = True, timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: (self.pending is not None) == present, timeout)
