"""Database files as files: an online copy, a check that a file is whole and ours, folding the WAL.

Used by backups and restore (`queue_core.ops.backup`) and the doctor.
"""

from __future__ import annotations

import contextlib
import sqlite3
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


Error = sqlite3.Error
