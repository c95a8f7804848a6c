"""Limits that keep the center answering when a hall full of phones (or one bad client) connects.

`ConnectionLimits` counts live Socket.IO connections, in all and per address, and says
whether a new one may open. `Guard` is the ASGI middleware in front of the app:

* a new Socket.IO connection past `server.max_connections`, or past
  `server.max_connections_per_address` from one address, gets HTTP 503 in the
  contract's error shape (`too_many_connections`) before any websocket is accepted;
  connections already open are not touched. Browsers' Socket.IO clients then retry with
  growing delays by themselves;
* REST requests run on a bounded thread pool that websockets never use; when every
  thread is busy and the backlog is full, a request gets 503 `server_busy` at once
  instead of queueing for ever. Requests without credentials (citizens' phones
  refreshing their ticket) may fill only half of it, so the counters, kiosks and staff,
  who always send a token or a session, keep the other half;
* a request body must arrive within `server.body_timeout_seconds` (408
  `request_timeout`), and is read on the loop before a thread is given the request, so a
  client that sends half a body holds no thread.

`HeaderTimeoutH11Protocol` closes a connection that has not finished sending its request
headers within `server.header_timeout_seconds` (the slow-loris attack).

Everything here runs on the event loop's one thread: the counters need no lock.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from queue_core.domain.messages import render

log = logging.getLogger("xephang.limits")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SOCKET_IO_PATH = "/socket.io/"
# Request bodies are small JSON documents (the app refuses more than 64 KB itself); past
# this the body is not even read.
MAX_BODY_BYTES = 1024 * 1024
# REST requests that may wait for a thread, per thread.
BACKLOG_PER_THREAD = 4
SESSION_COOKIE = b"xephang_session="
REFUSED = "too_many_connections"


class ConnectionLimits:
    """Live connections, in all and per client address, against their ceilings."""

    def __init__(self, total: int, per_address: int) -> None:
        self.total = total
        self.per_address = per_address
        self.by_address: Counter[str] = Counter()
        self.open = 0
        self.refused = 0
        self.closed_in_all = 0          # since the start (the cycle collector's thaws)

    def admits(self, address: str) -> bool:
        """Whether one more connection from `address` may open (counts a refusal if not)."""
        if self.open >= self.total or self.by_address[address] >= self.per_address:
            self.refused += 1
            return False
        return True

    def opened(self, address: str) -> None:
        self.open += 1
        self.by_address[address] += 1

    def closed(self, address: str) -> None:
        self.open -= 1
        self.closed_in_all += 1
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]


def error_body(code: str, scope: Scope | None, **params: Any) -> bytes:
    """`{"error": {"code", "message"}}`, in English when the client prefers it."""
    language = "vi"
    for name, value in (scope or {}).get("headers") or ():
        if name == b"accept-language":
            first = value.decode("latin-1").split(",")[0].strip().lower()
            language = "en" if first.startswith("en") else "vi"
    return json.dumps({"error": {"code": code, "message": render(code, language, **params)}},
                      ensure_ascii=False).encode("utf-8")


async def send_error(scope: Scope, send: Send, status: int, code: str) -> None:
    """Answer an HTTP request, or refuse a websocket handshake, with the contract's error."""
    body = error_body(code, scope)
    headers = [(b"content-type", b"application/json; charset=utf-8"),
               (b"content-length", str(len(body)).encode()),
               (b"retry-after", b"5")]
    if scope["type"] == "websocket":
        if "websocket.http.response" not in (scope.get("extensions") or {}):
            await send({"type": "websocket.close", "code": 1013})
            return
        await send({"type": "websocket.http.response.start", "status": status,
                    "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body})
        return
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: connection ceilings for Socket.IO, a bounded REST pool, body timeouts."""

    def __init__(self, realtime: ASGIApp, rest: ASGIApp, limits: ConnectionLimits, *,
                 rest_threads: int, body_timeout: float, engineio_server: Any = None) -> None:
        self.realtime = realtime
        self.rest = rest
        self.limits = limits
        self.body_timeout = body_timeout
        self.rest_capacity = rest_threads * (1 + BACKLOG_PER_THREAD)
        self.rest_in_flight = 0
        self.anonymous_in_flight = 0
        self.rest_refused = 0
        self._polling: dict[str, str] = {}          # Engine.IO sid -> address (polling sessions)
        if engineio_server is not None:
            self._count_polling_sessions(engineio_server)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self.realtime(scope, receive, send)
        elif scope["path"].startswith(SOCKET_IO_PATH):
            await self._socket_io(scope, receive, send)
        elif kind == "http":
            await self._rest(scope, receive, send)
        else:                                        # a websocket anywhere else
            await send({"type": "websocket.close", "code": 1008})

    # --- Socket.IO --------------------------------------------------------------------------

    async def _socket_io(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qs((scope.get("query_string") or b"").decode("latin-1"))
        if "sid" in query:                           # traffic of a session already counted
            await self.realtime(scope, receive, send)
            return
        address = _address(scope)
        if not self.limits.admits(address):
            await send_error(scope, send, 503, REFUSED)
            return
        if scope["type"] == "http":                  # a polling session opens: counted on connect
            await self.realtime(scope, receive, send)
            return
        self.limits.opened(address)
        try:
            await self.realtime(scope, receive, send)
        finally:
            self.limits.closed(address)

    def _count_polling_sessions(self, eio: Any) -> None:
        """Count sessions opened by long-polling from Engine.IO's own connect and disconnect."""
        on_connect = eio.handlers.get("connect")
        on_disconnect = eio.handlers.get("disconnect")

        async def connect(sid: str, environ: dict[str, Any], *args: Any) -> Any:
            if "transport=polling" in environ.get("QUERY_STRING", ""):
                address = _address(environ.get("asgi.scope") or {})
                self._polling[sid] = address
                self.limits.opened(address)
            return await on_connect(sid, environ, *args) if on_connect else None

        async def disconnect(sid: str, *args: Any) -> Any:
            address = self._polling.pop(sid, None)
            if address is not None:
                self.limits.closed(address)
            return await on_disconnect(sid, *args) if on_disconnect else None

        eio.on("connect", connect)
        eio.on("disconnect", disconnect)

    # --- REST ---------------------------------------------------------------------------------

    async def _rest(self, scope: Scope, receive: Receive, send: Send) -> None:
        anonymous = not _has_credentials(scope)
        if self.rest_in_flight >= self.rest_capacity or (
                anonymous and self.anonymous_in_flight >= self.rest_capacity // 2):
            self.rest_refused += 1
            await send_error(scope, send, 503, "server_busy")
            return
        self.rest_in_flight += 1
        self.anonymous_in_flight += anonymous
        try:
            try:
                body = await asyncio.wait_for(_read_body(receive), self.body_timeout)
            except TimeoutError:
                await send_error(scope, send, 408, "request_timeout")
                return
            except _BodyTooLarge:
                await send_error(scope, send, 413, "malformed_request")
                return
            if body is None:                          # the client went away
                return
            await self.rest(scope, _replay(body, receive), send)
        finally:
            self.rest_in_flight -= 1
            self.anonymous_in_flight -= anonymous


class _BodyTooLarge(Exception):
    pass


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body") or b""
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the whole body at once, then whatever the client does next."""
    sent = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _has_credentials(scope: Scope) -> bool:
    """Whether a request carries a token or a session (a priority hint, not a check)."""
    for name, value in scope.get("headers") or ():
        if name == b"authorization" or (name == b"cookie" and SESSION_COOKIE in value):
            return True
    return False


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol that drops a client still sending headers after a deadline.

    The deadline starts when the connection opens and again after each response (a
    keep-alive connection waiting for its next request); it ends when the request's
    headers are complete. Set `header_timeout` on a subclass (see `with_header_timeout`).
    """

    header_timeout = 10.0
    dropped = 0

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        deadline: asyncio.TimerHandle | None = getattr(self, "_header_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._header_deadline = None

    def _headers_late(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            type(self).dropped += 1
            self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """Answer a request h11 cannot read (broken framing) in the contract's error shape."""
        body = error_body("malformed_request", None, reason="the request could not be read")
        headers = [(b"content-type", b"application/json; charset=utf-8"),
                   (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                      h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderTimeoutH11Protocol]:
    """The protocol class uvicorn should use, with this header deadline."""
    return type("HeaderTimeoutH11Protocol", (HeaderTimeoutH11Protocol,),
                {"header_timeout": seconds, "dropped": 0})
