"""Run the announcer satellite as a supervised child process of ``xephang serve``.

Speech runs in its own process so that a crash inside espeak-ng (a C library)
or a hung engine can never take the queue core down with it; the supervisor
restarts the child with growing delays if it dies. The token goes to the child
through the environment (``XEPHANG_ANNOUNCER_TOKEN``), not its command line,
so ``ps`` does not show it.

>>> child = AnnouncerProcess("http://127.0.0.1:8000", token,            # doctest: +SKIP
...                          config_file=settings.config_file, data_dir=settings.server.data_dir)
>>> child.start()                                                         # doctest: +SKIP
>>> child.stop()                                                          # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

__all__ = ["PARENT_ENV", "AnnouncerProcess", "bind_to_parent"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
# Set for the child: the pid of the process it must not outlive.
PARENT_ENV = "XEPHANG_ANNOUNCER_PARENT"


def bind_to_parent(environ: Mapping[str, str] = os.environ) -> None:
    """In the child: get SIGTERM when the serving process dies, even by SIGKILL (Linux).

    Done by the child itself at start, not in a ``preexec_fn``, which is unsafe in a
    threaded parent.
    """
    parent = environ.get(PARENT_ENV, "")
    if not parent.isdigit() or sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent):
        # The parent died before we could ask: nobody is left to serve.
        raise SystemExit(0)
    # Belt and braces: the kernel's signal is tied to the thread that started us, so a
    # watcher also notices the parent is gone and asks for the same clean stop.
    watcher = threading.Thread(target=_watch_parent, args=(int(parent),), daemon=True,
                               name="announcer-parent")
    watcher.start()


def _watch_parent(parent: int, interval: float = 2.0) -> None:
    while os.getppid() == parent:
        time.sleep(interval)  # polling the kernel; nothing to wait on for a non-child parent
    os.kill(os.getpid(), signal.SIGTERM)


class AnnouncerProcess:
    """One ``python -m queue_core.cli announcer`` child, restarted whenever it exits unasked."""

    def __init__(
        self,
        core_url: str,
        token: str,
        *,
        config_file: str = "",
        data_dir: str = "",
        python: str = sys.executable,
        extra_args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        restart_delay: float = 1.0,
        restart_delay_max: float = 30.0,
    ) -> None:
        # -P: the working directory must not shadow the installed package.
        self.command = [python, "-P", "-m", "queue_core.cli", "announcer", "--core", core_url]
        if config_file:
            self.command += ["--config", config_file]
        if data_dir:
            self.command += ["--data-dir", data_dir]
        self.command += list(extra_args)
        self.env = {**(os.environ if env is None else env), "XEPHANG_ANNOUNCER_TOKEN": token,
                    PARENT_ENV: str(os.getpid())}
        self.starts = 0
        self._delay = restart_delay
        self._delay_max = restart_delay_max
        self._process: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    @property
    def restarts(self) -> int:
        """Return how often the child was started again after it died."""
        return max(0, self.starts - 1)

    @property
    def pid(self) -> int | None:
        """Return the child's process id while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def start(self) -> None:
        """Start the child and a thread that restarts it when it exits."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._supervise, daemon=True,
                                            name="announcer-supervisor")
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the child (SIGTERM, then SIGKILL after `timeout`) and stop restarting it."""
        self._stop.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wait_started(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Return True once the child has been started `count` times in all."""
        with self._changed:
            return self._changed.wait_for(lambda: self.starts >= count, timeout)

    def _supervise(self) -> None:
        delay = self._delay
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                process = subprocess.Popen(self.command, env=self.env, stdin=subprocess.DEVNULL)
            except OSError as exc:
                log.error("cannot start the announcer (%s); retrying in %.0f s", exc, delay)
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, self._delay_max)
                continue
            with self._changed:
                self._process = process
                self.starts += 1
                self._changed.notify_all()
            code = process.wait()
            if self._stop.is_set():
                return
            # A child that ran for a while earns a quick restart; one that keeps dying, a slow one.
            if time.monotonic() - started > 60:
                delay = self._delay
            log.error("the announcer exited with status %s; restarting in %.0f s", code, delay)
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, self._delay_max)
