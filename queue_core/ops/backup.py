"""Copies of the database: online backups, rotation, the nightly schedule and restore.

A backup is SQLite's online backup API reading one consistent snapshot in a single
step (WAL lets writers go on meanwhile), written to a `.part` file with syncing off,
checked, synced once, then renamed into place: one flush per backup, not one per page,
which an SD card prefers. The copy is a plain (rollback-journal) database file, so it
can be read anywhere without its -wal and -shm companions.

Restore refuses while a server holds the data dir, checks the file's integrity before
touching anything, and keeps the database it replaces beside the backups. The day's number
marks beside the database are kept: numbering goes on past every number issued today,
even when the copy restored is from earlier the same day.

>>> due(datetime(2026, 11, 23, 7, 0), newest=datetime(2026, 11, 22, 7, 0), hour=2)
True
>>> due(datetime(2026, 11, 23, 1, 0), newest=datetime(2026, 11, 22, 7, 0), hour=2)
False
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from queue_core.config import Settings
from queue_core.domain.errors import StorageFull
from queue_core.storage import DATABASE_FILE, Store, copies
from queue_core.storage.copies import BackupError as BackupError
from queue_core.storage.copies import verify as verify
from queue_core.storage.marks import Marks, sync_folder

log = logging.getLogger("xephang")

BACKUP_NAME = re.compile(r"^xephang-(\d{8}-\d{6})(?:-(\d+))?\.sqlite3$")
STAMP = "%Y%m%d-%H%M%S"
ASIDE_PREFIX = "xephang-before-restore-"
LOCK_FILE = "serve.lock"
# How often the core looks whether the nightly copy is due.
SCHEDULE_SECONDS = 300.0


class ServerRunning(BackupError):
    """A server is using the data dir, so its database cannot be replaced now."""


@dataclass(frozen=True)
class Backup:
    """One copy: where it is, when it was taken, its size and how many tickets it holds."""

    path: Path
    taken_at: datetime
    size: int
    tickets: int


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    source: Path
    database: Path
    previous: Path | None
    tickets: int


def backup_dir(settings: Settings) -> Path:
    """Return the folder of backups: backup.dir, or backups/ in the data dir."""
    folder = settings.backup.dir
    return Path(folder) if folder else settings.data_path / "backups"


def database_path(settings: Settings) -> Path:
    return settings.data_path / DATABASE_FILE


# --- taking a backup ---------------------------------------------------------------------------

def take(database: Path, folder: Path, *, now: datetime) -> Backup:
    """Copy `database` into `folder` while it may be in use; return the new backup."""
    if not database.exists():
        raise BackupError(f"there is no database at {database} yet")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = _free_name(folder, now)
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    try:
        copies.copy_online(database, part)
    except BackupError:
        part.unlink(missing_ok=True)
        raise
    try:
        tickets = verify(part)
    except BackupError:
        part.unlink(missing_ok=True)
        raise
    _sync_file(part)
    os.replace(part, target)
    sync_folder(folder)
    return Backup(target, now, target.stat().st_size, tickets)


def _free_name(folder: Path, now: datetime) -> Path:
    stamp = now.strftime(STAMP)
    path = folder / f"xephang-{stamp}.sqlite3"
    n = 2
    while path.exists():
        path = folder / f"xephang-{stamp}-{n}.sqlite3"
        n += 1
    return path


def _sync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the backups kept --------------------------------------------------------------------------

def backups(folder: Path) -> list[tuple[datetime, Path]]:
    """Return the backups in `folder`, newest first (times from their names)."""
    found: list[tuple[datetime, int, Path]] = []
    if not folder.is_dir():
        return []
    for path in folder.iterdir():
        match = BACKUP_NAME.match(path.name)
        if match:
            found.append((datetime.strptime(match.group(1), STAMP), int(match.group(2) or 1), path))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [(taken, path) for taken, _, path in found]


def newest(folder: Path) -> tuple[datetime, Path] | None:
    kept = backups(folder)
    return kept[0] if kept else None


def rotate(folder: Path, *, keep_count: int, keep_days: int) -> list[Path]:
    """Delete backups beyond `keep_count` or older than `keep_days`; return those deleted.

    Age is measured from the newest backup, not from the clock: a box whose clock jumped
    years ahead must not throw away every copy. The newest is never deleted.
    """
    kept = backups(folder)
    if not kept:
        return []
    latest = kept[0][0]
    deleted = []
    for index, (taken, path) in enumerate(kept):
        if index == 0:
            continue
        if index >= keep_count or latest - taken > timedelta(days=keep_days):
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted


def due(now: datetime, *, newest: datetime | None, hour: int) -> bool:
    """Tell whether the nightly copy is due: none since the last `hour` o'clock passed."""
    mark = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if now < mark:
        mark -= timedelta(days=1)
    if newest is None:
        return True
    return _naive(newest) < _naive(mark)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def nightly(settings: Settings, *, now: datetime) -> Backup | None:
    """Take the nightly copy if it is due, and rotate; return it (None if not due)."""
    folder = backup_dir(settings)
    latest = newest(folder)
    if not due(now, newest=latest[0] if latest else None, hour=settings.backup.hour):
        return None
    made = take(database_path(settings), folder, now=_naive(now))
    rotate(folder, keep_count=settings.backup.keep_count, keep_days=settings.backup.keep_days)
    return made


