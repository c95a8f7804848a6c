"""`xephang serve` runs the announcer itself when the loudspeaker hangs on this box."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

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
