"""Helpers for tests and benchmarks that run the real `xephang serve` in its own process.

A `LiveServer` owns a data dir, a port and a process group; it creates device tokens
with the real `xephang token create` command, starts the server, waits until
`/api/v1/health` answers, and can kill the whole group (gunicorn arbiter and worker,
or the eventlet server) with SIGKILL and start it again on the same data.

A `Listener` is a python-socketio client that records every event it receives and
lets a test wait for a condition on them, with a timeout.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import requests
import socketio

from queue_core.domain.calls import add_call

ASYNC_MODES = ("asyncio", "threading", "eventlet")
DATABASE_FILE = "xephang.sqlite3"
# Open every hour of every day, so tests can issue tickets whatever the wall clock says.
ALWAYS_OPEN = {
    "XEPHANG_CENTER_OPENS_AT": "00:00",
    "XEPHANG_CENTER_CLOSES_AT": "24:00",
    "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7",
    "XEPHANG_CENTER_PUBLIC_HOLIDAYS": "false",
}
ALWAYS_OPEN_TOML = """\
[center]
opens_at = "00:00"
closes_at = "24:00"
workdays = [1, 2, 3, 4, 5, 6, 7]
public_holidays = false
"""
START_TIMEOUT = 40.0
EVENT_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pause(seconds: float) -> None:
    """A short backoff inside a bounded polling loop (never a wait for an outcome)."""
    threading.Event().wait(seconds)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment without stray XEPHANG_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XEPHANG_")}
    env.update(ALWAYS_OPEN)
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    # The local announcer has its own test; elsewhere it would only load the machine.
    env["XEPHANG_HARDWARE_SPEAKER_ATTACHED"] = "false"
    env.update(extra or {})
    return env


def without_now(board: dict[str, Any]) -> dict[str, Any]:
    """A Board without its clock reading: two snapshots of one state differ only there."""
    return {key: value for key, value in board.items() if key != "now"}


class ServerExited(RuntimeError):
    pass


# The environment of a server whose one kiosk token stands for many kiosks under load.
MANY_KIOSKS = {"XEPHANG_KIOSK_TICKETS_PER_MINUTE": "1000000"}


class LiveServer:
    """One `xephang serve` process group on 127.0.0.1 and its data dir."""

    def __init__(self, data_dir: Path, *, mode: str = "asyncio", config: str | None = None,
                 env: dict[str, str] | None = None) -> None:
        if mode not in ASYNC_MODES:
            raise ValueError(f"unknown async mode {mode!r}")
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.mode = mode
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_path: Path | None = None
        if config is not None:
            self.config_path = self.data_dir.parent / f"{self.data_dir.name}-config.toml"
            self.config_path.write_text(config, encoding="utf-8")
        self.env = clean_env({"XEPHANG_ASYNC_MODE": mode, **(env or {})})
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.http = requests.Session()

    # --- the command line --------------------------------------------------------------------

    def _cli(self, *args: str) -> list[str]:
        command = ["xephang", *args, "--data-dir", str(self.data_dir)]
        if self.config_path is not None:
            command += ["--config", str(self.config_path)]
        return command

    def tokens(self, specs: Sequence[tuple[str, int | None]]) -> list[str]:
        """Create one device token per (role, counter) with `xephang token create`.

        The first runs alone (it may create and migrate the database); the rest run
        side by side. Returns the secrets in the order asked.
        """
        secrets: list[str] = []
        specs = list(specs)
        if not specs:
            return secrets
        first, rest = specs[0], specs[1:]
        secrets.append(self._finish_token(self._start_token(0, *first)))
        started = [self._start_token(i + 1, *spec) for i, spec in enumerate(rest)]
        secrets.extend(self._finish_token(proc) for proc in started)
        return secrets

    def token(self, role: str, counter: int | None = None) -> str:
        return self.tokens([(role, counter)])[0]

    def _start_token(self, index: int, role: str, counter: int | None) -> subprocess.Popen[str]:
        name = f"{role}-{counter or 0}-{index}-{time.monotonic_ns()}"
        args = ["token", "create", name, "--role", role]
        if counter is not None:
            args += ["--counter", str(counter)]
        return subprocess.Popen(self._cli(*args), env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=self.data_dir.parent)

    @staticmethod
    def _finish_token(proc: subprocess.Popen[str]) -> str:
        out, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            raise RuntimeError(f"xephang token create failed ({proc.returncode}): {err}")
        lines = [line.strip() for line in out.splitlines() if line.strip()]
        return lines[-1]

    # --- the server process --------------------------------------------------------------------

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}-server-{self.starts}.log"

    def start(self, timeout: float = START_TIMEOUT) -> "LiveServer":
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("the server is already running")
        self.starts += 1
        log = open(self.log_path, "wb")  # noqa: SIM115 - owned by the child for its life
        try:
            self.proc = subprocess.Popen(
                self.serve_command(),
                env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.data_dir.parent, start_new_session=True)
        finally:
            log.close()
        self.wait_healthy(timeout)
        return self

    def serve_command(self) -> list[str]:
        """The command that runs the server (`xephang serve` on this server's port)."""
        return self._cli("serve", "--host", "127.0.0.1", "--port", str(self.port))

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerExited(f"xephang serve exited with {self.proc.returncode}:\n"
                                   + self.output())
            try:
                answer = requests.get(f"{self.url}/api/v1/health", timeout=1)
                if answer.status_code == 200:
                    return answer.json()  # type: ignore[no-any-return]
            except requests.RequestException as exc:
                last = exc
            pause(0.05)
        raise TimeoutError(f"server not healthy after {timeout}s ({last}):\n{self.output()}")

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole process group (arbiter and worker) and reap the leader."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        # A SIGKILLed arbiter leaves its worker behind: finish off the group.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.http.close()
        self.http = requests.Session()

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                # SIGINT: gunicorn's quick shutdown; KeyboardInterrupt for eventlet.
                os.killpg(self.proc.pid, signal.SIGINT)
                self.proc.wait(timeout=1)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self.kill(signal.SIGKILL)

    def restart(self) -> "LiveServer":
        self.kill(signal.SIGKILL)
        return self.start()

    # --- HTTP ----------------------------------------------------------------------------------

    def request(self, method: str, path: str, token: str | None = None,
                json: Any = None, timeout: float = 10) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, f"{self.url}/api/v1{path}", headers=headers,
                                 json=json, timeout=timeout)

    def get(self, path: str, token: str | None = None) -> requests.Response:
        return self.request("GET", path, token)

    def post(self, path: str, token: str | None = None, json: Any = None) -> requests.Response:
        return self.request("POST", path, token, json)

    def state(self) -> dict[str, Any]:
        answer = self.get("/state")
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def db(self) -> sqlite3.Connection:
        """A read-only look at the server's database (WAL lets it read beside the server)."""
        path = self.data_dir / DATABASE_FILE
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)

    def __enter__(self) -> "LiveServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# --- Socket.IO ---------------------------------------------------------------------------------

