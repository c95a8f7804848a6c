"""The data dir as the box keeps it: private to the service, and a database fit to serve.

Private: the folder and every folder in it 0700, every file 0600 (the database holds
password and token hashes). The process that serves sets its umask to 077 and puts the
modes of files already there right at every start; commands that write (`user add`,
`backup`, …) do their work under the same umask (`private_files`).

Fit to serve: before a start the database file is examined (SQLite's quick_check among
other things) and compared with the marks kept beside it. A damaged, truncated, emptied
or missing file where this box had data, or a file older than the marks, is refused
with a plain message that names `xephang restore` and the newest backup; the box never
starts fresh where data existed.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from queue_core.config import Settings
from queue_core.domain.messages import render
from queue_core.ops import backup
from queue_core.storage import DATABASE_FILE, copies
from queue_core.storage.marks import Marks

PRIVATE_UMASK = 0o077
FOLDER_MODE = 0o700
FILE_MODE = 0o600


class DatabaseRefused(Exception):
    """The database may not be served; the text (Vietnamese, then English) says what to do."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{render(code, 'vi', **params)}\n{render(code, 'en', **params)}")


def keep_private() -> int:
    """Make every file this process creates from now on private; return the umask before."""
    return os.umask(PRIVATE_UMASK)


@contextlib.contextmanager
def private_files() -> Iterator[None]:
    """Create files only the owner reads, for the duration of the block."""
    before = keep_private()
    try:
        yield
    finally:
        os.umask(before)


def secure(data_dir: Path) -> int:
    """Create the data dir private, and make what is in it private; return modes changed.

    Symbolic links are left alone (neither followed nor changed).
    """
    data_dir.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    changed = _chmod(data_dir, FOLDER_MODE)
    for root, folders, files in os.walk(data_dir):
        for name in folders:
            changed += _chmod(Path(root) / name, FOLDER_MODE)
        for name in files:
            changed += _chmod(Path(root) / name, FILE_MODE)
    return changed


def _chmod(path: Path, mode: int) -> int:
    try:
        info = path.lstat()
    except OSError:
        return 0
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) == mode:
        return 0
    try:
        os.chmod(path, mode)
    except OSError:
        return 0
    return 1


def check_database(settings: Settings) -> copies.Examined:
    """Refuse (DatabaseRefused) a database unfit to serve; return what was found.

    A missing database is fine on a new box (no marks yet, or marks of an empty one).
    """
    path = settings.data_path / DATABASE_FILE
    marks = Marks.in_data_dir(settings.data_path)
    recorded = marks.seq()
    found = copies.examine(path)
    where = {"path": str(path), "newest": _newest_backup(settings)}
    if found.state == copies.MISSING:
        if recorded > 0:
            raise DatabaseRefused("database_missing", seq=recorded, **where)
        return found
    if found.state == copies.EMPTY:
        raise DatabaseRefused("database_empty", **where)
    if found.state == copies.FOREIGN:
        raise DatabaseRefused("database_foreign", detail=found.detail, **where)
    if found.state != copies.WHOLE:
        raise DatabaseRefused("database_damaged", detail=found.detail or found.state, **where)
    if found.seq < recorded:
        raise DatabaseRefused("database_older", seq=found.seq, recorded=recorded, **where)
    return found


def _newest_backup(settings: Settings) -> str:
    newest = backup.newest(backup.backup_dir(settings))
    return str(newest[1]) if newest else "<tệp sao lưu / backup file>"
