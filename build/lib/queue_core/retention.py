"""Retention: delete tickets older than N months, with everything recorded about them.

Off by default (`backup.retention_months = 0`). A purge removes whole business days
before the cutoff: the tickets, their transitions, ratings, print records and any other
row that refers to a ticket (found from the schema's foreign keys, so a table added
later is covered too), and audit entries of the same age. It works in small batches,
each its own short transaction, so the queue never waits long behind it.

>>> cutoff_day(date(2026, 5, 31), 3)
datetime.date(2026, 2, 28)
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from . import audit
from .store import Store

BATCH = 500


@dataclass
class Purged:
    """What one purge deleted."""

    cutoff: date
    tickets: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def cutoff_day(today: date, months: int) -> date:
    """Return the first day kept: the same day `months` earlier (clamped to the month's end)."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def referring_tables(store: Store) -> list[tuple[str, str]]:
    """Return (table, column) pairs whose column is a foreign key to tickets."""
    found = []
    tables = [r[0] for r in store.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        for row in store.conn.execute(f'PRAGMA foreign_key_list("{table}")'):
            # id, seq, table, from, to, on_update, on_delete, match
            if row[2] == "tickets":
                found.append((table, row[3]))
    return found


def purge(store: Store, *, before: date, batch: int = BATCH) -> Purged:
    """Delete tickets of business days before `before`, and what refers to them."""
    result = Purged(before)
    with store.read():
        refs = referring_tables(store)
    while True:
        with store.write():
            ids = [r[0] for r in store.conn.execute(
                "SELECT id FROM tickets WHERE day < ? LIMIT ?", [before.isoformat(), batch])]
            if not ids:
                deleted = audit.purge_before(store, before)
                if deleted:
                    result.rows["audit_log"] = result.rows.get("audit_log", 0) + deleted
                break
            marks = ", ".join("?" for _ in ids)
            for table, column in refs:
                cursor = store.conn.execute(
                    f'DELETE FROM "{table}" WHERE "{column}" IN ({marks})', ids)
                if cursor.rowcount:
                    result.rows[table] = result.rows.get(table, 0) + cursor.rowcount
            store.conn.execute(f"DELETE FROM tickets WHERE id IN ({marks})", ids)
            result.tickets += len(ids)
    return result


def purge_expired(store: Store, *, months: int, today: date) -> Purged | None:
    """Apply the retention setting; None when retention is off."""
    if months <= 0:
        return None
    return purge(store, before=cutoff_day(today, months))
