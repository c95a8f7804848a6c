"""A core served on a loopback port by a thread of the test process, and a cuttable relay to it.

The satellites' tests (keypad, rating pad, `CoreLink`) talk to it over real HTTP and
Socket.IO, as they do to a box on the LAN.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from queue_core.config import load_settings
from queue_core.service import auth
from queue_core.web.app import create_app


class Core:
    """A core served on a loopback port by a thread of this process."""

    def __init__(self, data_dir: Path, port: int = 0) -> None:
        settings = load_settings(env={
            "XEPHANG_DATA_DIR": str(data_dir),
            "XEPHANG_CENTER_OPENS_AT": "00:00",
            "XEPHANG_CENTER_CLOSES_AT": "24:00",
            "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
    "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false",
        })
        self.app = create_app(settings)
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def center(self) -> Any:
        return self.app.extensions["xephang"].center

    def token(self, role: str, counter: int | None = None) -> str:
        return auth.create_token(self.center.store, f"{role}-{counter}", role=role,
                                 counter=counter, now=self.center.clock.now())

    def serve_one(self, counter: int = 3, service: str = "B") -> dict[str, Any]:
        """Issue, call and finish one ticket at `counter`; return it."""
        self.center.issue(service, actor="test")
        self.center.call_next(counter, actor="test")
        return self.center.finish(counter, actor="test")  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)
        self.app.extensions["xephang"].store.close()


class Proxy:
    """A TCP relay in front of the core that a test can cut (a core restart) and restore."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.open = threading.Event()
        self.open.set()
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        self.open.clear()
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            try:
                link.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            link.close()

    def restore(self) -> None:
        self.open.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


class Ticker:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
