"""``xephang serve`` runs the announcer as a child process: it reports in, and comes back when killed."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_core import FakeCore

from announcer.supervisor import AnnouncerProcess


@pytest.fixture
def core() -> Iterator[FakeCore]:
    server = FakeCore().start()
    yield server
    server.stop()


@pytest.fixture
def child_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XEPHANG_")}
    env.update({"XEPHANG_AUDIO": "fake", "SDL_AUDIODRIVER": "dummy"})
    return env


def test_child_reports_in_and_is_restarted_after_a_crash(core: FakeCore, tmp_path: Path,
                                                         child_env: dict[str, str]) -> None:
    child = AnnouncerProcess(core.url, core.token, data_dir=str(tmp_path), env=child_env,
                             restart_delay=0.05)
    child.start()
    try:
        assert core.wait_for(lambda: len(core.subscriptions) >= 1, timeout=30)
        assert core.subscriptions[0] == ["announcer"]
        assert core.wait_for(lambda: any(s["device"] == "announcer" for s in core.statuses))
        first = child.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        assert child.wait_started(2, timeout=30)
        assert core.wait_for(lambda: len(core.subscriptions) >= 2, timeout=30)
        assert child.restarts == 1
        assert child.pid not in (None, first)
    finally:
        child.stop()
    assert child.pid is None


def test_token_is_passed_by_environment_not_command_line(tmp_path: Path) -> None:
    child = AnnouncerProcess("http://127.0.0.1:9", "s3cret", config_file="/etc/x.toml",
                             data_dir=str(tmp_path), env={})
    assert "s3cret" not in " ".join(child.command)
    assert child.env["XEPHANG_ANNOUNCER_TOKEN"] == "s3cret"
    assert child.command[1:] == ["-P", "-m", "queue_core.cli", "announcer", "--core", "http://127.0.0.1:9",
                                 "--config", "/etc/x.toml", "--data-dir", str(tmp_path)]


def test_child_stops_when_the_serving_process_is_killed(core: FakeCore, tmp_path: Path,
                                                       child_env: dict[str, str]) -> None:
    # A stand-in for `xephang serve`: a process that starts the supervisor and is then killed.
    script = (
        "import sys, threading\n"
        "from announcer.supervisor import AnnouncerProcess\n"
        f"child = AnnouncerProcess({core.url!r}, {core.token!r}, data_dir={str(tmp_path)!r})\n"
        "child.start()\n"
        "child.wait_started()\n"
        "print(child.pid, flush=True)\n"
        "threading.Event().wait()\n"
    )
    serve = subprocess.Popen([sys.executable, "-c", script], env=child_env,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert serve.stdout is not None
        child_pid = int(serve.stdout.readline())
        assert core.wait_for(lambda: core.subscriptions, timeout=90)
        serve.kill()
        serve.wait(10)
        # The orphan got SIGTERM from the kernel, said goodbye and exited.
        assert wait_gone(child_pid, timeout=45)
    finally:
        serve.kill()


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait for a process that is not our child to end (a pidfd turns readable)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    except (AttributeError, OSError):
        pytest.skip("no pidfd on this system")
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(timeout * 1000))
    finally:
        os.close(fd)
