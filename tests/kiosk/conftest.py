"""A core served on a loopback port by a thread of this process, for the kiosk satellite."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from queue_core.service import auth
from queue_core.config import load_settings
from queue_core.web.app import create_app


@dataclass
class LiveCore:
    url: str
    app: Any

    @property
    def center(self) -> Any:
        return self.app.extensions["xephang"].center

    @property
    def printer(self) -> Any:
        return self.app.extensions["xephang_printer"].service.printer

    def token(self, role: str = "kiosk", counter: int | None = None) -> str:
        return auth.create_token(self.center.store, f"{role}-{counter}", role=role,
                                 counter=counter, now=self.center.clock.now())


@pytest.fixture
def live_core(tmp_path: Path) -> Iterator[LiveCore]:
    settings = load_settings(env={
        "XEPHANG_DATA_DIR": str(tmp_path / "core"),
        "XEPHANG_CENTER_OPENS_AT": "00:00",
        "XEPHANG_CENTER_CLOSES_AT": "24:00",
        "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
    "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false",
    })
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveCore(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["xephang_printer"].service.stop()
    app.extensions["xephang"].store.close()
