"""Fixtures for the screens: a real core served in-process on a loopback port."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pytest  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from queue_core.config import load_settings  # noqa: E402
from queue_core.web.app import create_app  # noqa: E402

# Beside the browser screenshots (kept out of git): frames to look at after a run.
SHOTS = Path(__file__).resolve().parents[1] / "browser" / "screenshots"
ALWAYS_OPEN = {
    "XEPHANG_CENTER_OPENS_AT": "00:00",
    "XEPHANG_CENTER_CLOSES_AT": "24:00",
    "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
    "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false",
}


@dataclass
class Core:
    """A running appliance: its address, its center and its port."""

    url: str
    port: int
    app: Any

    @property
    def center(self) -> Any:
        return self.app.extensions["xephang"].center


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "var"), **ALWAYS_OPEN})
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Core(f"http://127.0.0.1:{server.server_port}", server.server_port, app)
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["xephang"].store.close()


@pytest.fixture
def shots() -> Path:
    """Where rendered frames are saved to be looked at (tests/browser/screenshots)."""
    SHOTS.mkdir(exist_ok=True)
    return SHOTS