class Listener:
    """A Socket.IO client that subscribes on every (re)connect and records all events."""

    def __init__(self, url: str, *, token: str | None = None,
                 rooms: Iterable[str] = ("board",), transports: list[str] | None = None,
                 reconnection: bool = True, key: str | None = None) -> None:
        self.url = url
        self.token = token
        self.rooms = list(rooms)
        self.key = key
        self.transports = transports
        self.events: list[tuple[str, Any]] = []
        self.connects = 0
        self.acks: list[Any] = []
        self._cond = threading.Condition()
        self.sio = socketio.Client(reconnection=reconnection, reconnection_delay=0.1,
                                   reconnection_delay_max=0.5, randomization_factor=0,
                                   handle_sigint=False)
        self.sio.on("connect", self._on_connect)
        self.sio.on("*", self._on_event)

    def _on_connect(self) -> None:
        with self._cond:
            self.connects += 1
            self._cond.notify_all()
        if self.rooms:
            # A ticket page's room is joined with its ticket's holder key.
            subscribe = {"rooms": self.rooms, **({"key": self.key} if self.key else {})}
            self.sio.emit("subscribe", subscribe, callback=self._on_ack)

    def _on_ack(self, *answer: Any) -> None:
        with self._cond:
            self.acks.append(answer[0] if len(answer) == 1 else answer)
            self._cond.notify_all()

    def _on_event(self, event: str, data: Any = None) -> None:
        with self._cond:
            self.events.append((event, data))
            self._cond.notify_all()

    def connect(self, timeout: float = EVENT_TIMEOUT) -> "Listener":
        auth = {"token": self.token} if self.token else None
        self.sio.connect(self.url, auth=auth, transports=self.transports, wait_timeout=timeout)
        return self

    def disconnect(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
        # Stop a reconnect loop that may still be running after a lost server.
        self.sio.reconnection = False

    def wait_for(self, predicate: Callable[[list[tuple[str, Any]]], Any],
                 timeout: float = EVENT_TIMEOUT, what: str = "events") -> Any:
        """Wait until `predicate(events)` is truthy; return its value."""
        with self._cond:
            found = self._cond.wait_for(lambda: predicate(self.events), timeout=timeout)
            if not found:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                     f"got {[name for name, _ in self.events]}")
            return found

    def named(self, name: str) -> list[Any]:
        with self._cond:
            return [data for event, data in self.events if event == name]

    def wait_event(self, name: str, where: Callable[[Any], bool] = lambda data: True,
                   timeout: float = EVENT_TIMEOUT) -> Any:
        def match(events: list[tuple[str, Any]]) -> Any:
            for event, data in events:
                if event == name and where(data):
                    return (data,)
            return None

        return self.wait_for(match, timeout, what=name)[0]

    def wait_boards(self, count: int, timeout: float = EVENT_TIMEOUT) -> list[Any]:
        """Wait for the `count`-th `board` event; return all boards so far."""
        def enough(events: list[tuple[str, Any]]) -> Any:
            boards = [data for event, data in events if event == "board"]
            return boards if len(boards) >= count else None

        return self.wait_for(enough, timeout, what=f"{count} board event(s)")  # type: ignore[no-any-return]

    def wait_seq(self, seq: int, timeout: float = EVENT_TIMEOUT) -> None:
        """Wait until an event carrying `seq` (or later) has arrived."""
        def reached(events: list[tuple[str, Any]]) -> bool:
            return any(isinstance(data, dict) and isinstance(data.get("seq"), int)
                       and data["seq"] >= seq for _, data in events)

        self.wait_for(reached, timeout, what=f"seq {seq}")

    def __enter__(self) -> "Listener":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.disconnect()


