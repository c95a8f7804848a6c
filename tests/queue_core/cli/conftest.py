"""Fixtures of the GPIO satellites' tests: gpiozero's mock pins and a clock that waits to be told."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory
from support_core import Ticker


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    factory = MockFactory()
    Device.pin_factory = factory
    yield factory
    factory.reset()
    Device.pin_factory = None


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()
