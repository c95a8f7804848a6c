"""Settings survive `kill -9` during a save: a real process saves over and over and is killed.

Each save writes the console's document, its version and the audit row in one SQLite
transaction, so after the kill the database holds one whole save: the last acknowledged
one or the one after, never a document of one version with the number of another.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from queue_core.config import LiveSettings, load_settings
from queue_core.service import audit
from queue_core.service.settings import ConsoleSettings
from queue_core.storage import Store

pytestmark = [pytest.mark.slow, pytest.mark.faults]

SAVER = textwrap.dedent("""
    import sys
    from queue_core.config import LiveSettings, load_settings
    from queue_core.service.settings import ConsoleSettings
    from queue_core.storage import Store

    data = sys.argv[1]
    settings = load_settings(env={"XEPHANG_DATA_DIR": data})
    console = ConsoleSettings(LiveSettings(settings), Store.in_data_dir(settings.data_path),
                              base=settings)
    console.load()
    while True:
        version = console.document()["version"] + 1
        # A change that touches several sections, so a torn save would show.
        console.patch({"display": {"notice": f"lần {version}"},
                       "center": {"name": f"Trung tâm {version}"},
                       "holidays": [f"2027-03-{version % 28 + 1:02d}"]}, actor="user:thu")
        print(version, flush=True)
""")


def test_settings_survive_kill_9_during_a_save(tmp_path: Path) -> None:
    data = tmp_path / "var"
    saver = subprocess.Popen([sys.executable, "-c", SAVER, str(data)], stdout=subprocess.PIPE,
                             text=True, cwd=Path(__file__).resolve().parents[3])
    assert saver.stdout is not None
    acknowledged = 0
    try:
        for line in saver.stdout:
            acknowledged = int(line)
            if acknowledged >= 40:
                break
        os.kill(saver.pid, signal.SIGKILL)
    finally:
        saver.kill()
        saver.wait(timeout=30)
    assert acknowledged >= 40, "the saving process did not get going"
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(data)})
    store = Store.in_data_dir(settings.data_path)
    try:
        with store.read():
            document, version = store.console_settings()
        assert version >= acknowledged
        assert document["display"]["notice"] == f"lần {version}"
        assert document["center"]["name"] == f"Trung tâm {version}"
        assert document["holidays"] == [f"2027-03-{version % 28 + 1:02d}"]
        saves = [e for e in audit.entries(store, limit=1000) if e["action"] == "settings_changed"]
        assert len(saves) == version
        # And a box started on it serves that save.
        console = ConsoleSettings(LiveSettings(settings), store, base=settings)
        console.load()
        assert console.live.current.center.name == f"Trung tâm {version}"
    finally:
        store.close()
