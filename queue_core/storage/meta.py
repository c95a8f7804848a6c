"""Small facts about the database itself (the `meta` table) and the newest thing it recorded.

`seq` lives in `meta` too; it is read and raised by the connection's writer path.
"""

from __future__ import annotations

from datetime import datetime

from queue_core.domain.clock import parse_time
from queue_core.storage.rows import Rows

# The tables whose rows carry the time they were written.
TIMED_TABLES = ("transitions", "audit_log")


class MetaRows(Rows):
    """The `meta` table, and the high-water marks of the timed tables."""

    def meta_value(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    def record_marks(self) -> dict[str, int]:
        """Return the newest row id of each timed table (0 when empty)."""
        marks = {}
        for table in TIMED_TABLES:
            row = self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()
            marks[table] = int(row[0])
        return marks

    def newest_record(self, *, after: dict[str, int] | None = None) -> datetime | None:
        """Return the newest time written in a timed table, among rows past `after`'s ids."""
        after = after or {}
        newest: datetime | None = None
        for table in TIMED_TABLES:
            exists = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
            if not exists:
                continue
            row = self.conn.execute(f"SELECT MAX(at) FROM {table} WHERE id > ?",
                                    [after.get(table, 0)]).fetchone()
            if row and row[0]:
                moment = parse_time(row[0])
                if newest is None or moment > newest:
                    newest = moment
        return newest
