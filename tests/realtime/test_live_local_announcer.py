"""`xephang serve` runs the announcer itself when the loudspeaker hangs on this box."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from support_live import LiveServer, pause

pytestmark = [pytest.mark.slow]


def wait_for_audio(server: LiveServer, status: str, timeout: float = 40.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    health: dict[str, Any] = {}
    while time.monotonic() < deadline:
        health = server.get("/health").json()
        if health["audio"] == status:
            return health
        pause(0.1)
    raise AssertionError(f"audio never became {status!r}: {health}\n{server.output()}")


def test_serve_starts_the_announcer_with_a_fresh_token(mode: str,
                                                       make_server: Callable[..., LiveServer]) -> None:
    server = make_server(mode, env={"XEPHANG_HARDWARE_SPEAKER_ATTACHED": "true"})
    server.start()
    # The emulated speaker reports itself as degraded: a demo box never passes for a real one.
    health = wait_for_audio(server, "degraded")
    assert "giả lập" in health["devices"]["audio"]["message"]
    # Started once the server listens: never refused, so no alarming line on a first start.
    assert "cannot reach the core" not in server.output()
    assert "refused the connection" not in server.output()
    server.restart()
    wait_for_audio(server, "degraded")
    live = server.db().execute("SELECT COUNT(*) FROM tokens WHERE name = 'announcer@serve'"
                               " AND revoked_at IS NULL").fetchone()[0]
    assert live == 1


def test_no_announcer_when_the_speaker_is_elsewhere(make_server: Callable[..., LiveServer]) -> None:
    server = make_server("threading")
    server.start()
    assert server.get("/health").json()["audio"] == "emulated"
    assert server.db().execute("SELECT COUNT(*) FROM tokens").fetchone()[0] == 0


def test_a_hung_speech_command_never_stalls_the_counters(
        make_server: Callable[..., LiveServer], tmp_path: Path) -> None:
    # Emulated loudspeaker, default serving model: the announcer runs inside the core and
    # renders speech with the espeak-ng command line. Here that command hangs for ever.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    hung = bin_dir / "espeak-ng"
    hung.write_text("#!/bin/sh\nexec sleep 600\n", encoding="utf-8")
    hung.chmod(0o755)
    server = make_server("asyncio", env={
        "XEPHANG_HARDWARE_SPEAKER_ATTACHED": "true", "XEPHANG_SPEECH_SYNTH_TIMEOUT_SECONDS": "1",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    kiosk, staff = server.tokens([("kiosk", None), ("staff", 1)])
    server.start()
    wait_for_audio(server, "degraded")
    children = psutil.Process(server.pid).children(recursive=True)
    assert not [c for c in children if "announcer" in " ".join(c.cmdline())], \
        "no announcer process with an emulated loudspeaker"
    for _ in range(5):
        started = time.monotonic()
        assert server.post("/tickets", kiosk, {"service": "A"}).status_code == 201
        assert server.post("/counters/1/call-next", staff).status_code == 200
        assert server.post("/counters/1/finish", staff).status_code == 200
        assert time.monotonic() - started < 5
    # The announcer noticed: speech failed, and it says so instead of hanging silently.
    health = wait_for_audio(server, "error")
    assert server.get("/health").status_code == 200, health
