"""A stand-in for the province hub's ingest endpoint, for the forwarder's unit tests.

It follows the ingest protocol of the hub's README: each stream is applied strictly in
`seq` order, once; a gap answers `resend_from`; events below `oldest_available` that it
never got are counted `lost`; a wrong token is 401; `down` answers 503 with Retry-After;
events whose seq is in `refuse` are rejected (they keep their place).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "hub-token-of-the-box"


class FakeHub:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.down = False
        self.refuse: set[int] = set()
        self.applied: dict[str, dict[int, dict[str, Any]]] = {}
        self.high: dict[str, int] = {}
        self.bodies: list[dict[str, Any]] = []
        self.lost = 0
        self.lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, answer, headers = hub.ingest(self.headers.get("Authorization", ""), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def forget(self, stream: str) -> None:
        """Lose what was applied (a hub restored from an old copy)."""
        with self.lock:
            self.applied.pop(stream, None)
            self.high.pop(stream, None)

    def ingest(self, authorization: str, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        if authorization != f"Bearer {self.token}":
            return 401, {"error": {"code": "unauthorized", "message": "no"}}, {}
        if self.down:
            return 503, {"error": {"code": "database_unavailable", "message": "later"}}, {
                "Retry-After": "2"}
        body = json.loads(raw)
        with self.lock:
            self.bodies.append(body)
            stream = body["stream"]
            applied = self.applied.setdefault(stream, {})
            high = self.high.get(stream, 0)
            oldest = body.get("oldest_available")
            lost = 0
            if isinstance(oldest, int) and high + 1 < oldest:
                lost = oldest - high - 1
                high = oldest - 1
            duplicates, rejected, resend, deferred, count = 0, [], None, 0, 0
            for event in sorted(body["events"], key=lambda e: e["seq"]):
                seq = event["seq"]
                if seq <= high:
                    duplicates += 1
                elif seq == high + 1 and resend is None:
                    high = seq
                    if seq in self.refuse:
                        rejected.append({"seq": seq, "field": "data", "reason": "refused"})
                    else:
                        applied[seq] = event
                        count += 1
                else:
                    resend = resend or high + 1
                    deferred += 1
            self.high[stream] = high
            self.lost += lost
        return 200, {"applied": count, "duplicates": duplicates, "rejected": rejected,
                     "resend_from": resend, "applied_through": high, "deferred": deferred,
                     "lost": lost}, {}
