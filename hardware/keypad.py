"""The counter keypad as a device: four debounced buttons, a "serving" LED and a buzzer.

What the buttons do and what the LED shows is decided by the keypad satellite
(`queue_core.cli.devices.KeypadSatellite`), which talks to the core; this module only
drives the pins. Presses are debounced in our code (`hardware.gpio.DebouncedButton`), not
by gpiozero's ``bounce_time``: its mock pins ignore it, and a test must prove the debounce
with an injected clock. A button also ignores a second press within `repeat_seconds`.

>>> KeypadPins().buttons()["next"]
5
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .gpio import DebouncedButton

__all__ = ["BUTTONS", "DEBOUNCE_SECONDS", "REPEAT_SECONDS", "Keypad", "KeypadPins", "Signals",
           "Timings"]

log = logging.getLogger(__name__)

# The keypad's buttons, in the order they sit.
BUTTONS = ("next", "recall", "no_show", "finish")
# A contact is settled after this long without an edge.
DEBOUNCE_SECONDS = 0.05
# A second press of the same button this soon is taken as the same press.
REPEAT_SECONDS = 0.25


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


# --- the device ------------------------------------------------------------------------------------

class Keypad:
    """The pins of one keypad: `when_pressed(button)` for each debounced press, `signals` to show.

    Opening it takes the pins; `close()` gives them back.
    """

    def __init__(self, pins: KeypadPins, *, when_pressed: Callable[[str], None],
                 pin_factory: Any = None, debounce_seconds: float = DEBOUNCE_SECONDS,
                 repeat_seconds: float = REPEAT_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 timings: Timings | None = None) -> None:
        from gpiozero import LED, Buzzer

        led = LED(pins.led, pin_factory=pin_factory)
        buzzer = Buzzer(pins.buzzer, pin_factory=pin_factory) if pins.buzzer is not None else None
        self._devices: list[Any] = [led] + ([buzzer] if buzzer is not None else [])
        self.signals = Signals(led, buzzer, timings=timings)
        for button, pin in pins.buttons().items():
            self._devices.append(DebouncedButton(
                pin, debounce=debounce_seconds, min_interval=repeat_seconds, clock=clock,
                when_pressed=_calling(when_pressed, button), pin_factory=pin_factory))

    def close(self) -> None:
        self.signals.close()
        for device in self._devices:
            device.close()


def _calling(when_pressed: Callable[[str], None], button: str) -> Callable[[Any], None]:
    def pressed(pin: Any) -> None:
        when_pressed(button)

    return pressed
