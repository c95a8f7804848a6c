"""`xephang serve` starts whatever directory it is started from, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support_live import Listener, LiveServer, pause

pytestmark = [pytest.mark.slow]


def test_serve_ignores_a_queue_core_folder_in_the_working_directory(
        mode: str, make_server: Callable[..., LiveServer], tmp_path: Path) -> None:
    # The server runs in tmp_path (LiveServer starts it beside its data dir).
    (tmp_path / "queue_core").mkdir()
    (tmp_path / "queue_core" / "test_domain.py").write_text("", encoding="utf-8")
    server = make_server(mode)
    server.start(timeout=20)
    assert server.get("/health").status_code == 200


@pytest.mark.parametrize("mode", ["asyncio", "threading"])
def test_sigterm_stops_the_server_cleanly(mode: str, make_server: Callable[..., LiveServer],
                                          listeners: Callable[..., Listener]) -> None:
    # Emulated loudspeaker: in asyncio mode the announcer runs inside the server too.
    server = make_server(mode, env={"XEPHANG_HARDWARE_SPEAKER_ATTACHED": "true"})
    kiosk = server.token("kiosk")
    server.start()
    screen = listeners(server.url, transports=["websocket"], reconnection=False).connect()
    screen.wait_boards(1)
    assert server.post("/tickets", kiosk, {"service": "A"}).status_code == 201
    assert server.proc is not None
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=20) == 0, server.output()
    deadline = time.monotonic() + 10
    while screen.sio.connected and time.monotonic() < deadline:
        pause(0.05)
    assert not screen.sio.connected, "the server closed its websockets"
    assert server.db().execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1
