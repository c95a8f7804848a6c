"""Thermal ticket printers: ESC/POS over USB, network, serial or a device file, and a fake.

A ticket is printed as one 1-bit image (Vietnamese diacritics print reliably that
way on any ESC/POS printer) followed by a cut. `escpos_job` turns the image into
the exact bytes a printer receives; every backend sends those bytes, so what the
fake saves is what a real printer would have been sent.

Backends: `EscposPrinter` (python-escpos ``Usb``, ``Network``, ``Serial``,
``File``), `FakePrinter` (records each job in ``.jobs`` and saves its PNG and raw
bytes under ``<data_dir>/printer-jobs/``), `NullPrinter` (configured "none").
`open_printer` picks one from the hardware settings; a broken real printer raises a
`PrinterError`, it never turns into a fake. `PrinterEmulator` is a small ESC/POS
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

from __future__ import annotations

import abc
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, Self

from PIL import Image

from .errors import HardwareError

__all__ = [
    "PRINTER_BACKENDS",
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
    "warm_up",
]

log = logging.getLogger(__name__)

PRINTER_BACKENDS = ("fake", "none", "usb", "network", "serial", "file")

# ESC/POS bytes this module speaks.
ESC, GS, DLE, EOT = b"\x1b", b"\x1d", b"\x10", b"\x04"
INIT = ESC + b"@"
STATUS_PRINTER = DLE + EOT + b"\x01"
STATUS_OFFLINE_CAUSE = DLE + EOT + b"\x02"
STATUS_PAPER = DLE + EOT + b"\x04"

# Printer states, as `PrinterStatus.state`.
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
    """What the printer said about itself.

    >>> PrinterStatus(PAPER_LOW).ready, PrinterStatus(PAPER_OUT).ready
    (True, False)
    """

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


# --- the job -----------------------------------------------------------------------------------

def escpos_job(image: Image.Image, *, profile: str | None = None, cut: bool = True,
               fragment_height: int = 256) -> bytes:
    """Return the ESC/POS bytes that print `image` (raster, GS v 0) and cut the paper.

    Bands of `fragment_height` rows keep each block small for printers with small buffers.
    """
    from escpos.image import EscposImage
    from escpos.printer import Dummy

    job = Dummy(profile=profile)
    job._raw(INIT)
    whole = EscposImage(image)
    bands = whole.split(fragment_height) if whole.height > fragment_height else [image]
    for band in bands:
        raster = EscposImage(band)
        job._raw(GS + b"v0\x00" + raster.width_bytes.to_bytes(2, "little")
                 + raster.height.to_bytes(2, "little") + raster.to_raster_format())
    if cut:
        job.cut()
    return bytes(job.output)


def warm_up(profile: str | None = None) -> None:
    """Load python-escpos and its printer profiles now (the first load takes most of a second)."""
    escpos_job(Image.new("1", (8, 8), 1), profile=profile)


def profile_width(profile: str | None) -> int | None:
    """Return the printable width in dots a python-escpos profile states, if it states one."""
    from escpos.capabilities import get_profile

    try:
        pixels = get_profile(profile).profile_data["media"]["width"]["pixels"]
        return int(pixels)
    except (KeyError, ValueError, TypeError):
        return None


# --- printers ----------------------------------------------------------------------------------

class Printer(abc.ABC):
    """A ticket printer: `print_image` returns once the job is sent, or raises PrinterError.

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


