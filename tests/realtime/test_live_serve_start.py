"""`xephang serve` starts whatever directory it is started from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support_live import LiveServer

pytestmark = [pytest.mark.slow]


def test_serve_ignores_a_queue_core_folder_in_the_working_directory(
        mode: str, make_server: Callable[..., LiveServer], tmp_path: Path) -> None:
    # The server runs in tmp_path (LiveServer starts it beside its data dir).
    (tmp_path / "queue_core").mkdir()
    (tmp_path / "queue_core" / "test_domain.py").write_text("", encoding="utf-8")
    server = make_server(mode)
    server.start(timeout=20)
    assert server.get("/health").status_code == 200
