"""Printer adapters without a network: status decoding, the job's bytes, the fake, the factory."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image

from hardware.printer import (
    FakePrinter,
    NoPrinter,
    NullPrinter,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
    decode_status,
    escpos_job,
    open_printer,
)
from queue_core.config import HardwareSettings


def striped(width: int = 384, height: int = 300) -> Image.Image:
    image = Image.new("1", (width, height), 1)
    for y in range(0, height, 7):
        for x in range(width):
            image.putpixel((x, y), 0)
    return image


@pytest.mark.parametrize(("printer", "paper", "cause", "state"), [
    (0x16, 0x12, None, "online"),
    (0x12, 0x12, None, "online"),
    (0x16, 0x1E, None, "paper_low"),
    (0x1E, 0x7E, 0x32, "paper_out"),
    (0x16, 0x72, None, "paper_out"),  # paper end without the near-end sensor
    (0x1E, 0x12, 0x16, "cover_open"),
    (0x1E, 0x12, 0x12, "offline"),
    (None, None, None, "unknown"),
])
def test_dle_eot_answers_are_read(printer: int | None, paper: int | None, cause: int | None,
                                  state: str) -> None:
    assert decode_status(printer, paper, cause).state == state


def test_job_is_init_raster_bands_and_a_cut_as_python_escpos_would_send() -> None:
    image = striped(576, 600)
    data = escpos_job(image, profile="TM-T20II")
    reference = Dummy(profile="TM-T20II")
    reference._raw(b"\x1b@")
    reference.image(image, fragment_height=256)
    reference.cut()
    assert data == reference.output
    assert data.startswith(b"\x1b@\x1dv0\x00" + (72).to_bytes(2, "little") + (256).to_bytes(2, "little"))
    assert data.count(b"\x1dv0") == 3  # 256 + 256 + 88 rows
    assert data.endswith(b"\x1dV\x00")


def test_fake_printer_saves_png_and_raw_bytes(tmp_path: Path) -> None:
    printer = FakePrinter(width=384, folder=tmp_path / "printer-jobs")
    status = printer.print_image(striped(), name="A001")
    job = printer.jobs[0]
    assert status.state == "online" and job.name == "A001"
    assert job.png_path is not None and job.bin_path is not None
    assert job.png_path.parent == tmp_path / "printer-jobs" and job.png_path.name.endswith("-A001.png")
    assert job.bin_path.read_bytes() == job.data == escpos_job(striped())
    with Image.open(job.png_path) as saved:
        assert saved.size == (384, 300)


def test_fake_printer_fails_until_it_recovers() -> None:
    printer = FakePrinter(width=384)
    printer.fail(PaperOut("no paper"))
    with pytest.raises(PaperOut):
        printer.print_image(striped())
    assert printer.status().state == "paper_out" and printer.jobs == []
    printer.recover()
    printer.print_image(striped())
    assert len(printer.jobs) == 1 and printer.attempts == 2


def test_held_fake_printer_times_out_at_the_deadline() -> None:
    printer = FakePrinter(width=384)
    printer.hold()
    started = time.monotonic()
    with pytest.raises(PrinterTimeout):
        printer.print_image(striped(), deadline=started + 0.2)
    assert time.monotonic() - started < 1.0
    printer.release()
    printer.print_image(striped())
    assert len(printer.jobs) == 1


def test_fake_printer_refuses_an_image_wider_than_its_paper() -> None:
    with pytest.raises(PrinterError):
        FakePrinter(width=384).print_image(striped(576))


def test_null_printer_says_there_is_none() -> None:
    with pytest.raises(NoPrinter):
        NullPrinter().print_image(striped())


def test_printer_errors_are_also_os_errors() -> None:
    assert issubclass(PrinterTimeout, TimeoutError) and issubclass(PrinterOffline, OSError)


@pytest.mark.parametrize(("options", "kind", "name"), [
    ({"printer": "fake"}, FakePrinter, "fake"),
    ({"printer": "none"}, NullPrinter, "none"),
    ({"printer": "network", "printer_host": "127.0.0.1", "printer_port": 9101}, None,
     "network 127.0.0.1:9101"),
    ({"printer": "usb", "printer_usb_vendor": 0x04B8, "printer_usb_product": 0x0202}, None,
     "usb 04b8:0202"),
    ({"printer": "serial", "printer_serial_device": "/dev/ttyUSB0"}, None, "serial /dev/ttyUSB0"),
    ({"printer": "file", "printer_file": "/dev/usb/lp0"}, None, "file /dev/usb/lp0"),
])
def test_open_printer_follows_the_configuration(tmp_path: Path, options: dict[str, object],
                                                kind: type | None, name: str) -> None:
    printer = open_printer(HardwareSettings(**options), tmp_path)  # type: ignore[arg-type]
    assert printer.name == name
    if kind is not None:
        assert isinstance(printer, kind)
    if isinstance(printer, FakePrinter):
        assert printer.folder == tmp_path / "printer-jobs" and printer.width == 576


@pytest.mark.parametrize("options", [
    {"printer": "network"},
    {"printer": "usb"},
    {"printer": "serial"},
    {"printer": "file"},
])
def test_an_incomplete_printer_configuration_is_refused(tmp_path: Path,
                                                        options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="hardware.printer_"):
        open_printer(HardwareSettings(**options), tmp_path)  # type: ignore[arg-type]


def test_paper_width_is_held_to_what_the_profile_prints(tmp_path: Path) -> None:
    narrow = HardwareSettings(printer="network", printer_host="127.0.0.1", printer_profile="TM-T88III",
                              printer_paper_width=576)
    assert open_printer(narrow, tmp_path).width == 512
    wide = HardwareSettings(printer="network", printer_host="127.0.0.1", printer_profile="TM-T20II",
                            printer_paper_width=576)
    assert open_printer(wide, tmp_path).width == 576
    small = HardwareSettings(printer="network", printer_host="127.0.0.1", printer_profile="POS-5890",
                             printer_paper_width=384)
    assert open_printer(small, tmp_path).width == 384
