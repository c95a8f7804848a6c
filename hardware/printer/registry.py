"""Choosing a printer from configuration: one opener per backend name, in a registry.

`BACKENDS` is the one list of printer backends (the configuration checks names against
it); a broken real printer raises a `PrinterError` or a ValueError naming the missing
key, it never turns into a fake.

>>> sorted(BACKENDS) == sorted(PRINTER_BACKENDS)
True
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from hardware.printer.backends import EscposPrinter
from hardware.printer.base import Printer
from hardware.printer.encoding import profile_width
from hardware.printer.fake import FakePrinter, NullPrinter

log = logging.getLogger("hardware.printer")


class PrinterSettings(Protocol):
    """The `[hardware]` keys a printer is built from (queue_core.config.HardwareSettings)."""

    @property
    def printer(self) -> str: ...

    @property
    def printer_host(self) -> str: ...

    @property
    def printer_port(self) -> int: ...

    @property
    def printer_usb_vendor(self) -> int: ...

    @property
    def printer_usb_product(self) -> int: ...

    @property
    def printer_serial_device(self) -> str: ...

    @property
    def printer_baudrate(self) -> int: ...

    @property
    def printer_file(self) -> str: ...

    @property
    def printer_profile(self) -> str: ...

    @property
    def printer_paper_width(self) -> int: ...

    @property
    def printer_timeout_seconds(self) -> float: ...


Opener = Callable[[PrinterSettings, dict[str, Any]], Printer]


def _network(settings: PrinterSettings, options: dict[str, Any]) -> Printer:
    if not settings.printer_host:
        raise ValueError("hardware.printer_host is needed for a network printer")
    return EscposPrinter.network(settings.printer_host, settings.printer_port, **options)


def _usb(settings: PrinterSettings, options: dict[str, Any]) -> Printer:
    if not (settings.printer_usb_vendor and settings.printer_usb_product):
        raise ValueError("hardware.printer_usb_vendor and printer_usb_product are needed "
                         "for a USB printer (see `lsusb`, e.g. 0x04b8 and 0x0202)")
    return EscposPrinter.usb(settings.printer_usb_vendor, settings.printer_usb_product, **options)


def _serial(settings: PrinterSettings, options: dict[str, Any]) -> Printer:
    if not settings.printer_serial_device:
        raise ValueError("hardware.printer_serial_device is needed for a serial printer")
    return EscposPrinter.serial(settings.printer_serial_device, settings.printer_baudrate,
                                **options)


def _file(settings: PrinterSettings, options: dict[str, Any]) -> Printer:
    if not settings.printer_file:
        raise ValueError("hardware.printer_file is needed (e.g. /dev/usb/lp0)")
    return EscposPrinter.file(settings.printer_file, **options)


# The real printers, by backend name; "fake" and "none" need no device.
REAL_BACKENDS: dict[str, Opener] = {
    "usb": _usb,
    "network": _network,
    "serial": _serial,
    "file": _file,
}
BACKENDS: tuple[str, ...] = ("fake", "none", *REAL_BACKENDS)
PRINTER_BACKENDS = BACKENDS


def open_printer(settings: PrinterSettings, data_dir: str | os.PathLike[str]) -> Printer:
    """Return the printer the hardware settings name; raise ValueError for an incomplete one."""
    backend = settings.printer
    profile = settings.printer_profile or None
    width = settings.printer_paper_width
    if backend == "fake":
        return FakePrinter(width=width, profile=profile, folder=Path(data_dir) / "printer-jobs")
    if backend == "none":
        return NullPrinter()
    opener = REAL_BACKENDS.get(backend)
    if opener is None:
        raise ValueError(f"unknown printer backend {backend!r}: expected one of "
                         f"{', '.join(BACKENDS)}")
    stated = profile_width(profile)
    if stated is not None and stated < width:
        log.warning("printer profile %s prints %d dots wide; tickets are rendered %d wide, not %d",
                    profile, stated, stated, width)
        width = stated
    return opener(settings, {"profile": profile, "width": width,
                             "timeout": settings.printer_timeout_seconds})
