"""The limits in front of the app, on their own: connection counts, the REST backlog, body timeouts.

The live forms (real server, real sockets) are in tests/realtime/test_live_limits.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

import pytest

from queue_core.ops.serving.limits import BACKLOG_PER_THREAD, ConnectionLimits, Guard, error_body
from support_async import run_async


def test_ceiling_and_cap_per_address() -> None:
    limits = ConnectionLimits(total=3, per_address=2)
    for address in ("10.0.0.1", "10.0.0.1"):
        assert limits.admits(address)
        limits.opened(address)
    assert not limits.admits("10.0.0.1"), "the cap per address"
    assert limits.admits("10.0.0.2")
    limits.opened("10.0.0.2")
    assert not limits.admits("10.0.0.3"), "the ceiling"
    assert limits.refused == 2
    limits.closed("10.0.0.1")
    assert limits.admits("10.0.0.3") and limits.admits("10.0.0.1")
    limits.closed("10.0.0.1")
    limits.closed("10.0.0.2")
    assert limits.open == 0 and not limits.by_address


def test_error_body_speaks_the_contract_and_the_language_asked() -> None:
    body = json.loads(error_body("too_many_connections", {"headers": []}))
    assert body["error"]["code"] == "too_many_connections"
    assert "kết nối" in body["error"]["message"]
    english = json.loads(error_body("server_busy", {"headers": [(b"accept-language", b"en-US")]}))
    assert english["error"]["message"].startswith("The server is busy")


class Recorder:
    """An ASGI `send` that keeps what was sent."""

    def __init__(self) -> None:
        self.messages: list[MutableMapping[str, Any]] = []

    async def __call__(self, message: MutableMapping[str, Any]) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int | None:
        starts = [m for m in self.messages if m["type"] == "http.response.start"]
        return starts[0]["status"] if starts else None

    def body(self) -> dict[str, Any]:
        return json.loads(b"".join(m.get("body", b"") for m in self.messages
                                   if m["type"] == "http.response.body"))


def http_scope(path: str = "/api/v1/health", method: str = "GET",
               token: bool = True) -> dict[str, Any]:
    headers = [(b"authorization", b"Bearer t")] if token else []
    return {"type": "http", "path": path, "method": method, "headers": headers,
            "query_string": b"", "client": ("10.0.0.9", 5000)}


def chunks(*parts: bytes, then_wait: bool = False) -> Any:
    queue: list[dict[str, Any]] = [{"type": "http.request", "body": part,
                                    "more_body": i < len(parts) - 1 or then_wait}
                                   for i, part in enumerate(parts)]

    async def receive() -> dict[str, Any]:
        if queue:
            return queue.pop(0)
        await asyncio.Event().wait()             # a client that stopped sending
        raise AssertionError("unreachable")

    return receive


def held_app(release: asyncio.Event) -> Any:
    """An ASGI app that answers 200 once `release` is set (a request held by a thread)."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


def test_rest_requests_get_the_whole_body_then_run() -> None:
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        seen.append(message["body"])
        assert not message["more_body"]
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    guard = Guard(app, app, ConnectionLimits(10, 10), rest_threads=2, body_timeout=1)
    send = Recorder()
    run_async(guard(http_scope("/api/v1/tickets", "POST"),
                      chunks(b'{"serv', b'ice": "A"}'), send))
    assert seen == [b'{"service": "A"}'] and send.status == 201


def test_a_body_that_stops_coming_gets_408_and_never_reaches_the_app() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not see a half-sent body")

    guard = Guard(app, app, ConnectionLimits(10, 10), rest_threads=2, body_timeout=0.05)
    send = Recorder()
    run_async(guard(http_scope("/api/v1/tickets", "POST"), chunks(b'{"serv', then_wait=True),
                      send))
    assert send.status == 408 and send.body()["error"]["code"] == "request_timeout"
    assert guard.rest_in_flight == 0


def test_past_the_backlog_requests_are_refused_at_once() -> None:
    release = asyncio.Event()

    async def scenario() -> list[int | None]:
        slow_app = held_app(release)
        guard = Guard(slow_app, slow_app, ConnectionLimits(10, 10), rest_threads=1,
                      body_timeout=1)
        capacity = 1 + BACKLOG_PER_THREAD
        sends = [Recorder() for _ in range(capacity + 2)]
        tasks = [asyncio.create_task(guard(http_scope(), chunks(b""), send)) for send in sends]
        for _ in range(20):
            await asyncio.sleep(0)
        refused_early = [send.status for send in sends]
        release.set()
        await asyncio.gather(*tasks)
        assert guard.rest_refused == 2
        return refused_early + [send.status for send in sends]

    statuses = run_async(scenario())
    early, final = statuses[:len(statuses) // 2], statuses[len(statuses) // 2:]
    assert early.count(503) == 2 and early.count(None) == len(early) - 2
    assert final.count(200) == len(final) - 2


@pytest.mark.parametrize("kind", ["http", "websocket"])
def test_a_new_socket_io_connection_past_the_ceiling_is_refused(kind: str) -> None:
    reached: list[str] = []

    async def realtime(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["type"])

    limits = ConnectionLimits(total=1, per_address=5)
    limits.opened("10.0.0.1")
    guard = Guard(realtime, realtime, limits, rest_threads=1, body_timeout=1)
    scope = {"type": kind, "path": "/socket.io/", "headers": [], "client": ("10.0.0.2", 1),
             "query_string": b"EIO=4&transport=" + (b"polling" if kind == "http"
                                                   else b"websocket"),
             "extensions": {"websocket.http.response": {}}}
    send = Recorder()
    run_async(guard(scope, chunks(b""), send))
    assert reached == []
    start = send.messages[0]
    assert start["status"] == 503
    assert json.loads(send.messages[1]["body"])["error"]["code"] == "too_many_connections"
    # Traffic of a session already open is never refused.
    scope["query_string"] += b"&sid=abc"
    run_async(guard(scope, chunks(b""), Recorder()))
    assert reached == [kind]


def test_phones_fill_only_half_the_pool_and_staff_still_get_in() -> None:
    release = asyncio.Event()

    async def scenario() -> tuple[list[int | None], list[int | None], Guard]:
        slow_app = held_app(release)
        guard = Guard(slow_app, slow_app, ConnectionLimits(10, 10), rest_threads=2,
                      body_timeout=1)
        half = guard.rest_capacity // 2
        phones = [Recorder() for _ in range(half + 3)]
        staff = [Recorder() for _ in range(guard.rest_capacity - half)]
        tasks = [asyncio.create_task(guard(http_scope(token=False), chunks(b""), send))
                 for send in phones]
        tasks += [asyncio.create_task(guard(http_scope(), chunks(b""), send)) for send in staff]
        for _ in range(20):
            await asyncio.sleep(0)
        release.set()
        await asyncio.gather(*tasks)
        return [s.status for s in phones], [s.status for s in staff], guard

    phones, staff, guard = run_async(scenario())
    assert phones.count(503) == 3 and phones.count(200) == len(phones) - 3
    assert staff == [200] * len(staff)
    assert guard.anonymous_in_flight == 0 and guard.rest_in_flight == 0
