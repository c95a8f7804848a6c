"""The button kiosk on gpiozero's mock pins against a real core served in this process."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from hardware.gpio import DebouncedButton
from hardware.printer import FakePrinter, NullPrinter, PaperOut
from kiosk.satellite import ButtonKiosk, parse_button
from queue_core.client.rest import CoreClient


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = previous


@pytest.fixture
def lights() -> list[str]:
    return []


@pytest.fixture
def printer() -> FakePrinter:
    return FakePrinter(width=384)


@pytest.fixture
def kiosk(live_core: Any, printer: FakePrinter, lights: list[str]) -> Iterator[ButtonKiosk]:
    made = ButtonKiosk(CoreClient(live_core.url, live_core.token()), printer, light=lights.append)
    assert made.refresh()
    yield made
    made.stop()


def wire(kiosk: ButtonKiosk, pin: int, service: str, clock: Clock,
         priority: str | None = None) -> DebouncedButton:
    return DebouncedButton(pin, debounce=0.05, clock=clock,
                           when_pressed=lambda _pin: kiosk.button_pressed(service, priority))


def core_print(live_core: Any, ticket_id: str) -> dict[str, Any]:
    return live_core.app.extensions["xephang_printer"].records.get(ticket_id)  # type: ignore[no-any-return]


def test_a_button_press_issues_and_prints_here(live_core: Any, kiosk: ButtonKiosk,
                                               printer: FakePrinter, mock_pins: MockFactory,
                                               lights: list[str]) -> None:
    clock = Clock()
    wire(kiosk, 17, "B", clock)
    mock_pins.pin(17).drive_low()
    assert kiosk.wait_for_results(1, timeout=5)
    result = kiosk.results[0]
    assert result.state == "issued" and result.ticket is not None
    assert result.ticket["label"] == "B001" and result.ticket["channel"] == "kiosk"
    assert [job.name for job in printer.jobs] == ["B001"]
    assert core_print(live_core, result.ticket["id"])["printed"] is True
    assert live_core.printer.jobs == []  # printed here, not at the core
    assert lights[-1] == "ready"


def test_a_bouncing_button_gives_one_ticket(live_core: Any, kiosk: ButtonKiosk,
                                            mock_pins: MockFactory) -> None:
    clock = Clock()
    wire(kiosk, 17, "A", clock)
    pin = mock_pins.pin(17)
    pin.drive_low()
    for _ in range(4):
        clock.now += 0.003
        pin.drive_high()
        pin.drive_low()
    assert kiosk.wait_for_results(1, timeout=5)
    assert len(live_core.center.tickets(state="waiting")) == 1


def test_a_press_while_printing_does_nothing(live_core: Any, kiosk: ButtonKiosk,
                                             printer: FakePrinter, mock_pins: MockFactory) -> None:
    clock = Clock()
    wire(kiosk, 17, "A", clock)
    pin = mock_pins.pin(17)
    printer.hold()
    pin.drive_low()
    clock.now += 0.5
    pin.drive_high()
    clock.now += 0.5
    pin.drive_low()  # a second, real press while the first ticket is still printing
    printer.release()
    assert kiosk.wait_for_results(1, timeout=5)
    assert not kiosk.wait_for_results(2, timeout=0.3)
    assert len(live_core.center.tickets(state="waiting")) == 1


def test_priority_button(live_core: Any, kiosk: ButtonKiosk, mock_pins: MockFactory) -> None:
    wire(kiosk, 22, "A", Clock(), priority="elderly")
    mock_pins.pin(22).drive_low()
    assert kiosk.wait_for_results(1, timeout=5)
    assert kiosk.results[0].ticket is not None
    assert kiosk.results[0].ticket["priority"] == "elderly"


def test_printer_trouble_blinks_and_reaches_staff(live_core: Any, kiosk: ButtonKiosk,
                                                  printer: FakePrinter, lights: list[str]) -> None:
    printer.fail(PaperOut("no paper"))
    result = kiosk.press("A")
    assert result.state == "issued" and result.ticket is not None
    assert result.printed is not None and result.printed.code == "printer_paper_out"
    assert lights[-1] == "printer"
    assert core_print(live_core, result.ticket["id"])["printed"] is False
    # The kiosk's own printer, under the kiosk's own name (its token is "kiosk-None").
    device = live_core.app.extensions["xephang"].hub.device_report()["kiosk:kiosk-None"]
    assert device["status"] == "error" and result.ticket["label"] in device["message"]
    printer.recover()
    assert kiosk.press("A").state == "issued" and lights[-1] == "ready"


def test_core_out_of_reach_claims_no_ticket(printer: FakePrinter, lights: list[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kiosk = ButtonKiosk(CoreClient(f"http://127.0.0.1:{port}", "xph_nothing", timeout=0.5),
                        printer, light=lights.append, retry_seconds=0.0)
    assert kiosk.refresh() is False
    result = kiosk.press("A")
    assert result.state == "unreachable" and printer.jobs == []
    assert lights[-1] == "offline"
    kiosk.stop()


def test_no_printer_here_lets_the_core_print(live_core: Any) -> None:
    kiosk = ButtonKiosk(CoreClient(live_core.url, live_core.token()), NullPrinter())
    result = kiosk.press("F")
    assert result.state == "issued" and isinstance(result.printed, dict)
    assert result.printed["state"] == "printed"
    assert [job.name for job in live_core.printer.jobs] == ["F001"]
    kiosk.stop()


def test_a_refused_press_says_why(live_core: Any, kiosk: ButtonKiosk) -> None:
    result = kiosk.press("Z")
    assert result.state == "refused" and result.error is not None
    assert result.error["code"] == "unknown_service"


@pytest.mark.parametrize(("text", "pin", "service", "priority"), [
    ("A=17", 17, "A", None),
    ("b:pregnant=5", 5, "B", "pregnant"),
])
def test_button_mappings(text: str, pin: int, service: str, priority: str | None) -> None:
    mapping = parse_button(text)
    assert (mapping.pin, mapping.service, mapping.priority) == (pin, service, priority)


@pytest.mark.parametrize("text", ["A", "=17", "A=pin", "A:elderly"])
def test_bad_button_mappings_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="FIELD=PIN"):
        parse_button(text)
