"""A webhook receiver for tests: a tiny HTTP server on loopback that checks every signature.

Its `mode` says how it answers the next requests: `ok` (204), `error` (500), `hang` (no
answer until released), `close` (drops the connection), `redirect` (302 elsewhere),
`slow` (answers after `slow_seconds`). Every request is kept with its headers and body;
`events()` returns the envelopes whose signature verified, de-duplicated by delivery id.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from queue_core.domain import outbox

SECRET = "s3cret-for-the-test-receiver"


class Receiver:
    """A webhook endpoint on 127.0.0.1 (start with `start()`, stop with `stop()`)."""

    def __init__(self, secret: str = SECRET, *, path: str = "/hook") -> None:
        self.secret = secret.encode()
        self.path = path
        self.mode = "ok"
        self.slow_seconds = 0.0
        self.requests: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.arrived = threading.Condition()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (the library's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.handle(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        mode = self.mode
        headers = {k: v for k, v in handler.headers.items()}
        signed = outbox.verify(self.secret, headers.get(outbox.TIMESTAMP_HEADER, ""), body,
                               headers.get(outbox.SIGNATURE_HEADER, ""))
        with self.arrived:
            self.requests.append({"headers": headers, "body": body, "signed": signed,
                                  "mode": mode, "at": time.monotonic()})
            if not signed:
                self.bad_signatures += 1
            self.arrived.notify_all()
        if mode == "hang":
            self.release.wait(60)
            return
        if mode == "close":
            handler.close_connection = True
            handler.connection.close()
            return
        if mode == "slow":
            threading.Event().wait(self.slow_seconds)
        if mode == "redirect":
            handler.send_response(302)
            handler.send_header("Location", "http://127.0.0.1:9/elsewhere")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        status = 500 if mode == "error" else 204
        payload = b'{"error":"down"}' if status == 500 else b""
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def accepted(self) -> list[dict[str, Any]]:
        """Return the envelopes answered 2xx, in arrival order (duplicates included)."""
        with self.arrived:
            return [json.loads(r["body"]) for r in self.requests
                    if r["signed"] and r["mode"] in ("ok", "slow")]

    def events(self) -> list[dict[str, Any]]:
        """Return the accepted envelopes, each delivery id once (a receiver's de-duplication)."""
        seen: set[str] = set()
        unique = []
        for envelope in self.accepted():
            if envelope["id"] not in seen:
                seen.add(envelope["id"])
                unique.append(envelope)
        return unique

    def wait_for(self, condition: Callable[[Receiver], bool], timeout: float = 20.0) -> None:
        """Wait until `condition(self)` holds (checked on every request), or fail."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"receiver: condition not met; got {len(self.requests)}"
                                         " requests")
                self.arrived.wait(min(left, 0.2))
