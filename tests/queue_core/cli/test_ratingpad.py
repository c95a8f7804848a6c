"""The rating pad on gpiozero's mock pins against a real core served in this process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory
from support_core import Core, Ticker

from hardware.errors import HardwareError
from hardware.ratingpad import PadTimings, RatingPadPins
from queue_core.cli.devices import RatingOutcome, RatingPadSatellite
from queue_core.client.rest import CoreClient
from queue_core.domain.vocabulary import DEFAULT_RATING_LEVELS as LEVELS

FAST = PadTimings(thanks_on=0.002, thanks_off=0.002, refuse_on=0.002, refuse_off=0.002)
PINS = RatingPadPins()


@pytest.fixture
def pads(mock_pins: MockFactory, ticker: Ticker) -> Iterator[Any]:
    made: list[RatingPadSatellite] = []

    def make(url: str, token: str, counter: int = 3, *, watch: bool = True) -> RatingPadSatellite:
        pad = RatingPadSatellite(counter, CoreClient(url, token, timeout=3), pins=PINS,
                                 pin_factory=mock_pins, idle_seconds=20, clock=ticker,
                                 timings=FAST, watch=watch, tick_seconds=3600)
        pad.start()
        made.append(pad)
        return pad

    yield make
    for pad in made:
        pad.stop()


def push(factory: MockFactory, level: str) -> None:
    pin = factory.pin(PINS.buttons[LEVELS.index(level)])
    pin.drive_low()
    pin.drive_high()


def lit(factory: MockFactory) -> list[bool]:
    return [bool(factory.pin(pin).state) for pin in PINS.leds]


def rating_of(core: Core, ticket_id: str) -> Any:
    with core.center.store.read():
        return core.center.store.rating(ticket_id)


def test_request_lights_the_pad_and_one_press_rates(core: Core, pads: Any,
                                                    mock_pins: MockFactory) -> None:
    pad = pads(core.url, core.token("kiosk"))
    assert pad.watch is not None and pad.watch.synced.wait(10)
    ticket = core.serve_one()
    assert pad.wait_pending(True)
    assert pad.pending == ticket["id"] and lit(mock_pins) == [True, True, True]

    push(mock_pins, "satisfied")
    [outcome] = pad.wait_outcomes(1)
    assert outcome == RatingOutcome("satisfied", ticket["id"], 201)
    assert rating_of(core, ticket["id"]).level == "satisfied"
    assert rating_of(core, ticket["id"]).counter == 3
    assert lit(mock_pins) == [False, False, False]
    blinks = [change.state for change in mock_pins.pin(PINS.leds[1]).states]
    assert blinks.count(True) >= FAST.thanks_times


def test_presses_without_a_request_rate_nothing(core: Core, pads: Any, mock_pins: MockFactory,
                                                ticker: Ticker) -> None:
    pad = pads(core.url, core.token("kiosk"), watch=False)
    for level in LEVELS:
        ticker.now += 1
        push(mock_pins, level)
    assert pad.outcomes == [] and lit(mock_pins) == [False, False, False]


def test_exactly_one_rating_per_ticket(core: Core, pads: Any, mock_pins: MockFactory,
                                       ticker: Ticker) -> None:
    pad = pads(core.url, core.token("kiosk"), watch=False)
    ticket = core.serve_one()
    pad.request(ticket["id"], ticket["label"])
    pin = mock_pins.pin(PINS.buttons[0])
    for _ in range(4):  # a bouncing contact, then a second press a while later
        pin.drive_low()
        pin.drive_high()
    ticker.now += 2
    push(mock_pins, "unsatisfied")
    [outcome] = pad.wait_outcomes(1)
    assert outcome.level == "very_satisfied" and outcome.ok
    assert rating_of(core, ticket["id"]).level == "very_satisfied"
    assert len(pad.outcomes) == 1


def test_a_ticket_rated_elsewhere_is_refused_with_a_fast_blink(core: Core, pads: Any,
                                                                mock_pins: MockFactory) -> None:
    pad = pads(core.url, core.token("kiosk"), watch=False)
    ticket = core.serve_one()
    core.center.rate(ticket["id"], "very_satisfied")  # the tablet beside it was quicker
    pad.request(ticket["id"], ticket["label"])
    for pin in PINS.leds:
        mock_pins.pin(pin).clear_states()
    push(mock_pins, "unsatisfied")
    [outcome] = pad.wait_outcomes(1)
    assert (outcome.status, outcome.code) == (409, "already_rated")
    assert rating_of(core, ticket["id"]).level == "very_satisfied"
    for pin in PINS.leds:
        assert [c.state for c in mock_pins.pin(pin).states].count(True) >= FAST.refuse_times
    assert lit(mock_pins) == [False, False, False]


def test_no_press_in_time_goes_back_to_idle(core: Core, pads: Any, mock_pins: MockFactory,
                                            ticker: Ticker) -> None:
    pad = pads(core.url, core.token("kiosk"), watch=False)
    ticket = core.serve_one()
    pad.request(ticket["id"], ticket["label"])
    ticker.now += 19
    pad.tick()
    assert pad.pending == ticket["id"] and lit(mock_pins) == [True, True, True]
    ticker.now += 1
    pad.tick()
    assert pad.pending is None and lit(mock_pins) == [False, False, False]
    push(mock_pins, "satisfied")
    assert pad.outcomes == [] and rating_of(core, ticket["id"]) is None


def test_the_core_refuses_a_late_rating_too(core: Core, pads: Any, mock_pins: MockFactory) -> None:
    from queue_core.domain.clock import FakeClock

    clock = FakeClock(core.center.clock.now())
    core.center.clock = clock
    pad = pads(core.url, core.token("kiosk"), watch=False)
    ticket = core.serve_one()
    pad.request(ticket["id"], ticket["label"])
    clock.advance(minutes=5)  # the pad's own clock never timed out, the core's did
    push(mock_pins, "satisfied")
    [outcome] = pad.wait_outcomes(1)
    assert (outcome.status, outcome.code) == (409, "rating_expired")
    assert rating_of(core, ticket["id"]) is None


def test_a_new_request_replaces_the_one_not_answered(core: Core, pads: Any,
                                                     mock_pins: MockFactory) -> None:
    pad = pads(core.url, core.token("kiosk"), watch=False)
    first = core.serve_one()
    pad.request(first["id"], first["label"])
    second = core.serve_one()
    pad.request(second["id"], second["label"])
    push(mock_pins, "very_satisfied")
    [outcome] = pad.wait_outcomes(1)
    assert outcome.ticket == second["id"] and outcome.ok
    assert rating_of(core, first["id"]) is None


def test_only_requests_of_its_own_counter(core: Core, pads: Any, mock_pins: MockFactory) -> None:
    pad = pads(core.url, core.token("kiosk"))
    assert pad.watch is not None and pad.watch.synced.wait(10)
    core.serve_one(counter=1, service="A")
    mine = core.serve_one(counter=3, service="E")
    assert pad.wait_pending(True)
    assert pad.pending == mine["id"]


def test_a_pad_needs_one_button_and_led_per_level(mock_pins: MockFactory) -> None:
    levels = ("very_satisfied", "satisfied", "neutral", "unsatisfied")
    with pytest.raises(HardwareError, match="4 levels"):
        RatingPadSatellite(3, CoreClient("http://127.0.0.1:9", "t"), levels=levels, pins=PINS,
                           pin_factory=mock_pins)
    with pytest.raises(ValueError, match="no rating level"):
        RatingPadSatellite(3, CoreClient("http://127.0.0.1:9", "t"), pins=PINS,
                           pin_factory=mock_pins).press("meh")
