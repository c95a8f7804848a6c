"""The printers that print nothing: `FakePrinter` records (and saves) each job, `NullPrinter`
stands for "no printer here"."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hardware.printer.base import (
    COVER_OPEN,
    OFFLINE,
    ONLINE,
    PAPER_OUT,
    UNKNOWN,
    CoverOpen,
    NoPrinter,
    PaperOut,
    Printer,
    PrinterError,
    PrinterOffline,
    PrinterStatus,
    PrinterTimeout,
)
from hardware.printer.encoding import escpos_job

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger("hardware.printer")


class NullPrinter(Printer):
    """No printer on this box (backend "none"): every job fails with NoPrinter."""

    name = "none"

    def print_image(self, image: Image.Image, *, name: str = "", deadline: float | None = None
                    ) -> PrinterStatus:
        raise NoPrinter("no printer is configured (hardware.printer = \"none\")")

    def status(self, *, timeout: float | None = None) -> PrinterStatus:
        return PrinterStatus(UNKNOWN, "no printer configured")


@dataclass
class FakeJob:
    """One job a `FakePrinter` was sent."""

    number: int
    name: str
    image: Image.Image
    data: bytes
    at: datetime
    png_path: Path | None = None
    bin_path: Path | None = None


class FakePrinter(Printer):
    """Record every job (and save it as PNG + raw bytes when given a folder).

    Tests make it fail like a real one: `fail(PaperOut())` until `recover()`, or
    `hold()` to make jobs hang until `release()` or their deadline.

    >>> printer = FakePrinter(width=384)
    >>> printer.fail(PaperOut("no paper"))
    >>> printer.status().state
    'paper_out'
    """

    name = "fake"

    def __init__(self, *, width: int = 576, folder: str | os.PathLike[str] | None = None,
                 profile: str | None = None, on_job: Callable[[FakeJob], None] | None = None,
                 keep: int = 500) -> None:
        self.width = width
        self.folder = Path(folder) if folder is not None else None
        self.profile = profile
        self.on_job = on_job
        self.keep = keep
        self.jobs: list[FakeJob] = []
        self.attempts = 0
        self._error: PrinterError | None = None
        self._held = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._counter = 0

    def fail(self, error: PrinterError | None = None) -> None:
        """Make every following job raise `error` (default: PrinterOffline) until `recover`."""
        self._error = error or PrinterOffline("fake printer told to fail")

    def recover(self) -> None:
        self._error = None

    def hold(self) -> None:
        """Make jobs hang (like a stalled printer) until `release` or their deadline."""
        self._released.clear()
        self._held.set()

    def release(self) -> None:
        self._held.clear()
        self._released.set()

    def status(self, *, timeout: float | None = None) -> PrinterStatus:
        error = self._error
        if isinstance(error, PaperOut):
            return PrinterStatus(PAPER_OUT, str(error))
        if isinstance(error, CoverOpen):
            return PrinterStatus(COVER_OPEN, str(error))
        if error is not None:
            return PrinterStatus(OFFLINE, str(error))
        return PrinterStatus(ONLINE)

    def print_image(self, image: Image.Image, *, name: str = "", deadline: float | None = None
                    ) -> PrinterStatus:
        with self._lock:
            self.attempts += 1
        if self._held.is_set():
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._released.wait(wait):
                raise PrinterTimeout("fake printer held past the deadline")
        if self._error is not None:
            raise self._error
        if image.width > self.width:
            raise PrinterError(f"image is {image.width} dots wide, the paper {self.width}")
        data = escpos_job(image, profile=self.profile)
        with self._lock:
            self._counter += 1
            job = FakeJob(self._counter, name, image.copy(), data, datetime.now().astimezone())
            if self.folder is not None:
                self._save(job)
            self.jobs.append(job)
            del self.jobs[:-self.keep]
        if self.on_job is not None:
            self.on_job(job)
        return PrinterStatus(ONLINE)

    def _save(self, job: FakeJob) -> None:
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"{job.at:%Y%m%d-%H%M%S}-{job.number:04d}" + (f"-{_safe(job.name)}" if job.name else "")
        job.png_path = self.folder / f"{stem}.png"
        job.bin_path = self.folder / f"{stem}.bin"
        job.image.save(job.png_path)
        job.bin_path.write_bytes(job.data)


def _safe(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "-_")[:40]


