"""Database files as files: an online copy, a check that a file is whole and ours, folding the WAL.

Used by backups and restore (`queue_core.ops.backup`) and the doctor.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from queue_core.domain.errors import XephangError
from queue_core.storage.migrations import MIGRATIONS


class BackupError(XephangError, OSError):
    """A backup or restore could not be made; the text says why and what to do."""

    def __init__(self, detail: str) -> None:
        super().__init__("backup_failed", detail=detail)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


def copy_online(database: Path, target: Path) -> None:
    """Copy `database` to `target` in one read snapshot, while writers may go on.

    The copy is written with syncing off (the caller syncs once) and ends as a plain
    rollback-journal file, readable without -wal and -shm companions.
    """
    source = sqlite3.connect(database, timeout=30)
    try:
        source.execute("PRAGMA busy_timeout = 30000")
        # Fold the WAL into the main file first where no reader needs it (never waits).
        source.execute("PRAGMA wal_checkpoint(PASSIVE)")
        copy = sqlite3.connect(target)
        try:
            copy.execute("PRAGMA journal_mode = OFF")
            copy.execute("PRAGMA synchronous = OFF")
            # One step: one read snapshot, so writers never make the copy start over.
            source.backup(copy, pages=-1)
            # A self-contained file: no -wal/-shm needed to read it later.
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"could not copy {database}: {exc}") from None
    finally:
        source.close()


def verify(path: Path, *, full: bool = False, writable: bool = False) -> int:
    """Check a database file is whole and is ours; return its number of tickets.

    `writable` opens it read-write (needed for a file in WAL mode without its -shm).
    """
    try:
        conn = (sqlite3.connect(path) if writable
                else sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened: {exc}") from None
    try:
        pragma = "integrity_check" if full else "quick_check"
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            shown = "; ".join(str(r[0]) for r in rows[:3])
            raise BackupError(f"{path} is damaged ({pragma}: {shown})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"tickets", "_migrations"} <= tables:
            raise BackupError(f"{path} is not a xephang database")
        known = {name for name, _ in MIGRATIONS}
        newer = [r[0] for r in conn.execute("SELECT name FROM _migrations")
                 if r[0] not in known]
        if newer:
            raise BackupError(f"{path} comes from a newer xephang (migration {newer[0]}); "
                              "upgrade this box first")
        return int(conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable database: {exc}") from None
    finally:
        conn.close()


def fold_wal(database: Path) -> None:
    """Fold the WAL into the file so it is whole on its own (a damaged file is left as is)."""
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(database, timeout=5)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()


def health(database: Path) -> tuple[list[str], int]:
    """Return SQLite's quick check of a database file and its number of tickets (read only).

    Raises sqlite3.Error when the file cannot be read at all.
    """
    conn = sqlite3.connect(database, timeout=10)
    try:
        conn.execute("PRAGMA query_only = 1")
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
        if rows != ["ok"]:
            return rows, 0
        return rows, int(conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])
    finally:
        conn.close()


SQLITE_HEADER = b"SQLite format 3\x00"

# What `examine` finds a database file to be.
MISSING, EMPTY, NOT_SQLITE, TRUNCATED, DAMAGED, FOREIGN, WHOLE = (
    "missing", "empty", "not_sqlite", "truncated", "damaged", "foreign", "whole")


@dataclass(frozen=True)
class Examined:
    """What a database file is: `state` (one of the names above), why, and its `seq`."""

    state: str
    detail: str = ""
    seq: int = 0
    tickets: int = 0


def examine(path: Path) -> Examined:
    """Look at a database file before serving it, changing nothing.

    Finds a missing or zero-length file, a header that is not SQLite's, a file shorter
    than its header says (truncated), damaged pages (SQLite's quick_check) and a SQLite
    file that is not ours; otherwise returns its `seq` and number of tickets.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return Examined(MISSING)
    if size == 0:
        return Examined(EMPTY, "0 bytes")
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        return Examined(NOT_SQLITE, "the file does not start with SQLite's header")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The header's page count is valid when its two change counters agree (SQLite ≥ 3.7).
    if header[24:28] == header[92:96] and pages and size < pages * page_size:
        return Examined(TRUNCATED, f"{size} bytes, the header says {pages * page_size}")
    try:
        # Read-write, as the server opens it: a WAL file without its -shm needs that.
        conn = sqlite3.connect(path, timeout=10)
    except sqlite3.Error as exc:
        return Examined(DAMAGED, str(exc))
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
        if rows != ["ok"]:
            return Examined(DAMAGED, "; ".join(rows[:3]))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"tickets", "meta", "_migrations"} <= tables:
            return Examined(FOREIGN, "no xephang tables in it")
        seq = conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        tickets = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
        return Examined(WHOLE, seq=int(seq[0]) if seq else 0, tickets=int(tickets))
    except sqlite3.Error as exc:
        return Examined(DAMAGED, str(exc))
    finally:
        conn.close()


Error = sqlite3.Error
