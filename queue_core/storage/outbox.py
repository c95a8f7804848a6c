"""The outbox: every published event as a row, its receivers' cursors and their deliveries.

`outbox` rows are written by the writer path inside the transaction of the change they
describe; their `INTEGER PRIMARY KEY AUTOINCREMENT` id is the event's `seq` in the box's
stream (no gaps while every event is kept, never reused). The stream's id lives in `meta`
(`stream`) and is replaced whenever the numbering could repeat (a restore).

`outbox_consumers` holds one cursor per receiver (a webhook endpoint, the hub): the last
`seq` it has taken, and when to try again. `deliveries` records each event's delivery to
each receiver (what was sent, how often, why it failed).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from queue_core.storage.rows import Rows

DELIVERY_COLUMNS = ("id", "consumer", "outbox_id", "event", "url", "status", "attempts",
                    "last_error", "next_attempt_at", "created_at", "updated_at")
CONSUMER_COLUMNS = ("name", "cursor", "attempts", "next_attempt_at", "last_error",
                    "last_success_at", "lost", "state")


def new_stream_id() -> str:
    """Return a fresh stream id (what receivers tell one numbering from another by)."""
    return secrets.token_hex(6)


@dataclass(frozen=True)
class OutboxRow:
    """One published event as kept: its stream `seq`, the board's `seq`, name, time, data."""

    seq: int
    board_seq: int
    event: str
    at: str
    data: dict[str, Any]


