"""Helpers for browser tests (importable by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from queue_core.config import load_settings

SCREENSHOTS = Path(__file__).parent / "screenshots"


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot to look at (tests/browser/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextmanager
def serve(tmp_path: Path, **env: str) -> Iterator[tuple[str, Any]]:
    """A core with its own settings (`XEPHANG_*` values), served like the live_server fixture."""
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "own"), **env})
    yield from serve_settings(settings)


def serve_settings(settings: Any, clock: Any = None) -> Iterator[tuple[str, Any]]:
    """Serve an appliance made with `settings` on a free loopback port; yield (url, app)."""
    from queue_core.web.app import create_app

    app = create_app(settings, clock=clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["xephang_printer"].service.stop()
        app.extensions["xephang"].store.close()
