"""Printing tickets without ever holding up the queue.

The ticket is issued and committed first; `PrintService` then prints it on its
own worker thread, one job at a time, each with a deadline. Whoever asked waits
at most `ANSWER_SECONDS` and is told "printed", "failed" or (only for a slow
serial link still sending) "printing". A failed print leaves the ticket valid:
its outcome is kept in the `ticket_prints` table and the printer's trouble is
pushed to staff and manager as a `device_status` event at once.

>>> from hardware.printer import FakePrinter
>>> service = PrintService(FakePrinter(width=384), budget=1.5)
>>> outcome = service.print_ticket("t1", "A001", lambda width: blank(width))
>>> outcome.state, outcome.printed
('printed', True)
>>> service.stop()
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hardware.printer import (
    COVER_OPEN,
    OFFLINE,
    ONLINE,
    PAPER_LOW,
    PAPER_OUT,
    UNKNOWN,
    FakePrinter,
    NullPrinter,
    Printer,
    PrinterError,
    PrinterStatus,
    PrinterTimeout,
    warm_up,
)
from queue_core.domain.model import PRINT_FAILED as FAILED
from queue_core.domain.model import PRINTED, PRINTING

from .messages import render

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["ANSWER_SECONDS", "Draw", "PrintOutcome", "PrintService", "blank"]

log = logging.getLogger(__name__)

# The kiosk hears back within this long, whatever the printer does.
ANSWER_SECONDS = 1.5
# A job on a fast link (USB, network, fake) must be done within this long.
MAX_JOB_SECONDS = 1.2


# Printer trouble as the hub's device states (CONTRACT.md `device_status`).
ERROR_STATES = {
    "printer_offline": "offline",
    "printer_none": "none",
}
STATUS_REPORTS = {
    ONLINE: ("ok", "printer_ok"),
    PAPER_LOW: ("degraded", "printer_paper_low"),
    PAPER_OUT: ("error", "printer_paper_out"),
    COVER_OPEN: ("error", "printer_cover_open"),
    OFFLINE: ("offline", "printer_offline"),
}

Report = Callable[[str, str], None]
Draw = Callable[[int], "Image.Image"]


def blank(width: int) -> Image.Image:
    """Return a small white image (doctests, printer checks)."""
    from PIL import Image

    return Image.new("1", (width, 64), 1)


@dataclass
class PrintOutcome:
    """What became of one print job."""

    ticket_id: str
    label: str
    state: str
    code: str = "printed"
    message: str = ""
    seconds: float = 0.0
    attempts: int = 1

    @property
    def printed(self) -> bool | None:
        return None if self.state == PRINTING else self.state == PRINTED

    def json(self) -> dict[str, Any]:
        return {"ticket": self.ticket_id, "label": self.label, "state": self.state,
                "printed": self.printed, "code": self.code, "message": self.message,
                "seconds": round(self.seconds, 3)}


@dataclass
class PrintJob:
    """One ticket on its way to paper; `wait` returns its outcome (first answer wins)."""

    ticket_id: str
    label: str
    draw: Draw
    submitted: float
    deadline: float
    done: threading.Event = field(default_factory=threading.Event)
    # Whether `on_outcome` keeps the outcome (a ticket's paper); other paper is not a ticket's.
    keep: bool = True
    outcome: PrintOutcome | None = None
    late: PrintOutcome | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def resolve(self, outcome: PrintOutcome) -> bool:
        """Set the outcome unless one was set already; return whether this one counts."""
        with self._lock:
            if self.outcome is not None:
                self.late = outcome
                return False
            self.outcome = outcome
        self.done.set()
        return True


class PrintService:
    """A printer's single worker: jobs in order, each on a deadline; status polled when idle.

    `report(status, message)` hears about every change of the printer's health
    (the hub's `device_status`); each `on_outcome` callback gets every job's outcome.
    `clock` is `time.monotonic` unless a test injects one.
    """

    def __init__(self, printer: Printer, *, budget: float = MAX_JOB_SECONDS,
                 answer_seconds: float = ANSWER_SECONDS, report: Report | None = None,
                 on_outcome: Callable[[PrintOutcome], None] | None = None,
                 poll_seconds: float = 0.0, idle_exit_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.printer = printer
        self.budget = min(budget, MAX_JOB_SECONDS)
        self.answer_seconds = answer_seconds
        self.report = report
        self.on_outcome = on_outcome
        self.poll_seconds = poll_seconds
        self.idle_exit_seconds = idle_exit_seconds
        self.clock = clock
        self.last_report: tuple[str, str] | None = None
        self._jobs: queue.Queue[PrintJob | None] = queue.Queue()
        self._recent: OrderedDict[str, PrintJob] = OrderedDict()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._check = threading.Event()
        # Not on the first citizen's time: loading python-escpos takes most of a second.
        # An emulated printer only saves files: it loads the library with its first job,
        # and a box that prints nothing never carries it.
        if getattr(printer, "name", "") not in ("fake", "none"):
            warm_up(getattr(printer, "profile", None))

    # -- asking for prints --------------------------------------------------------------

    def submit(self, ticket_id: str, label: str, draw: Draw, *, keep: bool = True) -> PrintJob:
        """Queue a ticket for printing; `draw(width)` renders it on the worker.

        `keep=False` prints paper that is no ticket's (a list of documents): its outcome
        is answered and reported like any other, but not handed to `on_outcome`.
        """
        now = self.clock()
        job = PrintJob(ticket_id, label, draw, submitted=now, deadline=now + self.budget,
                       keep=keep)
        with self._lock:
            self._recent[ticket_id] = job
            while len(self._recent) > 200:
                self._recent.popitem(last=False)
        self._jobs.put(job)
        self._ensure_worker()
        return job

    def wait(self, job: PrintJob, timeout: float | None = None) -> PrintOutcome:
        """Return the job's outcome within `timeout` (default: the kiosk's answer time)."""
        limit = self.answer_seconds if timeout is None else timeout
        if job.done.wait(max(0.0, job.submitted + limit - self.clock())):
            assert job.outcome is not None
            return job.outcome
        if self.clock() >= job.deadline:
            # The worker is stuck in I/O that ignores timeouts: answer for it.
            outcome = self._failure(job, PrinterTimeout("the printer did not finish in time"))
            self._report_failure(outcome)
            if job.resolve(outcome):
                self._record(job, outcome)
            assert job.outcome is not None
            return job.outcome
        return PrintOutcome(job.ticket_id, job.label, PRINTING, "printing",
                            seconds=self.clock() - job.submitted)

    def print_ticket(self, ticket_id: str, label: str, draw: Draw) -> PrintOutcome:
        """Submit and wait for the answer the kiosk gets."""
        return self.wait(self.submit(ticket_id, label, draw))

    def job(self, ticket_id: str) -> PrintJob | None:
        """Return a recent job of this ticket, if this service printed it."""
        with self._lock:
            return self._recent.get(ticket_id)

    def check_now(self) -> None:
        """Ask the worker to read the printer's status soon."""
        self._check.set()
        self._jobs.put(None)
        self._ensure_worker()

    def start(self, *, poll_seconds: float | None = None) -> None:
        """Start the worker now (and poll the printer's status every `poll_seconds`)."""
        if poll_seconds is not None:
            self.poll_seconds = poll_seconds
        self._check.set()
        self._jobs.put(None)
        self._ensure_worker()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self._jobs.put(None)
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- the worker ---------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._stop.is_set() or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._run, daemon=True, name="ticket-printer")
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self.poll_seconds if self.poll_seconds > 0 else self.idle_exit_seconds
            try:
                job = self._jobs.get(timeout=wait)
            except queue.Empty:
                if self.poll_seconds > 0:
                    self._poll()
                    continue
                with self._lock:
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            if job is None:
                if self._check.is_set() and not self._stop.is_set():
                    self._check.clear()
                    self._poll()
                continue
            self._print(job)

    def _print(self, job: PrintJob) -> None:
        if job.done.is_set():
            return
        if self.clock() >= job.deadline:
            outcome = self._failure(job, PrinterTimeout("the printer was busy with earlier jobs"))
        else:
            try:
                image = job.draw(self.printer.width)
                speed = self.printer.bytes_per_second
                if speed:
                    # A slow link needs the time to carry the image; the kiosk hears
                    # "printing" meanwhile, and the outcome when it is known.
                    job.deadline += image.width * image.height / 8 / speed * 1.2
                status = self.printer.print_image(image, name=job.label, deadline=job.deadline)
                outcome = PrintOutcome(job.ticket_id, job.label, PRINTED, "printed",
                                       seconds=self.clock() - job.submitted)
                self._report_status(status if isinstance(status, PrinterStatus)
                                    else PrinterStatus(ONLINE))
            except PrinterError as exc:
                outcome = self._failure(job, exc)
            except Exception as exc:
                log.exception("printing %s failed", job.label)
                outcome = self._failure(job, PrinterError(f"{type(exc).__name__}: {exc}"))
        if outcome.state == FAILED and not job.done.is_set():
            # Staff hear of it before the kiosk does, so the two never disagree.
            self._report_failure(outcome)
        if job.resolve(outcome):
            self._record(job, outcome)
        elif outcome.state == PRINTED:
            # Printed after the kiosk was told otherwise: the paper exists, keep the truth.
            log.warning("ticket %s printed after its answer was given", job.label)
            self._record(job, outcome)

    def _failure(self, job: PrintJob, error: PrinterError) -> PrintOutcome:
        code = getattr(error, "code", "printer_error")
        if code not in STATUS_CODES:
            code = "printer_error"
        message = render(code, detail=str(error), ticket=render("ticket_not_printed", label=job.label))
        return PrintOutcome(job.ticket_id, job.label, FAILED, code, message,
                            seconds=self.clock() - job.submitted)

    def _report_failure(self, outcome: PrintOutcome) -> None:
        log.warning("ticket %s not printed: %s", outcome.label, outcome.message)
        self._send_report(ERROR_STATES.get(outcome.code, "error"), outcome.message)

    def _record(self, job: PrintJob, outcome: PrintOutcome) -> None:
        if self.on_outcome is None or not job.keep:
            return
        try:
            self.on_outcome(outcome)
        except Exception:
            log.exception("could not record the print outcome of %s", outcome.label)

    def _poll(self) -> None:
        try:
            status = self.printer.status(timeout=self.budget)
        except PrinterError as exc:
            status = PrinterStatus(OFFLINE, str(exc))
        except Exception as exc:  # noqa: BLE001
            status = PrinterStatus(OFFLINE, f"{type(exc).__name__}: {exc}")
        self._report_status(status)

    def _report_status(self, status: PrinterStatus) -> None:
        if isinstance(self.printer, FakePrinter) and status.state == ONLINE:
            self._send_report("emulated", render("printer_emulated"))
        elif isinstance(self.printer, NullPrinter):
            self._send_report("none", render("printer_none"))
        elif status.state == UNKNOWN:
            # A printer that does not answer status: a finished job is all we know.
            if self.last_report is None or self.last_report[0] != "ok":
                self._send_report("ok", render("printer_ok"))
        else:
            state, code = STATUS_REPORTS[status.state]
            self._send_report(state, render(code, ticket="", detail=status.detail))

    def _send_report(self, status: str, message: str) -> None:
        if self.last_report == (status, message):
            return
        self.last_report = (status, message)
        if self.report is not None:
            try:
                self.report(status, message)
            except Exception:
                log.exception("could not report the printer status")


STATUS_CODES = ("printer_offline", "printer_paper_out", "printer_cover_open", "printer_timeout",
                "printer_disconnected", "printer_error", "printer_none")
