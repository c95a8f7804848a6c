"""The rating pad as a device: one button and one LED per satisfaction level.

What a press means is decided by the rating-pad satellite
(`queue_core.cli.devices.RatingPadSatellite`), which talks to the core; this module
drives the pins: lights on to invite a press, a thank-you blink on one LED, a fast
blink of all of them for a refusal.

>>> RatingPadPins().buttons
(17, 27, 22)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import HardwareError
from .gpio import DebouncedButton
from .keypad import DEBOUNCE_SECONDS

__all__ = ["PadTimings", "RatingPad", "RatingPadPins"]


@dataclass(frozen=True)
class RatingPadPins:
    """BCM pins: one button and one LED per level, in the order of the levels.

    >>> RatingPadPins().buttons
    (17, 27, 22)
    """

    buttons: tuple[int, ...] = (17, 27, 22)
    leds: tuple[int, ...] = (23, 24, 25)

    def check(self, levels: Sequence[str]) -> None:
        """Refuse pins that do not give one button and one LED per level."""
        if len(self.buttons) != len(levels) or len(self.leds) != len(levels):
            raise HardwareError(
                f"the center rates with {len(levels)} levels ({', '.join(levels)}) but the pad "
                f"has {len(self.buttons)} buttons and {len(self.leds)} LEDs: give one button "
                "pin and one LED pin per level")


@dataclass(frozen=True)
class PadTimings:
    """How long the pad's lights blink (tests make them tiny)."""

    thanks_on: float = 0.25
    thanks_off: float = 0.25
    thanks_times: int = 4
    refuse_on: float = 0.08
    refuse_off: float = 0.08
    refuse_times: int = 4


class RatingPad:
    """The pins of one rating pad: `when_pressed(index)` per debounced press of button `index`."""

    def __init__(self, pins: RatingPadPins, *, levels: Sequence[str],
                 when_pressed: Callable[[int], None],
                 pin_factory: Any = None, debounce_seconds: float = DEBOUNCE_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 timings: PadTimings | None = None) -> None:
        pins.check(levels)
        from gpiozero import LED

        self.timings = timings or PadTimings()
        # Set on close: a blink in progress ends at once.
        self._closing = threading.Event()
        self._leds = [LED(pin, pin_factory=pin_factory) for pin in pins.leds]
        self._buttons = [DebouncedButton(pin, debounce=debounce_seconds, clock=clock,
                                         when_pressed=_calling(when_pressed, index),
                                         pin_factory=pin_factory)
                         for index, pin in enumerate(pins.buttons)]

    def lights(self, on: bool) -> None:
        """Light every LED (a rating is asked) or none."""
        for led in self._leds:
            led.value = on

    def thank(self, index: int) -> None:
        """Blink the pressed level's LED a few times (blocks while it blinks)."""
        t = self.timings
        self.lights(False)
        self._flash([self._leds[index]], t.thanks_on, t.thanks_off, t.thanks_times)

    def refuse(self) -> None:
        """Blink every LED fast (blocks while it blinks)."""
        t = self.timings
        self._flash(self._leds, t.refuse_on, t.refuse_off, t.refuse_times)

    def _flash(self, leds: Sequence[Any], on: float, off: float, times: int) -> None:
        """Blink `leds` together, `times` times (in the caller's thread, so in step)."""
        for _ in range(times):
            for led in leds:
                led.on()
            self._closing.wait(on)
            for led in leds:
                led.off()
            self._closing.wait(off)

    def interrupt(self) -> None:
        """End a blink in progress at once (the pad is being stopped)."""
        self._closing.set()

    def close(self) -> None:
        self._closing.set()
        for device in self._leds + self._buttons:
            device.close()


def _calling(when_pressed: Callable[[int], None], index: int) -> Callable[[Any], None]:
    def pressed(pin: Any) -> None:
        when_pressed(index)

    return pressed
