"""The network backend against a local ESC/POS printer emulator that can misbehave.

Every fault must end within the job's deadline with a PrinterError that says why.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from PIL import Image, ImageDraw

from hardware.printer import (
    EscposPrinter,
    PaperOut,
    PrinterDisconnected,
    PrinterEmulator,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
    escpos_job,
)

BUDGET = 1.5


def ticket_like(width: int = 576, height: int = 900) -> Image.Image:
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 5):
        draw.line((0, y, width, y), fill=0)
    # A raster row whose bytes read 10 04 01 (DLE EOT 1) must not be taken for a query.
    looks_like_query = bytes(0xFF ^ b for b in b"\x10\x04\x01" * (width // 24))
    image.paste(Image.frombytes("1", (width, 1), looks_like_query), (0, 1))
    return image


@pytest.fixture
def emulator() -> Iterator[PrinterEmulator]:
    with PrinterEmulator() as running:
        yield running


def network(port: int, **options: object) -> EscposPrinter:
    return EscposPrinter.network("127.0.0.1", port, profile="TM-T20II", width=576,
                                 timeout=BUDGET, **options)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_job_arrives_whole_between_two_status_checks(emulator: PrinterEmulator) -> None:
    image = ticket_like()
    status = network(emulator.port).print_image(image, name="A001")
    assert status.state == "online"
    assert emulator.wait_for_cuts(1, timeout=2)
    received = emulator.received()
    job = escpos_job(image, profile="TM-T20II")
    assert job in received
    # DLE EOT 1 and 4 before the job, and again after it.
    assert received.startswith(b"\x10\x04\x01\x10\x04\x04")
    assert received.endswith(b"\x10\x04\x01\x10\x04\x04")
    assert emulator.jobs[0].queries == [1, 4, 1, 4]
    assert emulator.jobs[0].images == 4 and emulator.jobs[0].cuts == 1


def test_paper_low_still_prints_and_says_so(emulator: PrinterEmulator) -> None:
    emulator.mode = "paper_low"
    assert network(emulator.port).print_image(ticket_like()).state == "paper_low"
    assert emulator.cuts == 1


def test_out_of_paper_sends_no_job(emulator: PrinterEmulator) -> None:
    emulator.mode = "paper_out"
    started = time.monotonic()
    with pytest.raises(PaperOut):
        network(emulator.port).print_image(ticket_like())
    assert time.monotonic() - started < 2.0
    assert emulator.wait_for_connections(1, timeout=2)
    assert emulator.cuts == 0 and emulator.jobs[0].images == 0
    assert network(emulator.port).status().state == "paper_out"


def test_absent_printer_is_offline_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(PrinterOffline):
        network(free_port()).print_image(ticket_like())
    assert time.monotonic() - started < 2.0


def test_switched_off_mid_day_is_offline(emulator: PrinterEmulator) -> None:
    printer = network(emulator.port)
    printer.print_image(ticket_like())
    emulator.stop()
    with pytest.raises(PrinterOffline):
        printer.print_image(ticket_like())
    with pytest.raises(PrinterOffline):
        printer.status()


def test_stalled_printer_times_out_within_the_deadline(emulator: PrinterEmulator) -> None:
    emulator.mode, emulator.after_bytes = "stall", 2000
    started = time.monotonic()
    with pytest.raises(PrinterTimeout):
        network(emulator.port).print_image(ticket_like(), deadline=started + BUDGET)
    elapsed = time.monotonic() - started
    assert BUDGET - 0.2 < elapsed < 2.0


def test_connection_closed_mid_job_is_not_taken_for_a_ticket(emulator: PrinterEmulator) -> None:
    emulator.mode, emulator.after_bytes = "drop", 3000
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        network(emulator.port).print_image(ticket_like())
    assert isinstance(caught.value, (PrinterDisconnected, PrinterTimeout))
    assert time.monotonic() - started < 2.0
    assert emulator.cuts == 0


def test_small_job_dropped_after_sending_is_still_caught(emulator: PrinterEmulator) -> None:
    # The whole job fits in the socket buffers, so sending "succeeds": the status query
    # after it is what notices the printer went away.
    emulator.mode, emulator.after_bytes = "drop", 10
    with pytest.raises(PrinterDisconnected):
        network(emulator.port).print_image(ticket_like(384, 40))


def test_printer_that_never_answers_status_prints_without_waiting_again(
        emulator: PrinterEmulator) -> None:
    emulator.mode = "silent"
    # A status wait of a whole second: the second job, which must not wait at all, stays far
    # below it even on a busy machine (a job itself takes a few hundredths of a second).
    printer = network(emulator.port, status_timeout=1.0)
    assert printer.print_image(ticket_like()).state == "unknown"
    assert printer.answers_status is False
    started = time.monotonic()
    printer.print_image(ticket_like())
    assert time.monotonic() - started < 0.9  # no more status waits
    assert emulator.wait_for_cuts(2, timeout=2)


def test_status_reads_the_printer(emulator: PrinterEmulator) -> None:
    printer = network(emulator.port)
    assert printer.status().state == "online"
    emulator.mode = "paper_low"
    assert printer.status().state == "paper_low"
    emulator.mode = "silent"
    assert printer.status(timeout=0.5).state == "unknown"
