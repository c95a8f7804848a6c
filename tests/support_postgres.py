"""A PostgreSQL server of their own for tests and benchmarks (Debian's `postgresql` package).

`PostgresServer` runs `initdb` and `pg_ctl` from /usr/lib/postgresql/15/bin on a temporary
directory, listening on 127.0.0.1 on a free port with a Unix socket in that directory.
`initdb` refuses to run as root, so as root every command runs as the `postgres` system
user (`runuser -u postgres`), which the package creates; as anyone else, as themselves.
Authentication is `trust` on loopback: the server lives only as long as the test session.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PG_BIN = Path(os.environ.get("XEPHANG_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "postgres"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One throwaway PostgreSQL cluster.

    >>> # server = PostgresServer().start()
    >>> # server.create_database("hub")  # -> "postgresql://postgres@127.0.0.1:PORT/hub"
    """

    def __init__(self, *, settings: Sequence[str] = (), durable: bool = False) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL is not installed ({PG_BIN}): install Debian's"
                               " postgresql package (scripts/test does)")
        self.root = Path(tempfile.mkdtemp(prefix="xephang-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.settings = list(settings)
        self.durable = durable
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            entry = pwd.getpwnam(SUPERUSER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        os.chmod(self.root, 0o700)
        self._initdb()

    def _command(self, *args: str) -> list[str]:
        command = [str(PG_BIN / args[0]), *args[1:]]
        return ["runuser", "-u", SUPERUSER, "--", *command] if self._as_postgres else command

    def _run(self, *args: str, timeout: float = 120) -> None:
        done = subprocess.run(self._command(*args), capture_output=True, text=True,
                              timeout=timeout, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr}"
                               f"{done.stdout}\n{self.output()}")

    def _initdb(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")

    def _options(self) -> str:
        base = [f"-p {self.port}", f"-k {self.root}", "-c listen_addresses=127.0.0.1",
                "-c max_connections=200", "-c shared_buffers=256MB"]
        if not self.durable:
            # Durability is the tests' least concern: nothing here must survive the machine.
            base += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        return " ".join(base + [f"-c {s}" for s in self.settings])

    def start(self, timeout: float = 60) -> PostgresServer:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self._options(),
                  "-w", "-t", str(int(timeout)), "start", timeout=timeout + 10)
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement as the superuser (CREATE/DROP DATABASE run outside transactions)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str, *, template: str | None = None) -> str:
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until the server accepts connections (after a restart)."""
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                threading_pause(0.1)

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def threading_pause(seconds: float) -> None:
    """A short backoff inside a bounded polling loop (never a wait for an outcome)."""
    import threading

    threading.Event().wait(seconds)


__all__ = ["PG_BIN", "PostgresServer"]
