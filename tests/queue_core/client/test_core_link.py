"""CoreLink, the one live link of every satellite: connect, rooms, retry, resync, stop.

Against a real core served on loopback (with a relay a test can cut, as a restarting
box would) and against a small Socket.IO stand-in that can send any `seq`. Every
wait is on a condition with a deadline, never a sleep.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_core import FakeCore
from support_core import Core, Proxy

from queue_core.client.link import CoreLink


class Heard:
    """What a link's callbacks received, with a condition to wait on."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.boards: list[Any] = []
        self.links: list[bool] = []
        self.changed = threading.Condition()

    def event(self, name: str, payload: Any) -> None:
        with self.changed:
            self.events.append((name, payload))
            self.changed.notify_all()

    def board(self, board: Any) -> None:
        with self.changed:
            self.boards.append(board)
            self.changed.notify_all()

    def link(self, up: bool) -> None:
        with self.changed:
            self.links.append(up)
            self.changed.notify_all()

    def until(self, what: Callable[[], Any], timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(what, timeout)

    def names(self) -> list[str]:
        with self.changed:
            return [name for name, _ in self.events]


@pytest.fixture
def fake() -> Iterator[FakeCore]:
    server = FakeCore(token="link-secret").start()
    yield server
    server.stop()


@pytest.fixture
def links() -> Iterator[Callable[..., tuple[CoreLink, Heard]]]:
    made: list[CoreLink] = []

    def make(url: str, rooms: list[str], token: str | None, **options: Any,
             ) -> tuple[CoreLink, Heard]:
        heard = Heard()
        options.setdefault("reconnect_delay", 0.05)
        options.setdefault("reconnect_delay_max", 0.5)
        link = CoreLink(url, rooms=rooms, token=token, on_event=heard.event,
                        on_board=heard.board, on_link=heard.link, **options)
        link.start()
        made.append(link)
        return link, heard

    yield make
    for link in made:
        link.stop(timeout=2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_joins_its_room_gets_the_board_and_only_its_events(core: Core, links: Any) -> None:
    link, heard = links(core.url, ["counter:3"], core.token("display"))
    assert link.connected.wait(10) and link.synced.wait(10)
    assert heard.until(lambda: heard.boards and heard.links == [True])
    assert heard.boards[0]["seq"] == core.center.board()["seq"]
    core.center.issue("A", actor="test")
    core.center.call_next(1, actor="test")  # counter 1: not this room
    core.center.issue("B", actor="test")
    core.center.call_next(3, actor="test")
    core.center.finish(3, actor="test")
    assert heard.until(lambda: "rating_requested" in heard.names())
    assert heard.names() == ["ticket_called", "counter_updated", "ticket_updated",
                             "counter_updated", "rating_requested"]
    # A counter room sees seq jump by design: no resync asked.
    assert link.resyncs == 0 and len(heard.boards) == 1


def test_a_wrong_token_never_connects_and_stop_is_prompt(core: Core, links: Any) -> None:
    link, heard = links(core.url, ["board"], "xph_not-a-token")
    assert not link.connected.wait(1.0)
    assert heard.boards == [] and heard.links == []
    started = time.monotonic()
    link.stop(timeout=2)
    assert time.monotonic() - started < 3


def test_connects_once_the_core_comes(tmp_path: Path, links: Any) -> None:
    port = free_port()
    link, heard = links(f"http://127.0.0.1:{port}", ["board"], None)
    assert not link.connected.wait(0.3)
    core = Core(tmp_path / "var", port=port)
    try:
        assert link.connected.wait(15)
        assert heard.until(lambda: heard.boards)
    finally:
        link.stop(timeout=2)
        core.stop()


def test_resubscribes_after_the_link_drops_and_sees_what_it_missed(core: Core,
                                                                   links: Any) -> None:
    proxy = Proxy(core.server.server_port)
    try:
        link, heard = links(proxy.url, ["board"], core.token("display"))
        assert heard.until(lambda: heard.boards and heard.links == [True])
        proxy.cut()
        assert heard.until(lambda: heard.links == [True, False])
        assert not link.connected.is_set() and not link.synced.is_set()
        # Changes made while the link is down arrive in the next Board.
        core.center.issue("A", actor="test")
        proxy.restore()
        assert heard.until(lambda: heard.links == [True, False, True], timeout=20)
        assert heard.until(lambda: len(heard.boards) >= 2)
        assert heard.boards[-1]["seq"] == core.center.board()["seq"]
        assert heard.boards[-1]["services"][0]["waiting"] == 1
    finally:
        proxy.close()


def test_a_gap_in_seq_on_the_board_room_asks_for_a_fresh_board(fake: FakeCore,
                                                               links: Any) -> None:
    fake.board = {**fake.board, "seq": 10}
    link, heard = links(fake.url, ["board"], fake.token)
    assert fake.wait_for(lambda: len(fake.subscriptions) == 1)
    assert heard.until(lambda: heard.boards)
    fake.emit("ticket_updated", {"seq": 11, "ticket": {}}, room="board")
    assert heard.until(lambda: len(heard.events) == 1)
    assert link.seq == 11 and link.resyncs == 0
    fake.board = {**fake.board, "seq": 14}
    fake.emit("ticket_updated", {"seq": 13, "ticket": {}}, room="board")  # 12 never came
    assert fake.wait_for(lambda: len(fake.subscriptions) == 2)
    assert heard.until(lambda: len(heard.boards) == 2)
    assert link.resyncs == 1 and link.seq == 14
    # The event itself is still handed on: the client drops what the Board covers.
    assert [payload["seq"] for _, payload in heard.events] == [11, 13]
    fake.emit("ticket_updated", {"seq": 15, "ticket": {}}, room="board")
    assert heard.until(lambda: len(heard.events) == 3)
    assert link.resyncs == 1


def test_a_connection_the_core_closes_is_opened_again(fake: FakeCore, links: Any) -> None:
    link, heard = links(fake.url, ["announcer"], fake.token)
    assert fake.wait_for(lambda: len(fake.subscriptions) == 1)
    fake.drop_clients()
    assert fake.wait_for(lambda: len(fake.subscriptions) == 2, timeout=10)
    assert heard.until(lambda: heard.links[-1] is True and False in heard.links)
    assert link.connects == 2


def test_no_callback_runs_after_stop(fake: FakeCore, links: Any) -> None:
    link, heard = links(fake.url, ["announcer"], fake.token)
    assert heard.until(lambda: heard.boards)
    link.stop(timeout=2)
    assert link.stopped and not link.connected.is_set()
    before = (len(heard.events), len(heard.boards), len(heard.links))
    fake.emit("ticket_issued", {"seq": 1, "ticket": {}})
    fake.drop_clients()
    assert not fake.wait_for(lambda: len(fake.subscriptions) > 1, timeout=0.5)
    assert (len(heard.events), len(heard.boards), len(heard.links)) == before
    assert link.emit("device_status", {}) is False


def test_emit_reaches_the_core(fake: FakeCore, links: Any) -> None:
    link, heard = links(fake.url, ["announcer"], fake.token)
    assert heard.until(lambda: heard.links == [True])
    assert link.emit("device_status", {"device": "announcer", "status": "ok", "message": "x"})
    assert fake.wait_for(lambda: fake.statuses)
    assert fake.statuses[0]["status"] == "ok"
