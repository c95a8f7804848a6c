"""A small ESC/POS network printer on a local TCP port, for tests, benchmarks and demos.

It records what it receives, answers DLE EOT status queries, and can be told to misbehave.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Self

log = logging.getLogger("hardware.printer")

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
