"""sd_notify from the app: READY=1 once the worker serves, WATCHDOG=1 while the database answers."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_core.ops import watchdog
from queue_core.storage import Store
from queue_core.ops.watchdog import Heartbeat, Notifier, hide_notify_socket, watchdog_interval
from queue_core.ops.upkeep import WATCHDOG_EXTENSION
from queue_core.service.center import Center
from queue_core.web.app import start_upkeep


class Systemd:
    """The receiving end of NOTIFY_SOCKET, as systemd holds it."""

    def __init__(self, address: str, bind_to: str) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(bind_to)

    def receive(self, timeout: float = 10.0) -> str:
        self.sock.settimeout(timeout)
        return self.sock.recv(4096).decode()

    def nothing_within(self, timeout: float) -> bool:
        self.sock.settimeout(timeout)
        try:
            self.sock.recv(4096)
        except TimeoutError:
            return True
        return False

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[Systemd]:
    path = str(tmp_path / "notify")
    listener = Systemd(path, path)
    yield listener
    listener.close()


def test_messages_reach_the_socket(systemd: Systemd) -> None:
    notifier = Notifier(env={"NOTIFY_SOCKET": systemd.address})
    assert notifier.ready("serving")
    assert systemd.receive() == "READY=1\nSTATUS=serving"
    assert notifier.ready("again") is True, "READY is said once"
    assert notifier.beat()
    assert systemd.receive() == "WATCHDOG=1"


def test_abstract_socket(tmp_path: Path) -> None:
    name = f"xephang-test-{os.getpid()}-{id(tmp_path)}"
    listener = Systemd("@" + name, "\0" + name)
    try:
        Notifier(env={"NOTIFY_SOCKET": "@" + name}).beat()
        assert listener.receive() == "WATCHDOG=1"
    finally:
        listener.close()


def test_outside_systemd_nothing_is_sent() -> None:
    notifier = Notifier(env={})
    assert not notifier.enabled and notifier.send("READY=1") is False
    assert Notifier(env={"NOTIFY_SOCKET": "/nonexistent/socket"}).send("READY=1") is False


def test_the_arbiter_never_sees_the_socket() -> None:
    env = {"NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "120000000"}
    hide_notify_socket(env)
    assert "NOTIFY_SOCKET" not in env
    assert env[watchdog.OWN_SOCKET_VARIABLE] == "/run/systemd/notify"
    assert Notifier(env=env).address == "/run/systemd/notify"


@pytest.mark.parametrize(("env", "expected"), [
    ({}, None),
    ({"WATCHDOG_USEC": "0"}, None),
    ({"WATCHDOG_USEC": "8000000"}, 2.0),
    ({"WATCHDOG_USEC": "600000000"}, watchdog.LONGEST_BEAT),
    ({"WATCHDOG_USEC": "8000000", "WATCHDOG_PID": str(os.getpid())}, 2.0),
    ({"WATCHDOG_USEC": "8000000", "WATCHDOG_PID": str(os.getppid())}, 2.0),
    ({"WATCHDOG_USEC": "8000000", "WATCHDOG_PID": "1"}, None),
])
def test_watchdog_interval(env: dict[str, str], expected: float | None) -> None:
    if env.get("WATCHDOG_PID") == "1" and os.getppid() == 1:
        pytest.skip("this test runs as a child of PID 1")
    assert watchdog_interval(env) == expected


def test_heartbeat_beats_only_while_healthy(systemd: Systemd) -> None:
    notifier = Notifier(env={"NOTIFY_SOCKET": systemd.address, "WATCHDOG_USEC": "8000000"})
    healthy = [True]

    def check() -> None:
        if not healthy[0]:
            raise RuntimeError("database is locked")

    naps: list[float] = []
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        healthy[0] = False
        if len(naps) == 3:
            stop.set()

    heartbeat = Heartbeat(notifier, check, sleep=sleep, stop=stop, ready_status="serving")
    heartbeat.run()
    assert naps == [2.0, 2.0, 2.0]
    assert systemd.receive() == "READY=1\nSTATUS=serving"
    assert systemd.receive() == "WATCHDOG=1"
    assert systemd.receive().startswith("STATUS=unhealthy: database is locked")
    assert systemd.receive().startswith("STATUS=unhealthy")
    assert systemd.nothing_within(0.05)
    assert (heartbeat.beats, heartbeat.failures) == (1, 2)


def test_a_hung_database_stops_the_beat(systemd: Systemd, settings: Any) -> None:
    store = Store.open(":memory:")
    notifier = Notifier(env={"NOTIFY_SOCKET": systemd.address, "WATCHDOG_USEC": "8000000"})
    notifier.ready_sent = True
    heartbeat = Heartbeat(notifier, Center(settings, store).check_database, sleep=lambda s: None)
    held = threading.Event()
    release = threading.Event()

    def stuck_request() -> None:
        with store.write():
            held.set()
            release.wait(10)

    request = threading.Thread(target=stuck_request)
    request.start()
    assert held.wait(10)
    beating = threading.Thread(target=heartbeat.once)
    beating.start()
    try:
        assert systemd.nothing_within(0.2), "no beat while a request holds the database"
    finally:
        release.set()
        request.join(10)
        beating.join(10)
    assert systemd.receive() == "WATCHDOG=1"
    store.close()


class FakeSocketIO:
    def __init__(self) -> None:
        self.tasks: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []

    def start_background_task(self, target: Any, *args: Any, **kwargs: Any) -> None:
        self.tasks.append((target, args, kwargs))

    def sleep(self, seconds: float) -> None:
        raise AssertionError("not called in this test")


def test_the_serving_app_starts_its_upkeep(app: Any, systemd: Systemd) -> None:
    xephang = app.extensions["xephang"]
    fake = FakeSocketIO()
    xephang.socketio = fake
    notifier = Notifier(env={"NOTIFY_SOCKET": systemd.address, "WATCHDOG_USEC": "8000000"})
    start_upkeep(app, notifier=notifier)
    assert app.extensions[WATCHDOG_EXTENSION] is notifier
    targets = [getattr(task[0], "__name__", "") for task in fake.tasks]
    assert targets == ["run", "keep_nightly", "keep_marks"]
    heartbeat = fake.tasks[0][0].__self__
    assert heartbeat.once()
    assert systemd.receive().startswith("READY=1\nSTATUS=serving")
    assert systemd.receive() == "WATCHDOG=1"
    # Outside systemd there is no heartbeat task, the nightly backup still runs.
    fake.tasks.clear()
    start_upkeep(app, notifier=Notifier(env={}))
    assert [getattr(task[0], "__name__", "") for task in fake.tasks] == ["keep_nightly", "keep_marks"]


def test_gunicorn_worker_says_ready(app: Any, systemd: Systemd) -> None:
    from queue_core.ops.server import _worker_ready

    app.extensions[WATCHDOG_EXTENSION] = Notifier(env={"NOTIFY_SOCKET": systemd.address})

    class Worker:
        wsgi = app

        class cfg:
            bind = ("0.0.0.0:8000",)

    _worker_ready(Worker())
    assert systemd.receive() == "READY=1\nSTATUS=serving on 0.0.0.0:8000"
