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
from datetime import date, datetime

from queue_core.service import audit
from queue_core.storage import Store

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


def purge(store: Store, *, before: date, batch: int = BATCH, actor: str | None = None,
          now: datetime | None = None, audit_empty: bool = True) -> Purged:
    """Delete tickets of business days before `before`, and what refers to them.

    With `actor` (and `now`), the purge is audited in its last transaction.
    """
    result = Purged(before)
    with store.read():
        refs = store.referring_tables()
    while True:
        with store.write():
            tickets, rows = store.delete_tickets_before(before, batch=batch, refs=refs)
            if not tickets:
                deleted = store.purge_audit_before(before)
                if deleted:
                    result.rows["audit_log"] = result.rows.get("audit_log", 0) + deleted
                if actor is not None and now is not None and (result.tickets or audit_empty):
                    audit.add(store, actor=actor, action=audit.TICKETS_PURGED, now=now,
                              detail=f"{result.tickets} tickets before {before}")
                break
            for table, count in rows.items():
                result.rows[table] = result.rows.get(table, 0) + count
            result.tickets += tickets
    return result


def purge_expired(store: Store, *, months: int, now: datetime,
                  actor: str = "system:retention") -> Purged | None:
    """Apply the retention setting (audited when anything went); None when retention is off."""
    if months <= 0:
        return None
    return purge(store, before=cutoff_day(now.date(), months), actor=actor, now=now,
                 audit_empty=False)
