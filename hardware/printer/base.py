"""What every ticket printer is: the `Printer` interface, its errors, and the states it reports.

>>> PrinterStatus(PAPER_LOW).ready, PrinterStatus(PAPER_OUT).ready
(True, False)
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from hardware.errors import HardwareError

if TYPE_CHECKING:
    # Pillow loads with the first ticket printed, not when a program using printers starts.
    from PIL import Image

# What a printer says about itself.
ONLINE = "online"
OFFLINE = "offline"
PAPER_LOW = "paper_low"
PAPER_OUT = "paper_out"
COVER_OPEN = "cover_open"
UNKNOWN = "unknown"


# --- errors ------------------------------------------------------------------------------------

class PrinterError(HardwareError, OSError):
    """A ticket could not be printed; `code` says why in one word."""

    code = "printer_error"


class PrinterOffline(PrinterError):
    """The printer cannot be reached or says it is offline (unplugged, switched off)."""

    code = "printer_offline"


class PaperOut(PrinterError):
    """The printer has no paper."""

    code = "printer_paper_out"


class CoverOpen(PrinterError):
    """The printer's cover is open."""

    code = "printer_cover_open"


class PrinterTimeout(PrinterError, TimeoutError):
    """The printer stopped answering before the job was sent."""

    code = "printer_timeout"


class PrinterDisconnected(PrinterError, ConnectionError):
    """The printer dropped the connection in the middle of a job."""

    code = "printer_disconnected"


class NoPrinter(PrinterError):
    """This box is configured without a printer."""

    code = "printer_none"


# --- status ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself."""

    state: str
    detail: str = ""

    @property
    def ready(self) -> bool:
        """Whether a job may be sent (a printer that does not answer is given the benefit)."""
        return self.state in (ONLINE, PAPER_LOW, UNKNOWN)

    def error(self) -> PrinterError | None:
        """Return the error a job would end with in this state, or None."""
        if self.state == PAPER_OUT:
            return PaperOut(self.detail or "out of paper")
        if self.state == COVER_OPEN:
            return CoverOpen(self.detail or "cover open")
        if self.state == OFFLINE:
            return PrinterOffline(self.detail or "printer offline")
        return None



# --- printers ----------------------------------------------------------------------------------

class Printer(abc.ABC):
    """A ticket printer: `print_image` returns once the job is sent, or raises PrinterError.

    >>> from hardware.printer import FakePrinter
    >>> with FakePrinter(width=576) as printer:
    ...     printer.status().state
    'online'
    """

    name = "printer"
    #: Printable width in dots; tickets are rendered this wide.
    width = 576
    #: How fast the link carries a job, where that is slow enough to matter (serial).
    bytes_per_second: float | None = None

    @abc.abstractmethod
    def print_image(self, image: Image.Image, *, name: str = "", deadline: float | None = None
                    ) -> PrinterStatus:
        """Print one image and cut by `deadline` (a `time.monotonic()` value); return the status.

        Raises a PrinterError when the ticket did not come out.
        """

    def status(self, *, timeout: float | None = None) -> PrinterStatus:
        """Ask the printer how it is (UNKNOWN where it cannot tell)."""
        return PrinterStatus(UNKNOWN, "no status for this printer")

    def close(self) -> None:
        """Release the device."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