class OutboxRows(Rows):
    """The `outbox`, `outbox_consumers` and `deliveries` tables."""

    # --- the stream ---

    def stream(self) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'stream'").fetchone()
        return str(row[0])

    def new_stream(self) -> str:
        """Give the outbox a new stream id (its numbering may repeat); return it."""
        stream = new_stream_id()
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('stream', ?)",
                          [stream])
        return stream

    # --- rows ---

    def add_outbox(self, rows: Iterable[tuple[int, str, str, dict[str, Any]]]) -> None:
        """Keep events (board seq, name, time, data) inside the caller's transaction."""
        self.conn.executemany(
            "INSERT INTO outbox (board_seq, event, at, data) VALUES (?, ?, ?, ?)",
            [(seq, event, at, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
             for seq, event, at, data in rows])

    def outbox_after(self, after: int, *, limit: int,
                     events: Sequence[str] | None = None) -> list[OutboxRow]:
        """Return up to `limit` rows past `after`, in order (only `events`, if named)."""
        sql = "SELECT id, board_seq, event, at, data FROM outbox WHERE id > ?"
        params: list[Any] = [after]
        if events is not None:
            sql += f" AND event IN ({', '.join('?' for _ in events)})"
            params.extend(events)
        rows = self.conn.execute(sql + " ORDER BY id LIMIT ?", [*params, limit]).fetchall()
        return [OutboxRow(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    def outbox_row(self, seq: int) -> OutboxRow | None:
        found = self.outbox_after(seq - 1, limit=1)
        return found[0] if found and found[0].seq == seq else None

    def outbox_bounds(self) -> tuple[int | None, int, int]:
        """Return (the oldest seq kept or None, the newest seq ever given, rows kept)."""
        oldest, count = self.conn.execute("SELECT MIN(id), COUNT(*) FROM outbox").fetchone()
        row = self.conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
        return oldest, int(row[0]) if row else 0, int(count)

    def purge_outbox(self, *, before_at: str, keep_rows: int, batch: int) -> int:
        """Delete up to `batch` of the oldest rows written before `before_at` or past `keep_rows`."""
        oldest, newest, count = self.outbox_bounds()
        over = max(0, count - keep_rows)
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM outbox WHERE at < ? OR id <= ? ORDER BY id LIMIT ?",
            [before_at, (oldest or 0) + over - 1 if over else 0, batch])]
        if not ids:
            return 0
        self.conn.execute("DELETE FROM outbox WHERE id <= ?", [ids[-1]])
        self.conn.execute("DELETE FROM deliveries WHERE outbox_id <= ? AND status != 'lost'",
                          [ids[-1]])
        return len(ids)

    # --- consumers ---

    def consumer(self, name: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            f"SELECT {', '.join(CONSUMER_COLUMNS)} FROM outbox_consumers WHERE name = ?",
            [name]).fetchone()
        return dict(zip(CONSUMER_COLUMNS, row)) if row else None

    def ensure_consumer(self, name: str, *, cursor: int) -> dict[str, Any]:
        """Return the consumer `name`, made with `cursor` if it is new."""
        self.conn.execute("INSERT OR IGNORE INTO outbox_consumers (name, cursor) VALUES (?, ?)",
                          [name, cursor])
        found = self.consumer(name)
        assert found is not None
        return found

    def update_consumer(self, name: str, **values: Any) -> None:
        self._update("outbox_consumers", CONSUMER_COLUMNS, "name", name, values)

    def _update(self, table: str, columns: Sequence[str], key: str, at: Any,
                values: dict[str, Any]) -> None:
        """Set some columns (only known ones) of the row of `table` whose `key` is `at`."""
        unknown = set(values) - set(columns)
        if unknown:
            raise KeyError(sorted(unknown)[0])
        sets = ", ".join(f'"{column}" = ?' for column in values)
        self.conn.execute(f'UPDATE "{table}" SET {sets} WHERE "{key}" = ?', [*values.values(), at])

    def consumers(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            f"SELECT {', '.join(CONSUMER_COLUMNS)} FROM outbox_consumers ORDER BY name")
        return [dict(zip(CONSUMER_COLUMNS, row)) for row in rows]

    # --- deliveries ---

    def record_delivery(self, *, consumer: str, outbox_id: int, event: str, url: str,
                        status: str, attempted: bool, last_error: str | None,
                        next_attempt_at: str | None, now: str) -> None:
        """Write what became of one event for one receiver (one row per pair)."""
        self.conn.execute(
            "INSERT INTO deliveries (consumer, outbox_id, event, url, status, attempts,"
            " last_error, next_attempt_at, created_at, updated_at)"
            " VALUES (:consumer, :outbox_id, :event, :url, :status, :tries, :last_error,"
            " :next_attempt_at, :now, :now)"
            " ON CONFLICT (consumer, outbox_id) DO UPDATE SET status = :status,"
            " attempts = attempts + :tries, last_error = :last_error,"
            " next_attempt_at = :next_attempt_at, url = :url, updated_at = :now",
            {"consumer": consumer, "outbox_id": outbox_id, "event": event, "url": url,
             "status": status, "tries": 1 if attempted else 0, "last_error": last_error,
             "next_attempt_at": next_attempt_at, "now": now})

    def deliveries(self, *, limit: int, consumer: str | None = None,
                   status: str | None = None) -> list[dict[str, Any]]:
        """Return deliveries, newest first."""
        where, params = [], []
        if consumer is not None:
            where.append("consumer = ?")
            params.append(consumer)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        sql = f"SELECT {', '.join(DELIVERY_COLUMNS)} FROM deliveries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.conn.execute(sql + " ORDER BY updated_at DESC, id DESC LIMIT ?",
                                 [*params, limit])
        return [dict(zip(DELIVERY_COLUMNS, row)) for row in rows]

    def delivery(self, delivery_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            f"SELECT {', '.join(DELIVERY_COLUMNS)} FROM deliveries WHERE id = ?",
            [delivery_id]).fetchone()
        return dict(zip(DELIVERY_COLUMNS, row)) if row else None

    def delivery_of(self, consumer: str, outbox_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            f"SELECT {', '.join(DELIVERY_COLUMNS)} FROM deliveries"
            " WHERE consumer = ? AND outbox_id = ?", [consumer, outbox_id]).fetchone()
        return dict(zip(DELIVERY_COLUMNS, row)) if row else None

    def set_delivery(self, delivery_id: int, **values: Any) -> None:
        self._update("deliveries", DELIVERY_COLUMNS, "id", delivery_id, values)

    def delivery_counts(self, consumer: str) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT status, COUNT(*) FROM deliveries WHERE consumer = ? GROUP BY status",
            [consumer])
        return {status: count for status, count in rows}