def apply_events(board: dict[str, Any], events: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Bring a Board up to date from pushed events, the way a screen does.

    Returns a new board; raises AssertionError on a gap in `seq`. Recent calls are
    compared by what a screen shows (label, counter, recall, ticket).
    """
    board = {**board, "counters": [dict(c) for c in board["counters"]],
             "services": [dict(s) for s in board["services"]],
             "recent_calls": [dict(c) for c in board["recent_calls"]]}
    seq = covered = board["seq"]
    for name, data in events:
        if name == "board":
            board = apply_events(data, [])
            seq = covered = board["seq"]
            continue
        if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
            continue
        if data["seq"] <= covered:
            continue  # already in the snapshot
        if data["seq"] > seq + 1:
            raise AssertionError(f"gap in seq: {seq} then {data['seq']} ({name})")
        seq = data["seq"]
        board["seq"] = seq
        waiting = data.get("waiting")
        if isinstance(waiting, dict):
            for service in board["services"]:
                service["waiting"] = waiting.get(service["code"], service["waiting"])
        if name == "counter_updated":
            counter = data["counter"]
            board["counters"] = [counter if c["number"] == counter["number"] else c
                                 for c in board["counters"]]
        if name in ("ticket_called", "ticket_updated"):
            # A recall announces the counter's ticket again without a counter_updated:
            # the ticket in the event is the fresher copy of the counter's current one.
            ticket = data["ticket"]
            for counter in board["counters"]:
                current = counter.get("current")
                if current and current["id"] == ticket["id"] and ticket["state"] == "called":
                    counter["current"] = ticket
        if name == "ticket_called":
            ticket = data["ticket"]
            board["recent_calls"] = add_call(
                board["recent_calls"], {"label": ticket["label"], "counter": data["counter"],
                                        "recall": data["recall"], "ticket": ticket["id"]},
                limit=len(board["recent_calls"]) + 1)
    return board


def screen_view(board: dict[str, Any], calls: int = 8) -> dict[str, Any]:
    """What a wall screen shows of a Board."""
    return {
        "seq": board["seq"],
        "counters": board["counters"],
        "services": [(s["code"], s["waiting"]) for s in board["services"]],
        "recent_calls": [(c["label"], c["counter"], c["recall"], c["ticket"])
                         for c in board["recent_calls"][:calls]],
    }


def run_python(code: str, *args: str, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a small Python program in a fresh interpreter (tests/ on its path)."""
    path = os.pathsep.join([str(Path(__file__).parent), *sys.path])
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout, env={**clean_env(env), "PYTHONPATH": path})


# --- five counters at once ---------------------------------------------------------------------

# All five counters serve field A, so every press of "next" competes for the same tickets.
CONTENDED_COUNTERS_TOML = ALWAYS_OPEN_TOML + """
[[counters]]
number = 1
services = ["A"]

[[counters]]
number = 2
services = ["A", "B"]

[[counters]]
number = 3
services = ["A", "B", "E"]

[[counters]]
number = 4
services = ["A", "C", "D"]

[[counters]]
number = 5
services = ["F", "A"]
"""
ISSUE_PATTERN = "AAAABACADAEAF"


