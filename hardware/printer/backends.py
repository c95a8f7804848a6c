"""Real ESC/POS printers through python-escpos: USB, network, serial, a device file.

Every job has a deadline: a network printer gets short socket timeouts, and status is
read with DLE EOT before the job (offline, paper out) and after it (the printer is still
there and took the job) where the printer answers.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hardware.printer.base import (
    UNKNOWN,
    Printer,
    PrinterDisconnected,
    PrinterError,
    PrinterOffline,
    PrinterStatus,
    PrinterTimeout,
)
from hardware.printer.encoding import escpos_job
from hardware.printer.status import (
    STATUS_OFFLINE_CAUSE,
    STATUS_PAPER,
    STATUS_PRINTER,
    decode_status,
)

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger("hardware.printer")

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


