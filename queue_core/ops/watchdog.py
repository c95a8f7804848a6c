"""Tell systemd the core is up (READY=1) and still healthy (WATCHDOG=1), with the stdlib only.

systemd starts `xephang.service` as `Type=notify` with `WatchdogSec=`: it waits for
READY=1 before starting what comes after the core (screens, satellites), and kills and
restarts the core when no WATCHDOG=1 arrives in time. The heartbeat comes from a
background task of the serving worker that first asks the database a question through
the same lock every request uses, so a hung worker or a stuck database stops the beat.

gunicorn's arbiter would say READY=1 as soon as it binds, before the worker has loaded
the app; `xephang serve` therefore hands the socket to the worker under another name
(`XEPHANG_NOTIFY_SOCKET`), and the unit sets `NotifyAccess=all`.

>>> Notifier(env={}).send("READY=1")
False
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

log = logging.getLogger("xephang")

OWN_SOCKET_VARIABLE = "XEPHANG_NOTIFY_SOCKET"
# Beats per watchdog period: one late beat (a database busy for a while) is not a restart.
BEATS_PER_PERIOD = 4
LONGEST_BEAT = 30.0


def hide_notify_socket(env: MutableMapping[str, str] | None = None) -> None:
    """Move NOTIFY_SOCKET out of the arbiter's sight, for the serving worker to use."""
    env = os.environ if env is None else env
    address = env.pop("NOTIFY_SOCKET", None)
    if address:
        env[OWN_SOCKET_VARIABLE] = address


class Notifier:
    """Send sd_notify messages to the socket systemd named (no-op outside systemd)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.address = env.get(OWN_SOCKET_VARIABLE) or env.get("NOTIFY_SOCKET") or ""
        self.interval = watchdog_interval(env)
        self.ready_sent = False
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, message: str) -> bool:
        """Send one datagram; return whether it left (never raises)."""
        if not self.address:
            return False
        address = self.address
        if address.startswith("@"):
            # An abstract socket: its name starts with a NUL byte.
            address = "\0" + address[1:]
        elif not address.startswith("/"):
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(address)
                sock.sendall(message.encode("utf-8"))
        except OSError as exc:
            log.warning("could not notify systemd (%s): %s", message.split("\n")[0], exc)
            return False
        return True

    def ready(self, status: str = "") -> bool:
        """Say READY=1 once (with a status line)."""
        with self._lock:
            if self.ready_sent:
                return True
            self.ready_sent = self.send("READY=1" + (f"\nSTATUS={status}" if status else ""))
            return self.ready_sent

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def beat(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")


def watchdog_interval(env: Mapping[str, str]) -> float | None:
    """Return seconds between beats, or None when systemd set no watchdog for us."""
    usec = env.get("WATCHDOG_USEC", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    pid = env.get("WATCHDOG_PID", "")
    # systemd names the main process (gunicorn's arbiter); its worker beats on its behalf.
    if pid.isdigit() and int(pid) not in (os.getpid(), os.getppid()):
        return None
    return min(int(usec) / 1_000_000 / BEATS_PER_PERIOD, LONGEST_BEAT)


class Heartbeat:
    """Check health, then beat; `run` loops for the life of the server.

    `check` returns nothing when healthy and raises otherwise; `sleep` is the server's
    own (Flask-SocketIO's `sleep`, so any async mode works); `stop` ends the loop
    (tests set it).
    """

    def __init__(self, notifier: Notifier, check: Callable[[], Any], *,
                 sleep: Callable[[float], Any], stop: threading.Event | None = None,
                 ready_status: str = "serving") -> None:
        self.notifier = notifier
        self.check = check
        self.sleep = sleep
        self.stop = stop or threading.Event()
        self.ready_status = ready_status
        self.beats = 0
        self.failures = 0

    def once(self) -> bool:
        """Run one check; beat (and say ready, the first time) only if it passed."""
        try:
            self.check()
        except Exception as exc:  # noqa: BLE001 - any failure means no beat
            self.failures += 1
            log.error("health check failed, no watchdog beat: %s", exc)
            self.notifier.status(f"unhealthy: {exc}"[:200])
            return False
        self.notifier.ready(self.ready_status)
        if self.notifier.interval is not None:
            self.notifier.beat()
        self.beats += 1
        return True

    def run(self) -> None:
        interval = self.notifier.interval or 30.0
        while not self.stop.is_set():
            self.once()
            self.sleep(interval)