class EscposPrinter(Printer):
    """A real printer through python-escpos; one connection per job, every step on a deadline.

    `connect(timeout)` returns an opened-on-demand python-escpos printer object.

    >>> printer = EscposPrinter.network("192.0.2.10", 9100, timeout=2.0)  # doctest: +SKIP
    >>> printer.print_image(ticket_image, name="A023")                     # doctest: +SKIP
    """

    def __init__(self, connect: Callable[[float], Any], *, name: str, width: int = 576,
                 profile: str | None = None, timeout: float = 2.0, answers_status: bool = True,
                 status_timeout: float = 0.5) -> None:
        self._connect = connect
        self.name = name
        self.width = width
        self.profile = profile
        self.timeout = timeout
        self.answers_status = answers_status
        self.status_timeout = status_timeout
        self._lock = threading.Lock()

    # -- constructors, one per kind of connection ---------------------------------------

    @classmethod
    def network(cls, host: str, port: int = 9100, **options: Any) -> EscposPrinter:
        from escpos.printer import Network

        profile = options.get("profile")
        return cls(lambda timeout: Network(host, port, timeout=timeout, profile=profile),
                   name=f"network {host}:{port}", **options)

    @classmethod
    def usb(cls, vendor: int, product: int, **options: Any) -> EscposPrinter:
        from escpos.printer import Usb

        profile = options.get("profile")
        return cls(lambda timeout: Usb(vendor, product, timeout=int(timeout * 1000), profile=profile),
                   name=f"usb {vendor:04x}:{product:04x}", **options)

    @classmethod
    def serial(cls, device: str, baudrate: int = 19200, **options: Any) -> EscposPrinter:
        from escpos.printer import Serial

        profile = options.get("profile")
        printer = cls(lambda timeout: Serial(device, baudrate=baudrate, timeout=timeout,
                                             profile=profile), name=f"serial {device}", **options)
        # 8 data bits, a start and a stop bit per byte.
        printer.bytes_per_second = baudrate / 10
        return printer

    @classmethod
    def file(cls, path: str, **options: Any) -> EscposPrinter:
        from escpos.printer import File

        profile = options.get("profile")
        options.setdefault("answers_status", False)
        return cls(lambda timeout: File(path, profile=profile), name=f"file {path}", **options)

    # -- the work -------------------------------------------------------------------------

    def status(self, *, timeout: float | None = None) -> PrinterStatus:
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._lock:
            device = self._open(deadline)
            try:
                status = self._query(device, deadline, probe=True)
            finally:
                _close_quietly(device)
        if status.state != UNKNOWN:
            self.answers_status = True
        return status

    def print_image(self, image: Image.Image, *, name: str = "", deadline: float | None = None
                    ) -> PrinterStatus:
        if image.width > self.width:
            raise PrinterError(f"image is {image.width} dots wide, the paper {self.width}")
        data = escpos_job(image, profile=self.profile)
        deadline = deadline if deadline is not None else time.monotonic() + self.timeout
        with self._lock:
            device = self._open(deadline)
            try:
                asked = self.answers_status
                before = self._query(device, deadline) if asked else PrinterStatus(UNKNOWN)
                problem = before.error()
                if problem is not None:
                    raise problem
                if before.state == UNKNOWN and asked:
                    # Silent printers are common; don't wait for answers on every ticket.
                    self.answers_status = False
                self._send(device, data, deadline)
                if before.state == UNKNOWN:
                    return before
                # A printer that answered before the job must answer after it: if it
                # dropped the connection or stalled, the ticket did not come out.
                after = self._query(device, deadline, required=True)
                problem = after.error()
                if problem is not None:
                    raise problem
                return after
            finally:
                _close_quietly(device)

    def _open(self, deadline: float) -> Any:
        from escpos.exceptions import DeviceNotFoundError

        remaining = _remaining(deadline)
        try:
            device = self._connect(remaining)
            device.open()
        except DeviceNotFoundError as exc:
            raise PrinterOffline(f"{self.name}: {_first_line(exc)}") from exc
        except (OSError, ValueError) as exc:
            raise PrinterOffline(f"{self.name}: {exc}") from exc
        except Exception as exc:
            raise PrinterOffline(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        return device

    def _send(self, device: Any, data: bytes, deadline: float) -> None:
        _set_timeout(device, _remaining(deadline))
        try:
            device._raw(data)
            flush = getattr(device, "flush", None)
            if callable(flush):
                flush()
        except TimeoutError as exc:
            raise PrinterTimeout(f"{self.name}: stopped taking data") from exc
        except OSError as exc:
            raise PrinterDisconnected(f"{self.name}: {exc}") from exc
        except Exception as exc:
            if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
                raise PrinterTimeout(f"{self.name}: stopped taking data") from exc
            raise PrinterDisconnected(f"{self.name}: {type(exc).__name__}: {exc}") from exc

    def _query(self, device: Any, deadline: float, *, probe: bool = False,
               required: bool = False) -> PrinterStatus:
        """Ask DLE EOT 1 and 4 (and 2 when offline); UNKNOWN if the printer stays silent."""
        printer = self._ask(device, STATUS_PRINTER, deadline, required=required)
        if printer is None:
            if not probe:
                log.info("%s does not answer DLE EOT; printing without status", self.name)
            return PrinterStatus(UNKNOWN, "the printer does not answer status queries")
        paper = self._ask(device, STATUS_PAPER, deadline, required=required)
        cause = self._ask(device, STATUS_OFFLINE_CAUSE, deadline) if printer & 0x08 else None
        return decode_status(printer, paper, cause)

    def _ask(self, device: Any, query: bytes, deadline: float, *, required: bool = False
             ) -> int | None:
        wait = min(self.status_timeout, _remaining(deadline)) if not required else _remaining(deadline)
        try:
            _set_timeout(device, wait)
            device._raw(query)
            answer = _read(device, wait)
        except NotImplementedError:
            return None
        except TimeoutError as exc:
            if required:
                raise PrinterTimeout(f"{self.name}: no answer to a status query") from exc
            return None
        except OSError as exc:
            raise PrinterDisconnected(f"{self.name}: {exc}") from exc
        except Exception as exc:
            if required:
                raise PrinterDisconnected(f"{self.name}: {type(exc).__name__}: {exc}") from exc
            return None
        if not answer:
            if required or isinstance(device.device, socket.socket):
                # An empty read on a socket is the printer closing the connection.
                raise PrinterDisconnected(f"{self.name}: the printer closed the connection")
            return None
        return answer[-1]


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise PrinterTimeout("the print job ran out of time")
    return left


def _set_timeout(device: Any, seconds: float) -> None:
    handle = device.device
    if isinstance(handle, socket.socket):
        handle.settimeout(seconds)
    elif hasattr(handle, "write_timeout"):  # pyserial
        handle.timeout = seconds
        handle.write_timeout = seconds
    elif hasattr(device, "out_ep"):  # pyusb: milliseconds
        device.timeout = max(1, int(seconds * 1000))


def _read(device: Any, seconds: float) -> bytes:
    handle = device.device
    if hasattr(device, "in_ep") and hasattr(handle, "read") and not hasattr(handle, "write_timeout"):
        try:
            return bytes(handle.read(device.in_ep, 16, max(1, int(seconds * 1000))))
        except Exception as exc:
            if "timeout" in type(exc).__name__.lower():
                raise TimeoutError(str(exc)) from exc
            raise
    answer = device._read()
    if isinstance(handle, socket.socket) or answer:
        return bytes(answer)
    # pyserial returns b"" when its timeout passes.
    raise TimeoutError("no answer")


def _close_quietly(device: Any) -> None:
    try:
        device.close()
    except Exception as exc:  # noqa: BLE001
        # Closing a connection the printer already dropped may fail; nothing more to do.
        log.debug("closing %r: %s", device, exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return " ".join(text.split())


# --- choosing a printer from configuration ------------------------------------------------------

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


def open_printer(settings: PrinterSettings, data_dir: str | os.PathLike[str]) -> Printer:
    """Return the printer the hardware settings name; raise ValueError for an incomplete one."""
    backend = settings.printer
    profile = settings.printer_profile or None
    width = settings.printer_paper_width
    if backend == "fake":
        return FakePrinter(width=width, profile=profile, folder=Path(data_dir) / "printer-jobs")
    if backend == "none":
        return NullPrinter()
    stated = profile_width(profile)
    if stated is not None and stated < width:
        log.warning("printer profile %s prints %d dots wide; tickets are rendered %d wide, not %d",
                    profile, stated, stated, width)
        width = stated
    options: dict[str, Any] = {"profile": profile, "width": width,
                               "timeout": settings.printer_timeout_seconds}
    if backend == "network":
        if not settings.printer_host:
            raise ValueError("hardware.printer_host is needed for a network printer")
        return EscposPrinter.network(settings.printer_host, settings.printer_port, **options)
    if backend == "usb":
        if not (settings.printer_usb_vendor and settings.printer_usb_product):
            raise ValueError("hardware.printer_usb_vendor and printer_usb_product are needed "
                             "for a USB printer (see `lsusb`, e.g. 0x04b8 and 0x0202)")
        return EscposPrinter.usb(settings.printer_usb_vendor, settings.printer_usb_product,
                                 **options)
    if backend == "serial":
        if not settings.printer_serial_device:
            raise ValueError("hardware.printer_serial_device is needed for a serial printer")
        return EscposPrinter.serial(settings.printer_serial_device, settings.printer_baudrate,
                                    **options)
    if backend == "file":
        if not settings.printer_file:
            raise ValueError("hardware.printer_file is needed (e.g. /dev/usb/lp0)")
        return EscposPrinter.file(settings.printer_file, **options)
    raise ValueError(f"unknown printer backend {backend!r}: expected one of "
                     f"{', '.join(PRINTER_BACKENDS)}")


# --- a printer on a TCP port, for tests, benchmarks and demos -----------------------------------

@dataclass
class EmulatedJob:
    """What one connection to the emulator delivered."""

    data: bytearray = field(default_factory=bytearray)
    images: int = 0
    cuts: int = 0
    queries: list[int] = field(default_factory=list)
    closed_at: float | None = None
    cut_at: float | None = None


class PrinterEmulator:
    """An ESC/POS network printer on 127.0.0.1 that records what it receives.

    `mode` makes it misbehave: "ok"; "paper_low"; "paper_out" (offline, paper end);
    "silent" (prints but never answers status); "stall" (hangs after `after_bytes`:
    reads and answers nothing more); "drop" (closes the connection after
    `after_bytes`). `stop()` closes the port (connection refused).

    >>> with PrinterEmulator() as emulator:                     # doctest: +SKIP
    ...     EscposPrinter.network("127.0.0.1", emulator.port).print_image(image)
    ...     emulator.wait_for_cuts(1, timeout=2)
    True
    """

    def __init__(self, *, mode: str = "ok", after_bytes: int = 0, host: str = "127.0.0.1",
                 receive_buffer: int = 4096) -> None:
        self.mode = mode
        self.after_bytes = after_bytes
        self.host = host
        self.receive_buffer = receive_buffer
        self.jobs: list[EmulatedJob] = []
        self.connections = 0
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # A small buffer makes a stalled printer push back on the sender quickly.
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self._listener.bind((host, 0))
        self._listener.listen(8)
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []
        self._accept_thread = threading.Thread(target=self._accept, daemon=True,
                                               name="printer-emulator")
        self._accept_thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests look at -------------------------------------------------------------

    @property
    def cuts(self) -> int:
        with self._changed:
            return sum(job.cuts for job in self.jobs)

    def wait_for_cuts(self, count: int, timeout: float) -> bool:
        """Wait until `count` tickets were cut in total."""
        with self._changed:
            return self._changed.wait_for(lambda: sum(j.cuts for j in self.jobs) >= count, timeout)

    def wait_for_connections(self, count: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.connections >= count, timeout)

    def received(self) -> bytes:
        with self._changed:
            return b"".join(bytes(job.data) for job in self.jobs)

    def stop(self) -> None:
        """Stop listening and close every connection."""
        self._stop.set()
        _close_socket(self._listener)
        for conn in list(self._open):
            _close_socket(conn)
        self._accept_thread.join(timeout=2)
        for thread in self._threads:
            thread.join(timeout=2)

    # -- the printer --------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            job = EmulatedJob()
            with self._changed:
                self.jobs.append(job)
                self.connections += 1
                self._open.append(conn)
                self._changed.notify_all()
            thread = threading.Thread(target=self._serve, args=(conn, job), daemon=True,
                                      name="printer-emulator-conn")
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, job: EmulatedJob) -> None:
        parser = _EscposParser()
        conn.settimeout(0.2)
        try:
            while not self._stop.is_set():
                mode = self.mode
                limit = self.after_bytes if mode in ("stall", "drop") else None
                if limit is not None and len(job.data) >= limit:
                    if mode == "drop":
                        break
                    self._stop.wait(0.05)  # stalled: take nothing more
                    continue
                want = 4096 if limit is None else max(1, min(4096, limit - len(job.data)))
                try:
                    chunk = conn.recv(want)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                with self._changed:
                    job.data.extend(chunk)
                for event, value in parser.feed(chunk):
                    if event == "query":
                        with self._changed:
                            job.queries.append(value)
                        answer = self._answer(value)
                        if answer is not None:
                            conn.sendall(bytes([answer]))
                    elif event == "image":
                        with self._changed:
                            job.images += 1
                    elif event == "cut":
                        with self._changed:
                            job.cuts += 1
                            job.cut_at = time.monotonic()
                            self._changed.notify_all()
        except OSError:
            pass
        finally:
            _close_socket(conn)
            with self._changed:
                job.closed_at = time.monotonic()
                if conn in self._open:
                    self._open.remove(conn)
                self._changed.notify_all()

    def _answer(self, query: int) -> int | None:
        mode = self.mode
        if mode == "silent":
            return None
        offline = mode == "paper_out"
        if query == 1:
            return 0x16 | (0x08 if offline else 0)
        if query == 2:
            return 0x12 | (0x20 if offline else 0)
        if query == 4:
            return {"paper_out": 0x7E, "paper_low": 0x1E}.get(mode, 0x12)
        return 0x12


class _EscposParser:
    """Just enough ESC/POS to find status queries, raster images and cuts in a byte stream."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._skip = 0

    def feed(self, chunk: bytes) -> list[tuple[str, int]]:
        events: list[tuple[str, int]] = []
        self._buffer.extend(chunk)
        buf = self._buffer
        i = 0
        while i < len(buf):
            if self._skip:
                taken = min(self._skip, len(buf) - i)
                self._skip -= taken
                i += taken
                continue
            byte = buf[i]
            if byte == 0x10:  # DLE EOT n
                if len(buf) - i < 3:
                    break
                if buf[i + 1] == 0x04:
                    events.append(("query", buf[i + 2]))
                    i += 3
                    continue
            elif byte == 0x1D:  # GS
                if len(buf) - i < 2:
                    break
                command = buf[i + 1]
                if command == ord("v"):  # GS v 0 m xL xH yL yH d...
                    if len(buf) - i < 8:
                        break
                    width_bytes = buf[i + 4] | buf[i + 5] << 8
                    height = buf[i + 6] | buf[i + 7] << 8
                    self._skip = width_bytes * height
                    events.append(("image", height))
                    i += 8
                    continue
                if command == ord("V"):  # GS V m [n]
                    if len(buf) - i < 3:
                        break
                    events.append(("cut", buf[i + 2]))
                    i += 4 if buf[i + 2] in (65, 66, 97, 98, 103, 104) else 3
                    continue
                if command == ord("(") and len(buf) - i >= 5:  # GS ( fn pL pH ...
                    self._skip = buf[i + 3] | buf[i + 4] << 8
                    i += 5
                    continue
            i += 1
        del buf[:i]
        return events


def _close_socket(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
