"""The rating pad: one button (and one LED) per satisfaction level, for centers that put a
button box at the counter instead of a tablet.

It follows the counter's room; when the core asks for a rating of the ticket just finished
there (``rating_requested``), every LED lights up to invite a press, for
``ratings.idle_seconds``. The first press sends the one rating of that ticket
(``POST /api/v1/counters/N/rating`` with a kiosk token); its LED then blinks a thank-you.
A refusal (already rated, too late) blinks all LEDs fast. Presses with no rating asked are
ignored, so a child playing with the box rates nothing.

>>> pad = RatingPadSatellite(3, CoreClient(url, token), levels=LEVELS)   # doctest: +SKIP
>>> pad.start()                                                         # doctest: +SKIP
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import HardwareError
from .gpio import DebouncedButton
from .keypad import DEBOUNCE_SECONDS, CoreClient, CoreUnreachable, CounterWatch

__all__ = ["LEVELS", "PadTimings", "RatingOutcome", "RatingPadPins", "RatingPadSatellite"]

log = logging.getLogger(__name__)

LEVELS = ("very_satisfied", "satisfied", "unsatisfied")


@dataclass(frozen=True)
class RatingPadPins:
    """BCM pins: one button and one LED per level, in the order of the levels.

    >>> RatingPadPins().buttons
    (17, 27, 22)
    """

    buttons: tuple[int, ...] = (17, 27, 22)
    leds: tuple[int, ...] = (23, 24, 25)


@dataclass(frozen=True)
class PadTimings:
    """How long the pad's lights blink (tests make them tiny)."""

    thanks_on: float = 0.25
    thanks_off: float = 0.25
    thanks_times: int = 4
    refuse_on: float = 0.08
    refuse_off: float = 0.08
    refuse_times: int = 4


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

    def __init__(self, counter: int, client: CoreClient, *, levels: Sequence[str] = LEVELS,
                 pins: RatingPadPins | None = None, pin_factory: Any = None,
                 idle_seconds: float = 20.0, debounce_seconds: float = DEBOUNCE_SECONDS,
                 clock: Callable[[], float] = time.monotonic, timings: PadTimings | None = None,
                 watch: bool = True, tick_seconds: float = 0.5) -> None:
        self.pins = pins or RatingPadPins()
        if len(self.pins.buttons) != len(levels) or len(self.pins.leds) != len(levels):
            raise HardwareError(
                f"the center rates with {len(levels)} levels ({', '.join(levels)}) but the pad "
                f"has {len(self.pins.buttons)} buttons and {len(self.pins.leds)} LEDs: give one "
                "button pin and one LED pin per level")
        self.counter = counter
        self.client = client
        self.levels = tuple(levels)
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.timings = timings or PadTimings()
        self.debounce_seconds = debounce_seconds
        self.watch: CounterWatch | None = None
        self.outcomes: list[RatingOutcome] = []
        self.changed = threading.Condition()
        self._pin_factory = pin_factory
        self._watch_enabled = watch
        self._tick_seconds = tick_seconds
        self._pending: _Pending | None = None
        self._lock = threading.Lock()
        self._leds: list[Any] = []
        self._buttons: list[Any] = []
        self._jobs: queue.Queue[tuple[str, _Pending] | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- life cycle ---

    def start(self) -> None:
        from gpiozero import LED

        factory = self._pin_factory
        self._leds = [LED(pin, pin_factory=factory) for pin in self.pins.leds]
        for level, pin in zip(self.levels, self.pins.buttons, strict=True):
            self._buttons.append(DebouncedButton(
                pin, debounce=self.debounce_seconds, clock=self.clock,
                when_pressed=self._pressed_handler(level), pin_factory=factory))
        for target, name in ((self._work, "send"), (self._tick_loop, "tick")):
            thread = threading.Thread(target=target, daemon=True,
                                      name=f"ratingpad-{self.counter}-{name}")
            thread.start()
            self._threads.append(thread)
        if self._watch_enabled:
            self.watch = CounterWatch(self.client.core_url, self.client.token, self.counter,
                                      on_event=self._event)
            self.watch.start()

    def stop(self) -> None:
        self._stop.set()
        if self.watch is not None:
            self.watch.stop()
        self._jobs.put(None)
        for thread in self._threads:
            thread.join(5)
        for device in self._leds + self._buttons:
            device.close()
        self.client.close()

    # --- the core asks ---

    def _event(self, name: str, payload: Mapping[str, Any]) -> None:
        if name != "rating_requested" or payload.get("counter") != self.counter:
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

    def _pressed_handler(self, level: str) -> Callable[[Any], None]:
        def pressed(pin: Any) -> None:
            self.press(level)

        return pressed

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            level, pending = job
            outcome = self._send(level, pending)
            if outcome.ok:
                self._thank(level)
            else:
                self._refuse()
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

    # --- lights ---

    def _lights(self, on: bool) -> None:
        for led in self._leds:
            led.value = on

    def _thank(self, level: str) -> None:
        t = self.timings
        self._lights(False)
        self._flash([self._leds[self.levels.index(level)]], t.thanks_on, t.thanks_off,
                    t.thanks_times)
        self._settle()

    def _refuse(self) -> None:
        t = self.timings
        self._flash(self._leds, t.refuse_on, t.refuse_off, t.refuse_times)
        self._settle()

    def _flash(self, leds: Sequence[Any], on: float, off: float, times: int) -> None:
        """Blink `leds` together, `times` times (in this worker thread, so in step)."""
        for _ in range(times):
            for led in leds:
                led.on()
            self._stop.wait(on)
            for led in leds:
                led.off()
            self._stop.wait(off)

    def _settle(self) -> None:
        # A new request may have come while blinking: show it, or go dark.
        self._lights(self.pending is not None)

    # --- for tests ---

    def wait_outcomes(self, count: int, timeout: float = 10.0) -> list[RatingOutcome]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.outcomes) >= count, timeout)
            return list(self.outcomes)

    def wait_pending(self, present: bool = True, timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: (self.pending is not None) == present, timeout)
