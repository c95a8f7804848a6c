"""Marks kept beside the database in a small file of their own: the day's highest numbers
and the last `seq` the database was seen to reach.

They outlive anything that happens to the database file itself. After a restore of an
older copy, numbering goes on past every number issued that day (a number printed on a
citizen's paper is never given twice); at start, a database that is missing, emptied or
older than the mark is refused instead of being started fresh.

The file (``<data dir>/marks.json``) is rewritten whole: a temporary file, synced, renamed
over the old one, and the folder synced, so a power cut leaves the old or the new marks,
never half of them. A number is reserved here before its ticket commits.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> marks = Marks.in_data_dir(folder)
>>> marks.reserve("2026-11-23", "A", 20, seq=57)
>>> Marks.in_data_dir(folder).issued("2026-11-23", "A"), Marks.in_data_dir(folder).seq()
(20, 57)
>>> marks.issued("2026-11-24", "A")
0
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
from pathlib import Path
from typing import Any

from queue_core.domain.errors import StorageFull

MARKS_FILE = "marks.json"
# Errors of a full disk (or a full quota), whatever call met them.
FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


class Marks:
    """The day's highest number per series and the last `seq` seen, in one small file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data = _read(path)

    @classmethod
    def in_data_dir(cls, data_dir: str | os.PathLike[str]) -> Marks:
        return cls(Path(data_dir) / MARKS_FILE)

    def exists(self) -> bool:
        """Tell whether marks were ever written here (this box has had data)."""
        return self.path.exists()

    def issued(self, day: str, series: str) -> int:
        """Return the highest number `series` gave on `day` (0 when none is known)."""
        with self._lock:
            if self._data.get("day") != day:
                return 0
            return int(self._data.get("issued", {}).get(series, 0))

    def issued_today(self, day: str) -> dict[str, int]:
        """Return every series' highest number of `day`."""
        with self._lock:
            if self._data.get("day") != day:
                return {}
            return {str(k): int(v) for k, v in self._data.get("issued", {}).items()}

    def seq(self) -> int:
        """Return the last `seq` the database was seen to reach."""
        with self._lock:
            return int(self._data.get("seq", 0))

    def day(self) -> str | None:
        with self._lock:
            day = self._data.get("day")
            return day if isinstance(day, str) else None

    def reserve(self, day: str, series: str, number: int, *, seq: int | None = None) -> None:
        """Record on disk that `series` gave `number` on `day` (and `seq`, if higher)."""
        with self._lock:
            data = dict(self._data)
            issued = dict(data.get("issued", {})) if data.get("day") == day else {}
            issued[series] = max(int(issued.get(series, 0)), number)
            data["day"] = day
            data["issued"] = issued
            if seq is not None and seq > int(data.get("seq", 0)):
                data["seq"] = seq
            self._write(data)

    def note_seq(self, seq: int) -> bool:
        """Raise the `seq` mark to `seq`; return whether the file was written."""
        with self._lock:
            if seq <= int(self._data.get("seq", 0)) and self.path.exists():
                return False
            self._write({**self._data, "seq": max(seq, int(self._data.get("seq", 0)))})
            return True

    def replace_seq(self, seq: int) -> None:
        """Set the `seq` mark to the database's own (after a restore), keeping the numbers."""
        with self._lock:
            self._write({**self._data, "seq": seq})

    def _write(self, data: dict[str, Any]) -> None:
        part = self.path.with_name(self.path.name + ".part")
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, json.dumps(data, sort_keys=True).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(part, self.path)
            sync_folder(self.path.parent)
        except OSError as exc:
            with contextlib.suppress(OSError):
                part.unlink()
            if exc.errno in FULL_ERRNOS:
                raise StorageFull() from None
            raise
        self._data = data


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def sync_folder(folder: Path) -> None:
    """Make a folder's entries (a file created or renamed in it) durable."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
