"""GPIO buttons and lights over gpiozero, with debouncing done (and tested) in our code.

gpiozero's own `bounce_time` is ignored by its mock pins, so a `DebouncedButton`
reads every edge itself and accepts a press only after the line was quiet for
`debounce` seconds; its clock is injectable, so tests drive time. Pins come from
gpiozero's pin factory: real pins on a Raspberry Pi, `MockFactory` in tests
(``GPIOZERO_PIN_FACTORY=mock`` selects it from outside).

>>> from gpiozero import Device
>>> from gpiozero.pins.mock import MockFactory
>>> Device.pin_factory = MockFactory()
>>> now = [0.0]
>>> presses = []
>>> button = DebouncedButton(17, debounce=0.05, clock=lambda: now[0], when_pressed=presses.append)
>>> pin = Device.pin_factory.pin(17)
>>> pin.drive_low(); now[0] += 0.002; pin.drive_high(); pin.drive_low()  # one press, bouncing
>>> presses
[17]
>>> button.close(); Device.pin_factory.reset()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .errors import HardwareError

__all__ = ["DebouncedButton", "GpioUnavailable", "IndicatorLight"]


class GpioUnavailable(HardwareError, OSError):
    """No GPIO pins could be opened (not a Raspberry Pi, or no pin library)."""


def _gpiozero() -> Any:
    try:
        import gpiozero
    except ImportError as exc:  # pragma: no cover - gpiozero is a dependency
        raise GpioUnavailable("gpiozero is not installed") from exc
    return gpiozero


class DebouncedButton:
    """A push button on `pin` (to ground, with the internal pull-up by default).

    `when_pressed(pin)` runs once per real press: an edge is taken only after
    `debounce` seconds without any edge, and presses closer than `min_interval`
    to the last accepted one are ignored too.
    """

    def __init__(self, pin: int | str, *, debounce: float = 0.05, min_interval: float = 0.0,
                 pull_up: bool = True, clock: Callable[[], float] = time.monotonic,
                 when_pressed: Callable[[Any], None] | None = None,
                 pin_factory: Any = None) -> None:
        gpiozero = _gpiozero()
        self.pin = pin
        self.debounce = debounce
        self.min_interval = min_interval
        self.clock = clock
        self.when_pressed = when_pressed
        self.presses = 0
        self._last_edge = -float("inf")
        self._last_press = -float("inf")
        self._lock = threading.Lock()
        try:
            self._button = gpiozero.Button(pin, pull_up=pull_up, bounce_time=None,
                                           pin_factory=pin_factory)
        except gpiozero.GPIOZeroError as exc:
            raise GpioUnavailable(f"GPIO pin {pin}: {exc}") from exc
        self._button.when_pressed = self._pressed
        self._button.when_released = self._released

    @property
    def is_pressed(self) -> bool:
        return bool(self._button.is_pressed)

    def _pressed(self) -> None:
        now = self.clock()
        with self._lock:
            quiet = now - self._last_edge >= self.debounce
            spaced = now - self._last_press >= self.min_interval
            self._last_edge = now
            if not (quiet and spaced):
                return
            self._last_press = now
            self.presses += 1
        if self.when_pressed is not None:
            self.when_pressed(self.pin)

    def _released(self) -> None:
        with self._lock:
            self._last_edge = self.clock()

    def close(self) -> None:
        self._button.close()


class IndicatorLight:
    """An LED that says one thing at a time: `on`, `off`, or `blink` fast or slow."""

    def __init__(self, pin: int | str, *, pin_factory: Any = None) -> None:
        gpiozero = _gpiozero()
        try:
            self._led = gpiozero.LED(pin, pin_factory=pin_factory)
        except gpiozero.GPIOZeroError as exc:
            raise GpioUnavailable(f"GPIO pin {pin}: {exc}") from exc
        self.pin = pin
        self.mode = "off"

    def on(self) -> None:
        self.mode = "on"
        self._led.on()

    def off(self) -> None:
        self.mode = "off"
        self._led.off()

    def blink(self, *, fast: bool = False) -> None:
        mode = "blink_fast" if fast else "blink_slow"
        if self.mode == mode:
            return
        self.mode = mode
        period = 0.15 if fast else 0.8
        self._led.blink(on_time=period, off_time=period)

    @property
    def is_lit(self) -> bool:
        return bool(self._led.is_lit)

    def close(self) -> None:
        self._led.close()
