"""The live state of each counter (the `counters` table)."""

from __future__ import annotations

from queue_core.domain.clock import parse_time, time_text
from queue_core.domain.model import OPEN, CounterStatus
from queue_core.storage.rows import Rows


class CounterRows(Rows):
    """The `counters` table; a counter never written is open and idle."""

    def counter_status(self, number: int) -> CounterStatus:
        row = self.conn.execute(
            "SELECT number, state, current, officer, changed_at FROM counters WHERE number = ?",
            [number]).fetchone()
        if row is None:
            return CounterStatus(number=number, state=OPEN)
        return CounterStatus(row[0], row[1], row[2], row[3], parse_time(row[4]))

    def save_counter(self, status: CounterStatus) -> None:
        self.conn.execute(
            "INSERT INTO counters (number, state, current, officer, changed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(number) DO UPDATE SET state = excluded.state,"
            " current = excluded.current, officer = excluded.officer,"
            " changed_at = excluded.changed_at",
            [status.number, status.state, status.current, status.officer,
             time_text(status.changed_at)])