def keep_nightly(settings: Settings, *, clock: Callable[[], datetime],
                 sleep: Callable[[float], Any], after: Callable[[Backup], Any] | None = None,
                 stop: Callable[[], bool] = lambda: False) -> None:
    """Look every few minutes whether the nightly copy is due; runs for the server's life."""
    while not stop():
        try:
            made = nightly(settings, now=clock())
            if made is not None:
                log.info("backup %s (%d tickets, %d bytes)", made.path, made.tickets, made.size)
                if after is not None:
                    after(made)
        except (BackupError, StorageFull, OSError) as exc:
            # A full disk among them: said in one line, tried again later.
            log.warning("nightly backup failed (%s); trying again in %d minutes", exc,
                        int(SCHEDULE_SECONDS // 60))
        except Exception:  # a failed night is logged, tried again later
            log.exception("nightly backup failed; trying again in %d minutes",
                          int(SCHEDULE_SECONDS // 60))
        sleep(SCHEDULE_SECONDS)


# --- restoring ---------------------------------------------------------------------------------

def restore(settings: Settings, source: Path, *, now: datetime) -> Restored:
    """Replace the database with the backup `source`; the current one is kept aside."""
    database = database_path(settings)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    with serving_lock(settings.data_path):
        database.parent.mkdir(parents=True, exist_ok=True)
        # Checked as a copy beside the database: the source (a USB stick, say) is only read.
        incoming = database.with_name(database.name + ".restoring")
        shutil.copyfile(source, incoming)
        try:
            tickets = verify(incoming, full=True, writable=True)
            for suffix in ("-wal", "-shm"):
                incoming.with_name(incoming.name + suffix).unlink(missing_ok=True)
            _sync_file(incoming)
            previous = _set_aside(database, backup_dir(settings), now)
            os.replace(incoming, database)
            sync_folder(database.parent)
            _new_stream(database)
        finally:
            incoming.unlink(missing_ok=True)
        # The marks now follow the restored database's `seq`, and keep the day's numbers:
        # the next ticket goes on past every number already printed today.
        Marks.in_data_dir(settings.data_path).replace_seq(copies.examine(database).seq)
    return Restored(source, database, previous, tickets)


def _new_stream(database: Path) -> None:
    """Name the restored outbox's numbering anew: its seqs after the copy will be given again."""
    store = Store.open(database)
    try:
        with store.write():
            store.new_stream()
    finally:
        store.close()


def _set_aside(database: Path, folder: Path, now: datetime) -> Path | None:
    if not database.exists():
        return None
    # Fold the WAL in so the file set aside is whole on its own; a damaged one moves as is.
    copies.fold_wal(database)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    aside = folder / f"{ASIDE_PREFIX}{now.strftime(STAMP)}.sqlite3"
    n = 2
    while aside.exists():
        aside = folder / f"{ASIDE_PREFIX}{now.strftime(STAMP)}-{n}.sqlite3"
        n += 1
    for suffix in ("", "-wal", "-shm"):
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            shutil.move(str(companion), str(aside.with_name(aside.name + suffix)))
    return aside


# --- one server per data dir -------------------------------------------------------------------

def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_FILE


def hold_serving_lock(data_dir: Path) -> int:
    """Take the data dir for a server for as long as this process (and its children) live.

    Returns the lock's file descriptor, inheritable so a server that re-executes itself
    keeps it. Raises ServerRunning when another server has it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(data_dir), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise ServerRunning(f"a xephang server is already using {data_dir}") from None
        raise
    # The pid is for people looking; the lock is the flock. A full disk may refuse the pid.
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    os.set_inheritable(fd, True)
    return fd


@contextlib.contextmanager
def serving_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data dir while replacing the database; refuse if a server has it."""
    if not data_dir.exists():
        yield
        return
    try:
        fd = hold_serving_lock(data_dir)
    except ServerRunning:
        raise ServerRunning(
            "the server is running on this data dir; stop it first "
            "(sudo systemctl stop xephang), then restore") from None
    try:
        yield
    finally:
        os.close(fd)


def is_serving(data_dir: Path) -> bool:
    """Tell whether a server holds the data dir now."""
    path = lock_path(data_dir)
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
