"""Fixtures for tests against a real `xephang serve` process, in both async modes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support_live import ASYNC_MODES, Listener, LiveServer


@pytest.fixture(params=ASYNC_MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Return a factory of live servers on fresh data dirs; all are killed at teardown."""
    made: list[LiveServer] = []

    def make(mode: str, *, config: str | None = None, name: str = "var",
             env: dict[str, str] | None = None) -> LiveServer:
        server = LiveServer(tmp_path / name, mode=mode, config=config, env=env)
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def listeners() -> Iterator[Callable[..., Listener]]:
    """Return a factory of Socket.IO listeners; all are disconnected at teardown."""
    made: list[Listener] = []

    def make(url: str, **kwargs: Any) -> Listener:
        listener = Listener(url, **kwargs)
        made.append(listener)
        return listener

    yield make
    for listener in made:
        try:
            listener.disconnect()
        except Exception:  # noqa: BLE001 - teardown of a client whose server is gone
            pass