def issue_plan(index: int, count: int) -> list[tuple[str, str | None]]:
    """The (field, priority) a desk issues: mostly A, some of every field, some priority."""
    plan = []
    for i in range(count):
        service = ISSUE_PATTERN[(i + 3 * index) % len(ISSUE_PATTERN)]
        plan.append((service, "elderly" if (i + index) % 9 == 0 else None))
    return plan


class HttpDesk:
    """One counter's officer and a kiosk beside it, over HTTP."""

    def __init__(self, url: str, counter: int, staff_token: str, kiosk_token: str) -> None:
        self.url = f"{url}/api/v1"
        self.counter = counter
        self.http = requests.Session()
        self.staff = {"Authorization": f"Bearer {staff_token}"}
        self.kiosk = {"Authorization": f"Bearer {kiosk_token}"}

    def issue(self, service: str, priority: str | None) -> dict[str, Any]:
        answer = self.http.post(f"{self.url}/tickets", headers=self.kiosk, timeout=30,
                                json={"service": service, "priority": priority})
        if answer.status_code != 201:
            raise AssertionError(f"issue {service}: {answer.status_code} {answer.text}")
        return answer.json()  # type: ignore[no-any-return]

    def call_next(self) -> dict[str, Any] | None:
        answer = self.http.post(f"{self.url}/counters/{self.counter}/call-next",
                                headers=self.staff, timeout=30)
        if answer.status_code == 204:
            return None
        if answer.status_code != 200:
            raise AssertionError(f"call-next {self.counter}: {answer.status_code} {answer.text}")
        return answer.json()  # type: ignore[no-any-return]

    def finish(self) -> dict[str, Any]:
        answer = self.http.post(f"{self.url}/counters/{self.counter}/finish",
                                headers=self.staff, timeout=30)
        if answer.status_code != 200:
            raise AssertionError(f"finish {self.counter}: {answer.status_code} {answer.text}")
        return answer.json()  # type: ignore[no-any-return]


class CenterDesk:
    """One counter working straight on the SQLite data dir, through the one writer path."""

    def __init__(self, data_dir: str, config: str | None, counter: int) -> None:
        from queue_core.service.center import Center
        from queue_core.config import load_settings
        from queue_core.storage import Store

        settings = load_settings(config or None, env={**ALWAYS_OPEN,
                                                      "XEPHANG_DATA_DIR": data_dir})
        self.center = Center(settings, Store.in_data_dir(data_dir))
        self.counter = counter

    def issue(self, service: str, priority: str | None) -> dict[str, Any]:
        return self.center.issue(service, priority=priority, actor=f"test:kiosk-{self.counter}")

    def call_next(self) -> dict[str, Any] | None:
        return self.center.call_next(self.counter, actor=f"test:counter-{self.counter}")

    def finish(self) -> dict[str, Any]:
        return self.center.finish(self.counter, actor=f"test:counter-{self.counter}")


def work_the_desk(desk: Any, index: int, barrier: Any, idle: Any,
                  plan: Sequence[tuple[str, str | None]]) -> dict[str, Any]:
    """Issue `plan` alongside the other desks, then press call-next and finish in rounds.

    Every round all desks pass `barrier` and press "next" at the same instant; they stop
    after a round in which every desk was told that nobody waits (`idle` is shared).
    """
    issued: list[dict[str, Any]] = []
    called: list[dict[str, Any]] = []
    rounds = 0
    try:
        barrier.wait(timeout=60)
        for service, priority in plan:
            issued.append(desk.issue(service, priority))
        while True:
            barrier.wait(timeout=60)
            rounds += 1
            ticket = desk.call_next()
            if ticket is None:
                idle[index] = 1
            else:
                idle[index] = 0
                done = desk.finish()
                if done["id"] != ticket["id"] or done["state"] != "done":
                    raise AssertionError(f"finished {done} after calling {ticket['id']}")
                called.append(ticket)
            barrier.wait(timeout=60)
            if all(idle[i] for i in range(len(idle))):
                break
    except BaseException:
        barrier.abort()
        raise
    return {"counter": desk.counter, "issued": issued, "called": called, "rounds": rounds}


def desk_process(kind: str, args: tuple[Any, ...], index: int, barrier: Any, idle: Any,
                 plan: list[tuple[str, str | None]], out: str) -> None:
    """Entry point of a desk in its own process; writes its record to `out` as JSON."""
    import json
    import traceback

    try:
        desk = HttpDesk(*args) if kind == "http" else CenterDesk(*args)
        record = work_the_desk(desk, index, barrier, idle, plan)
    except BaseException:  # noqa: BLE001 - reported to the test through the file
        record = {"error": traceback.format_exc()}
    Path(out).write_text(json.dumps(record), encoding="utf-8")
