"""Debounced buttons and the status light on gpiozero's mock pins, with an injected clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from hardware.gpio import DebouncedButton, GpioUnavailable, IndicatorLight


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = previous


@pytest.fixture
def clock() -> Clock:
    return Clock()


def button(pin: int, clock: Clock, presses: list[Any], **options: Any) -> DebouncedButton:
    return DebouncedButton(pin, clock=clock, when_pressed=presses.append, **options)


def test_a_bouncing_press_counts_once(mock_pins: MockFactory, clock: Clock) -> None:
    presses: list[Any] = []
    button(17, clock, presses, debounce=0.05)
    pin = mock_pins.pin(17)
    pin.drive_low()
    for _ in range(5):  # contact bounce: a few edges within milliseconds
        clock.advance(0.002)
        pin.drive_high()
        clock.advance(0.002)
        pin.drive_low()
    clock.advance(0.3)
    pin.drive_high()
    clock.advance(0.003)  # the release bounces too
    pin.drive_low()
    clock.advance(0.003)
    pin.drive_high()
    assert presses == [17]


def test_two_real_presses_count_twice(mock_pins: MockFactory, clock: Clock) -> None:
    presses: list[Any] = []
    pressed = button(17, clock, presses, debounce=0.05)
    pin = mock_pins.pin(17)
    pin.drive_low()
    assert pressed.is_pressed
    clock.advance(0.2)
    pin.drive_high()
    clock.advance(0.2)
    pin.drive_low()
    assert presses == [17, 17] and pressed.presses == 2


def test_presses_closer_than_min_interval_are_ignored(mock_pins: MockFactory, clock: Clock) -> None:
    presses: list[Any] = []
    button(22, clock, presses, debounce=0.05, min_interval=1.0)
    pin = mock_pins.pin(22)
    for _ in range(3):  # a child hammering the button
        pin.drive_low()
        clock.advance(0.1)
        pin.drive_high()
        clock.advance(0.1)
    clock.advance(1.0)
    pin.drive_low()
    assert presses == [22, 22]


def test_buttons_are_independent(mock_pins: MockFactory, clock: Clock) -> None:
    presses: list[Any] = []
    button(17, clock, presses)
    button(27, clock, presses)
    mock_pins.pin(17).drive_low()
    mock_pins.pin(27).drive_low()
    assert presses == [17, 27]


def test_a_used_pin_is_a_clear_error(mock_pins: MockFactory, clock: Clock) -> None:
    button(17, clock, [])
    with pytest.raises(GpioUnavailable, match="GPIO pin 17"):
        button(17, clock, [])


def test_indicator_light_modes(mock_pins: MockFactory) -> None:
    light = IndicatorLight(5)
    pin = mock_pins.pin(5)
    light.on()
    assert pin.state and light.mode == "on" and light.is_lit
    light.blink(fast=True)
    assert light.mode == "blink_fast"
    light.blink(fast=False)
    assert light.mode == "blink_slow"
    light.off()
    assert not pin.state and light.mode == "off"
    light.close()
