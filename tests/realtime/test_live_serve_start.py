"""`xephang serve` starts whatever directory it is started from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support_live import LiveServer

pytestmark = [pytest.mark.slow]

EXEC_FROM_CWD = (
    "queue_core/server.py _run_eventlet re-executes `python -m queue_core.eventlet_server`; "
    "-m puts the working directory first on sys.path, so a `queue_core/` folder there (the "
    "repository's tests/ has one) shadows the installed package and the server dies with "
    "ImportError; pass -P to the interpreter")


@pytest.mark.parametrize("start_mode", [
    "threading",
    pytest.param("eventlet", marks=pytest.mark.xfail(strict=True, reason=EXEC_FROM_CWD)),
])
def test_serve_ignores_a_queue_core_folder_in_the_working_directory(
        start_mode: str, make_server: Callable[..., LiveServer], tmp_path: Path) -> None:
    # The server runs in tmp_path (LiveServer starts it beside its data dir).
    (tmp_path / "queue_core").mkdir()
    (tmp_path / "queue_core" / "test_domain.py").write_text("", encoding="utf-8")
    server = make_server(start_mode)
    server.start(timeout=20)
    assert server.get("/health").status_code == 200
