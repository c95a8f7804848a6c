"""Thermal ticket printers: ESC/POS over USB, network, serial or a device file, and a fake.

A ticket is printed as one 1-bit image (Vietnamese diacritics print reliably that
way on any ESC/POS printer) followed by a cut. `escpos_job` turns the image into
the exact bytes a printer receives; every backend sends those bytes, so what the
fake saves is what a real printer would have been sent.

Backends: `EscposPrinter` (python-escpos ``Usb``, ``Network``, ``Serial``,
``File``), `FakePrinter` (records each job in ``.jobs`` and saves its PNG and raw
bytes under ``<data_dir>/printer-jobs/``), `NullPrinter` (configured "none").
`open_printer` picks one from the hardware settings through a registry of backends
(`registry.BACKENDS`); a broken real printer raises a `PrinterError`, it never turns into
a fake. `PrinterEmulator` is a small ESC/POS
printer on a local TCP port for tests, benchmarks and demos: it records what it
receives, answers DLE EOT status queries, and can be told to misbehave.

Every job has a deadline: a network printer gets short socket timeouts, and status
is read with DLE EOT before the job (offline, paper out) and after it (the printer
is still there and took the job) where the printer answers.

>>> from PIL import Image
>>> printer = FakePrinter(width=384)
>>> printer.print_image(Image.new("1", (384, 100), 1), name="A001").state
'online'
>>> printer.jobs[0].name, printer.jobs[0].data[:2] == b"\\x1b@"
('A001', True)
"""

from hardware.printer.backends import EscposPrinter
from hardware.printer.base import (
    COVER_OPEN,
    OFFLINE,
    ONLINE,
    PAPER_LOW,
    PAPER_OUT,
    UNKNOWN,
    CoverOpen,
    NoPrinter,
    PaperOut,
    Printer,
    PrinterDisconnected,
    PrinterError,
    PrinterOffline,
    PrinterStatus,
    PrinterTimeout,
)
from hardware.printer.emulator import PrinterEmulator
from hardware.printer.encoding import escpos_job, profile_width, warm_up
from hardware.printer.fake import FakeJob, FakePrinter, NullPrinter
from hardware.printer.registry import BACKENDS, PRINTER_BACKENDS, PrinterSettings, open_printer
from hardware.printer.status import decode_status

__all__ = [
    "BACKENDS",
    "COVER_OPEN",
    "OFFLINE",
    "ONLINE",
    "PAPER_LOW",
    "PAPER_OUT",
    "PRINTER_BACKENDS",
    "UNKNOWN",
    "CoverOpen",
    "EscposPrinter",
    "FakeJob",
    "FakePrinter",
    "NoPrinter",
    "NullPrinter",
    "PaperOut",
    "Printer",
    "PrinterDisconnected",
    "PrinterEmulator",
    "PrinterError",
    "PrinterOffline",
    "PrinterSettings",
    "PrinterStatus",
    "PrinterTimeout",
    "decode_status",
    "escpos_job",
    "open_printer",
    "profile_width",
    "warm_up",
]
