"""The real `xephang serve` under a systemd-like notify socket: READY, heartbeats, nightly copy."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from support_live import ASYNC_MODES, LiveServer, pause

from queue_core.ops import backup

pytestmark = [pytest.mark.slow]


@pytest.fixture(params=ASYNC_MODES)
def notified_server(request: pytest.FixtureRequest,
                    tmp_path: Path) -> Iterator[tuple[LiveServer, socket.socket]]:
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(30)
    # Two seconds of watchdog: a beat every half second.
    server = LiveServer(tmp_path / "var", mode=str(request.param),
                        env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "2000000"})
    try:
        yield server, sock
    finally:
        server.stop()
        sock.close()


def test_serve_tells_systemd_it_is_ready_and_alive(
        notified_server: tuple[LiveServer, socket.socket]) -> None:
    server, sock = notified_server
    server.start()
    first = sock.recv(4096).decode()
    # Ours, from the serving worker: gunicorn's arbiter never says it for us.
    assert first.startswith("READY=1\nSTATUS=serving"), first
    beats = 0
    while beats < 3:
        message = sock.recv(4096).decode()
        assert "Gunicorn arbiter" not in message
        beats += message == "WATCHDOG=1"
    assert server.get("/health").status_code == 200


def test_serve_makes_the_first_copy_at_start(
        notified_server: tuple[LiveServer, socket.socket]) -> None:
    server, _ = notified_server
    server.start()
    folder = server.data_dir / "backups"
    for _ in range(200):
        if backup.backups(folder):
            break
        pause(0.05)
    kept = backup.backups(folder)
    assert len(kept) == 1 and backup.verify(kept[0][1]) == 0
    assert backup.is_serving(server.data_dir)
