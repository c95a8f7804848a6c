"""A satellite without a token pairs with the core: says its code, waits, keeps the token."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest
from support_core import Core

from queue_core.cli.options import device_token
from queue_core.client.pairing import PairingStopped, pair, read_token, save_token
from queue_core.client.rest import CoreClient


def _approve(core: Core, code: str, role: str) -> None:
    xephang = core.app.extensions["xephang"]
    xephang.pairings.approve(code, role=role, counter=None, name=None, actor="user:quantri",
                             now=core.center.clock.now(), known_counters={1, 2, 3, 4, 5})


def test_a_satellite_pairs_and_keeps_its_token(core: Core, tmp_path: Path) -> None:
    said: queue.Queue[str] = queue.Queue()
    got: list[str] = []
    # (device_token sets signal handlers, which only the main thread may: pair() in a thread.)
    stop = threading.Event()
    worker = threading.Thread(target=lambda: got.append(pair(
        CoreClient(core.url), "announcer", name="loa-sanh", say=said.put, stop=stop,
        interval=0.05)), daemon=True)
    worker.start()
    line = said.get(timeout=30)
    # The box's address as other machines reach it, with the port it really serves on.
    port = core.url.rsplit(":", 1)[1]
    assert "Mã ghép nối" in line and f":{port}/admin" in line
    code = "".join(line.split(": ", 1)[1].split(" —")[0].split())
    assert len(code) == 6 and code.isdigit()
    _approve(core, code, "announcer")
    worker.join(timeout=30)
    assert got, "the satellite did not get its token"
    token = got[0]
    reply = CoreClient(core.url, token).get("/api/v1/settings/speech")
    assert reply.ok and "{label}" in reply.data["template"]
    # Kept for the next start, readable by its owner only.
    path = tmp_path / "announcer-token"
    save_token(path, token)
    assert read_token(path) == token and path.stat().st_mode & 0o777 == 0o600
    assert device_token(core.url, None, "announcer", data_dir=str(tmp_path)) == token
    assert device_token(core.url, "given", "announcer", data_dir=str(tmp_path)) == "given"


def test_pairing_stops_when_asked(tmp_path: Path) -> None:
    stop = threading.Event()
    stop.set()
    with pytest.raises(PairingStopped):
        pair(CoreClient("http://127.0.0.1:9"), "kiosk", name=None, say=lambda _: None, stop=stop)


def test_an_unreachable_core_is_said_and_tried_again() -> None:
    stop = threading.Event()
    said: list[str] = []

    def say(text: str) -> None:
        said.append(text)
        if len(said) >= 2:
            stop.set()

    with pytest.raises(PairingStopped):
        pair(CoreClient("http://127.0.0.1:9", timeout=0.5), "kiosk", name=None, say=say,
             stop=stop, interval=0.01)
    assert len(said) == 2 and all("Không kết nối được" in text for text in said)
