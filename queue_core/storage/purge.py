"""Deleting old tickets with every row that refers to them (retention), a batch at a time."""

from __future__ import annotations

from datetime import date

from queue_core.storage.rows import Rows


class PurgeRows(Rows):
    """Deletes by business day; each call is meant for the caller's own short transaction."""

    def referring_tables(self) -> list[tuple[str, str]]:
        """Return (table, column) pairs whose column is a foreign key to tickets.

        Read from the schema, so a table added later is covered too.
        """
        found = []
        tables = [r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            for row in self.conn.execute(f'PRAGMA foreign_key_list("{table}")'):
                # id, seq, table, from, to, on_update, on_delete, match
                if row[2] == "tickets":
                    found.append((table, row[3]))
        return found

    def delete_tickets_before(self, before: date, *, batch: int,
                              refs: list[tuple[str, str]]) -> tuple[int, dict[str, int]]:
        """Delete up to `batch` tickets of days before `before`, and the rows `refs` name.

        Returns how many tickets went, and how many rows of each referring table.
        """
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM tickets WHERE day < ? LIMIT ?", [before.isoformat(), batch])]
        if not ids:
            # The statistics summaries of the days gone go with them.
            self.conn.execute("DELETE FROM day_summaries WHERE day < ?", [before.isoformat()])
            return 0, {}
        rows: dict[str, int] = {}
        marks = ", ".join("?" for _ in ids)
        for table, column in refs:
            cursor = self.conn.execute(f'DELETE FROM "{table}" WHERE "{column}" IN ({marks})', ids)
            if cursor.rowcount:
                rows[table] = cursor.rowcount
        self.conn.execute(f"DELETE FROM tickets WHERE id IN ({marks})", ids)
        return len(ids), rows
