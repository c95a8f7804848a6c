"""Reading a printer's health: the DLE EOT status queries and what their answers mean."""

from __future__ import annotations

from hardware.printer.base import (
    COVER_OPEN,
    OFFLINE,
    ONLINE,
    PAPER_LOW,
    PAPER_OUT,
    UNKNOWN,
    PrinterStatus,
)
from hardware.printer.encoding import DLE, EOT

# The real-time status queries (DLE EOT n): printer, offline cause, paper sensor.
STATUS_PRINTER = DLE + EOT + b"\x01"
STATUS_OFFLINE_CAUSE = DLE + EOT + b"\x02"
STATUS_PAPER = DLE + EOT + b"\x04"


def decode_status(printer: int | None, paper: int | None, offline_cause: int | None = None
                  ) -> PrinterStatus:
    """Read the answers to DLE EOT 1, 4 and 2 (None: not answered).

    >>> decode_status(0x16, 0x12).state, decode_status(0x1E, 0x7E).state
    ('online', 'paper_out')
    """
    if printer is None and paper is None:
        return PrinterStatus(UNKNOWN, "the printer does not answer status queries")
    if paper is not None and paper & 0x60:
        return PrinterStatus(PAPER_OUT, "paper end sensor")
    if printer is not None and printer & 0x08:
        if offline_cause is not None and offline_cause & 0x04:
            return PrinterStatus(COVER_OPEN, "cover open")
        if offline_cause is not None and offline_cause & 0x20:
            return PrinterStatus(PAPER_OUT, "stopped: paper end")
        return PrinterStatus(OFFLINE, "the printer reports it is offline")
    if paper is not None and paper & 0x0C:
        return PrinterStatus(PAPER_LOW, "paper near end")
    return PrinterStatus(ONLINE)


