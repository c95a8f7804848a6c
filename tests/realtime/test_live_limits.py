"""A hall full of phones, and one client misbehaving on purpose, must not stop the counters.

Short forms, on the real `xephang serve` (default serving model) over loopback:

* six hundred websockets against a ceiling of four hundred: the first four hundred are
  held, the rest refused with 503 in the contract's error shape, a screen connected
  before keeps getting its events, and tickets are issued and called all along;
* a cap per address: one address is refused past it while another still gets in;
* six hundred half-sent HTTP requests (slow-loris) and half-sent bodies: the counters
  keep working, and the server drops the laggards after its header and body timeouts.

The full-size forms (5,000 connections) are in `bench/bench_serving.py`.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import requests
from support_live import Listener, LiveServer, pause

pytestmark = [pytest.mark.slow, pytest.mark.faults]

CEILING = 400
CROWD = 600
PER_ADDRESS = 20


def open_websocket(port: int, source: str = "127.0.0.1") -> tuple[socket.socket, int, bytes]:
    """Start a Socket.IO websocket by hand; return the socket, HTTP status and any body."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                    source_address=(source, 0))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                  f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
    header, _, body = head.partition(b"\r\n\r\n")
    length = [int(line.split(b":")[1]) for line in header.split(b"\r\n")
              if line.lower().startswith(b"content-length:")]
    while length and len(body) < length[0]:
        chunk = sock.recv(4096)
        if not chunk:
            break
        body += chunk
    return sock, status, body


@contextmanager
def crowd(port: int, count: int, source: str = "127.0.0.1") -> Iterator[list[tuple[int, bytes]]]:
    sockets, answers = [], []
    try:
        for _ in range(count):
            sock, status, body = open_websocket(port, source)
            sockets.append(sock)
            answers.append((status, body))
        yield answers
    finally:
        for sock in sockets:
            sock.close()


def counters_work(server: LiveServer, kiosk: str, staff: str, screen: Listener) -> None:
    """/health answers, a ticket is issued and called, the screen sees the call."""
    start = time.monotonic()
    assert requests.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200
    ticket = server.post("/tickets", kiosk, {"service": "A"})
    assert ticket.status_code == 201, ticket.text
    called = server.post("/counters/1/call-next", staff)
    assert called.status_code == 200, called.text
    label = called.json()["label"]
    assert server.post("/counters/1/finish", staff).status_code == 200
    screen.wait_event("ticket_called", lambda data: data["ticket"]["label"] == label, timeout=10)
    assert time.monotonic() - start < 10


def test_past_the_ceiling_new_connections_are_refused_and_the_center_goes_on(
        make_server: Callable[..., LiveServer], listeners: Callable[..., Listener]) -> None:
    server = make_server("asyncio", env={"XEPHANG_SERVER_MAX_CONNECTIONS": str(CEILING),
                                         "XEPHANG_SERVER_MAX_CONNECTIONS_PER_ADDRESS": "1000"})
    kiosk, staff = server.tokens([("kiosk", None), ("staff", 1)])
    server.start()
    screen = listeners(server.url, transports=["websocket"], reconnection=False).connect()
    screen.wait_boards(1)

    with crowd(server.port, CROWD) as answers:
        statuses = [status for status, _ in answers]
        # The screen holds one place: the crowd gets the rest, then clean refusals.
        assert statuses.count(101) == CEILING - 1
        assert statuses.count(503) == CROWD - CEILING + 1
        refused = [json.loads(body) for status, body in answers if status == 503]
        assert all(body["error"]["code"] == "too_many_connections" for body in refused)
        assert refused[0]["error"]["message"]
        counters_work(server, kiosk, staff, screen)
        late = Listener(server.url, transports=["websocket"], reconnection=False)
        with pytest.raises(Exception):  # noqa: B017 - python-socketio's own ConnectionError
            late.connect(timeout=5)
        late.disconnect()
        assert screen.sio.connected

    # The crowd gone, a newcomer gets in again.
    deadline = time.monotonic() + 15
    while True:
        sock, status, _ = open_websocket(server.port)
        sock.close()
        if status == 101 or time.monotonic() > deadline:
            break
        pause(0.1)
    assert status == 101
    counters_work(server, kiosk, staff, screen)


def test_one_address_is_capped_without_shutting_out_the_others(
        make_server: Callable[..., LiveServer], listeners: Callable[..., Listener]) -> None:
    server = make_server("asyncio", env={"XEPHANG_SERVER_MAX_CONNECTIONS_PER_ADDRESS":
                                         str(PER_ADDRESS)})
    kiosk, staff = server.tokens([("kiosk", None), ("staff", 1)])
    server.start()
    screen = listeners(server.url, transports=["websocket"], reconnection=False).connect()
    screen.wait_boards(1)
    with crowd(server.port, PER_ADDRESS + 10, source="127.0.0.2") as greedy:
        assert [s for s, _ in greedy].count(101) == PER_ADDRESS
        assert [s for s, _ in greedy].count(503) == 10
        with crowd(server.port, 5, source="127.0.0.3") as others:
            assert [s for s, _ in others] == [101] * 5
        counters_work(server, kiosk, staff, screen)


def half_sent(port: int, count: int, text: bytes) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(text)
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket, received: bytearray) -> bool:
    """Read what the server sent into `received`; return whether it has closed the socket."""
    sock.setblocking(False)
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return True
            received += chunk
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def test_half_sent_requests_hold_nothing_and_are_dropped(
        make_server: Callable[..., LiveServer], listeners: Callable[..., Listener]) -> None:
    server = make_server("asyncio", env={"XEPHANG_SERVER_HEADER_TIMEOUT_SECONDS": "3",
                                         "XEPHANG_SERVER_BODY_TIMEOUT_SECONDS": "3"})
    kiosk, staff = server.tokens([("kiosk", None), ("staff", 1)])
    server.start()
    screen = listeners(server.url, transports=["websocket"], reconnection=False).connect()
    screen.wait_boards(1)
    headers = half_sent(server.port, 600, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
    bodies = half_sent(server.port, 30, b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"serv")
    try:
        counters_work(server, kiosk, staff, screen)
        deadline = time.monotonic() + 30
        pending = headers + bodies
        answers: dict[socket.socket, bytearray] = {sock: bytearray() for sock in pending}
        while pending and time.monotonic() < deadline:
            for sock in list(pending):
                if closed_by_server(sock, answers[sock]):
                    pending.remove(sock)
            pause(0.1)
        assert not pending, f"{len(pending)} half-sent requests still held"
        assert all(answers[sock] == b"" for sock in headers)
        for sock in bodies:
            assert answers[sock].startswith(b"HTTP/1.1 408"), answers[sock][:200]
            assert b'"request_timeout"' in answers[sock]
        counters_work(server, kiosk, staff, screen)
    finally:
        for sock in headers + bodies:
            sock.close()
