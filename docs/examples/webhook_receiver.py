"""A webhook receiver for xephang's events, with the standard library only.

Run:  python webhook_receiver.py --port 9000 --secret "the secret in [[webhooks]]"
and put `url = "http://<this machine>:9000/xephang"` in the box's settings.

It checks each delivery as docs/API.md says: the signature over the timestamp and the raw
body (constant-time compare), the timestamp within five minutes (a replayed request is
refused), and the delivery id once (a retry of something already taken is answered 2xx
and not processed again). Anything but 2xx makes the box try again later, in order.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLAY_WINDOW_SECONDS = 300


def verify(secret: bytes, timestamp: str, body: bytes, signature: str, *,
           now: float | None = None) -> bool:
    """Tell whether a delivery is genuine and fresh."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    if age > REPLAY_WINDOW_SECONDS:
        return False
    expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


class Handler(BaseHTTPRequestHandler):
    secret = b""
    seen: set[str] = set()  # keep these in a database in real use

    def do_POST(self) -> None:  # noqa: N802 (the library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not verify(self.secret, self.headers.get("X-Xephang-Timestamp", ""), body,
                      self.headers.get("X-Xephang-Signature", "")):
            self.send_response(401)
            self.end_headers()
            return
        event = json.loads(body)
        if event["id"] not in self.seen:
            self.seen.add(event["id"])
            print(event["seq"], event["event"], json.dumps(event["data"], ensure_ascii=False))
        self.send_response(204)
        self.end_headers()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    Handler.secret = args.secret.encode()
    ThreadingHTTPServer(("0.0.0.0", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
