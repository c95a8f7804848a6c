"""Apply a box's batch of events: once per (stream, seq), in order, in one transaction.

The answer tells the box what became of its batch (see README.md, "The ingest protocol"):
`{"applied", "duplicates", "rejected": [{"seq", "field", "reason"}], "resend_from",
"applied_through", "deferred", "lost"}`. The box may forget every event up to
`applied_through`; when `resend_from` is a number it sends again from there.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from . import protocol, sequencing
from .storage import ingest as sql
from .storage.database import Database
from .storage.migrations import create_partitions, month_of, next_month, partition_months


class Partitions:
    """The months that have partitions, so ingest creates a month's tables only once."""

    def __init__(self) -> None:
        self._known: set[date] | None = None
        self._lock = threading.Lock()

    def ensure(self, db: Database, days: set[str]) -> None:
        """Create the partitions of the months of `days` that are missing."""
        months = {month_of(day) for day in days}
        with self._lock:
            if self._known is not None and months <= self._known:
                return
            with db.transaction() as conn:
                known = partition_months(conn)
                missing = months - known
                if missing:
                    create_partitions(conn, missing)
            self._known = known | months

    def ahead(self, db: Database, today: date) -> None:
        """Create this month's and next month's partitions before anything arrives for them."""
        month = month_of(today)
        self.ensure(db, {month.isoformat(), next_month(month).isoformat()})

    def forget(self) -> None:
        with self._lock:
            self._known = None


@dataclass(frozen=True)
class Outcome:
    """What became of one batch."""

    plan: sequencing.Plan

    def as_json(self) -> dict[str, Any]:
        plan = self.plan
        return {"applied": len(plan.apply), "duplicates": plan.duplicates,
                "rejected": [r.as_json() for r in plan.rejected],
                "resend_from": plan.resend_from, "applied_through": plan.applied_through,
                "deferred": plan.deferred, "lost": plan.lost}


def _days(raw_events: tuple[Any, ...]) -> set[str]:
    """Return the days the batch's good events fall on (their partitions must exist)."""
    days = set()
    for raw in raw_events:
        try:
            days.add(protocol.parse_event(raw).day)
        except protocol.BadEvent:
            continue
    return days


def ingest(db: Database, partitions: Partitions, *, center_id: int, body: Any,
           now: datetime) -> Outcome:
    """Apply a batch for the center `center_id`; raise protocol.BadBatch for a bad envelope."""
    batch = protocol.parse_batch(body)
    partitions.ensure(db, _days(batch.events))
    offset = (batch.sent_at - now).total_seconds() if batch.sent_at is not None else None
    with db.transaction() as conn:
        stream_id, applied = sql.lock_stream(conn, center_id, batch.stream)
        plan = sequencing.plan_batch(applied, batch.oldest_available, batch.events)
        sql.write_plan(conn, center_id=center_id, stream_id=stream_id, plan=plan,
                       received_at=now)
        sql.record_contact(conn, center_id=center_id, received_at=now, plan=plan,
                           clock_offset_s=offset, profile=batch.profile)
    return Outcome(plan)


__all__ = ["Outcome", "Partitions", "ingest"]
