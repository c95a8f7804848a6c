"""One SQLite connection: opening (WAL, synchronous=FULL), transactions, the board's `seq`.

Every change runs inside `write()`, one `BEGIN IMMEDIATE` transaction: all of it is
committed, or none. A write the disk has no room for is rolled back whole and raised as
`StorageFull`; the store remembers it (`storage_full`) until a write succeeds again, and
tells whoever watches (`watch_storage`), outside its lock. `write()` does not touch `seq`; the writer path calls `bump_seq()`
inside the transaction when the change has events to publish. Long reads (a year of
statistics, an export) use `snapshot()`, a connection of their own, so they never hold
the store's lock while tickets are issued and called.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import sqlite_utils

from queue_core.domain.errors import StorageFull
from queue_core.storage.migrations import migrate

DATABASE_FILE = "xephang.sqlite3"


def connect(path: str) -> sqlite3.Connection:
    """Open `path` (or ":memory:") for the queue: WAL, full syncs, foreign keys."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a ticket that was printed or shown survives a power cut.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Connection:
    """The queue's database connection. One per process, used by one thread at a time."""

    def __init__(self, db: sqlite_utils.Database, path: str) -> None:
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.path = path
        # SQLite serialises writers anyway; the lock keeps this process's threads from
        # interleaving statements of two transactions on the shared connection.
        self.lock = threading.RLock()
        # Whether the last write failed for want of space (cleared by the next success).
        self.storage_full = False
        self._storage_watchers: list[Callable[[bool], None]] = []
        self._reader: Self | None = None

    @classmethod
    def open(cls, path: str | Path) -> Self:
        """Open (creating and upgrading as needed) the database at `path` or ':memory:'."""
        name = str(path)
        db = sqlite_utils.Database(connect(name))
        migrate(db)
        return cls(db, name)

    @classmethod
    def in_data_dir(cls, data_dir: str | Path) -> Self:
        return cls.open(Path(data_dir) / DATABASE_FILE)

    def sibling(self) -> Self:
        """Return another connection to this database, for a worker of its own.

        Its commits need not survive a power cut (`synchronous = NORMAL`: what it writes
        is bookkeeping that at worst repeats a delivery); an in-memory database has only
        this connection, which is returned.
        """
        if self.path == ":memory:":
            return self
        other = type(self).open(self.path)
        other.conn.execute("PRAGMA synchronous = NORMAL")
        return other

    @classmethod
    def read_only(cls, path: str | Path) -> Self:
        """Open an existing database to look at it, changing nothing (not even its schema)."""
        conn = sqlite3.connect(str(path), timeout=10, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA query_only = 1")
        return cls(sqlite_utils.Database(conn), str(path))

    def reader(self) -> Self:
        """Return this database's reading connection, opened on first use and kept.

        For a frequent read that must not hold up the writer (a hall's places in the queue,
        worked out every few seconds): it has its own lock, and in WAL mode its reads never
        wait for a write, nor a write for them. An in-memory database has only this connection.
        """
        if self.path == ":memory:":
            return self
        if self._reader is not None:         # without the lock: the writer may hold it
            return self._reader
        with self.lock:
            if self._reader is None:
                self._reader = type(self).read_only(self.path)
                self._reader.conn.execute("PRAGMA busy_timeout = 30000")
            return self._reader

    def close(self) -> None:
        with self.lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            self.conn.close()

    @contextmanager
    def write(self) -> Iterator[Self]:
        """Run the block as one immediate transaction: all of it is committed, or none.

        Raises StorageFull, with nothing written, when the disk has no room for it.
        """
        full: bool | None = None
        try:
            with self.lock:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    try:
                        yield self
                    except BaseException:
                        self._roll_back()
                        raise
                    try:
                        self.conn.execute("COMMIT")
                    except BaseException:
                        self._roll_back()
                        raise
                except sqlite3.Error as exc:
                    if not is_full(exc):
                        raise
                    full = True
                    raise StorageFull() from None
                except StorageFull:
                    full = True
                    raise
                else:
                    full = False
        finally:
            if full is not None:
                self._note_storage(full)

    def _roll_back(self) -> None:
        # SQLite ends some failed transactions itself (a full disk among them).
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def watch_storage(self, watcher: Callable[[bool], None]) -> None:
        """Call `watcher(full)` whenever writes start or stop failing for want of space."""
        self._storage_watchers.append(watcher)

    def _note_storage(self, full: bool) -> None:
        if full == self.storage_full:
            return
        self.storage_full = full
        for watcher in list(self._storage_watchers):
            watcher(full)

    @contextmanager
    def read(self) -> Iterator[Self]:
        """Run the block on one consistent snapshot."""
        with self.lock:
            if self.conn.in_transaction:
                yield self
                return
            self.conn.execute("BEGIN")
            try:
                yield self
            finally:
                self.conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection reading one consistent snapshot, apart from this one.

        A database file is read through a connection of its own, so a long read never
        holds the store's lock; an in-memory database is read under the lock.
        """
        if self.path == ":memory:":
            with self.read():
                yield self.conn
            return
        conn = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=ro", uri=True,
                               timeout=30, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("BEGIN")
            yield conn
        finally:
            conn.close()

    def page_limit(self, pages: int | None = None) -> int:
        """Return (and with `pages`, set) this connection's largest database size in pages.

        Tests make a small "disk" this way; nothing else changes it.
        """
        with self.lock:
            if pages is not None:
                self.conn.execute(f"PRAGMA max_page_count = {int(pages)}")
            return int(self.conn.execute("PRAGMA max_page_count").fetchone()[0])

    def free_bytes(self) -> int | None:
        """Return the free space where the database lives (None for an in-memory one)."""
        if self.path == ":memory:":
            return None
        try:
            return shutil.disk_usage(Path(self.path).resolve().parent).free
        except OSError:
            return None

    def page_count(self) -> int:
        with self.lock:
            return int(self.conn.execute("PRAGMA page_count").fetchone()[0])

    # --- the board's version -------------------------------------------------------------------

    def seq(self) -> int:
        return int(self.conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])

    def bump_seq(self) -> int:
        """Raise `seq` by one inside the caller's transaction; return the new value."""
        self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq'")
        return self.seq()


def is_full(error: BaseException) -> bool:
    """Tell whether a SQLite error means the disk (or the database's size limit) is full."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return (code & 0xFF) == sqlite3.SQLITE_FULL
    return "database or disk is full" in str(error)
