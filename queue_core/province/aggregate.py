"""Count each changed (center, day) again with the box's own statistics, and keep the result.

Ingest marks the days its events touch (`dirty_days`, with a rising mark) and NOTIFYs;
the counter reads a marked day's tickets, rebuilds each ticket's history exactly as the box
reads its own (`queue_core.stats.reader`: steps only for tickets that were transferred,
restored or closed by the day's end; the rest tell their story by their row), derives the
facts and tallies with `queue_core.stats.figures`, and writes one `center_days` row. The
mark is cleared only if no batch marked the day again meanwhile, so a day is never left
counted short.

One process of the hub counts at a time (a PostgreSQL advisory lock); the others stand by.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import psycopg

from ..stats import figures as stats
from . import codec
from .ingest import Partitions
from .storage import days as sql
from .storage.database import Database, DatabaseUnavailable

log = logging.getLogger("xephang.hub")

DEFAULT_TARGET_WAIT_MINUTES = 15.0
# Days with tickets still waiting are counted again this often (their waits grow).
OPEN_DAYS_EVERY = timedelta(seconds=60)
BATCH = 100


def target_wait_s(profile: dict[str, Any]) -> float:
    minutes = profile.get("target_wait_minutes") or DEFAULT_TARGET_WAIT_MINUTES
    return float(minutes) * 60


def _zone(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def histories(ticket_rows: list[tuple[Any, ...]], step_rows: list[tuple[Any, ...]],
              rating_rows: dict[str, tuple[str, datetime]]) -> list[stats.TicketHistory]:
    """Return the day's tickets as the box's statistics read them, in the box's own times."""
    by_ticket: dict[str, list[stats.StepRow]] = {}
    zones: dict[str, timezone] = {}
    out = []
    for (ticket_id, label, day, series, service, state, issued_at, priority, channel, counter,
         officer, called_at, finished_at, recalls, offset) in ticket_rows:
        zone = zones[ticket_id] = _zone(offset)
        out.append([ticket_id, stats.TicketRow(
            ticket_id, label, day.isoformat(), series, service, state,
            issued_at.astimezone(zone), priority, channel, counter, officer,
            called_at.astimezone(zone) if called_at else None,
            finished_at.astimezone(zone) if finished_at else None, recalls or 0)])
    for ticket_id, action, at, actor, service, counter in step_rows:
        zone = zones.get(ticket_id, timezone.utc)
        by_ticket.setdefault(ticket_id, []).append(
            stats.StepRow(action, at.astimezone(zone), actor, service, counter))
    result = []
    for ticket_id, row in out:
        rated = rating_rows.get(ticket_id)
        rating = (stats.RatingRow(rated[0], rated[1].astimezone(zones[ticket_id]))
                  if rated else None)
        result.append(stats.TicketHistory(row, tuple(by_ticket.get(ticket_id, ())), rating))
    return result


def day_figures(tallies: stats.Tallies, facts: list[stats.Facts]) -> dict[str, Any]:
    """Return the columns of a counted day the dashboard reads directly."""
    total = tallies.total
    waits = sorted(total.waits)
    wait = stats.durations(waits, ordered=True)
    waiting = [f.waiting_since for f in facts if f.state == "waiting" and f.waiting_since]
    return {
        "issued": total.issued, "served": total.served, "no_show": total.no_show,
        "cancelled": total.cancelled, "expired": total.expired, "waiting": total.waiting,
        "in_service": total.in_service, "priority": total.priority,
        "transfers": total.transferred, "met": total.met, "judged": total.judged,
        "very_satisfied": total.ratings.get("very_satisfied", 0),
        "satisfied": total.ratings.get("satisfied", 0),
        "neutral": total.ratings.get("neutral", 0),
        "unsatisfied": total.ratings.get("unsatisfied", 0),
        "wait_count": len(waits), "wait_sum": float(sum(waits)),
        "wait_median_s": wait["median_s"], "wait_p90_s": wait["p90_s"],
        "service_count": len(total.service_times),
        "service_sum": float(sum(total.service_times)),
        "waits": waits, "oldest_waiting_since": min(waiting) if waiting else None,
    }


def count_day(db: Database, center_id: int, day: date, *, now: datetime) -> bool:
    """Count one (center, day) again; return whether it had tickets."""
    with db.transaction() as conn:
        seen = sql.mark(conn, center_id, day)
        profile, offset = sql.center_clock(conn, center_id)
        tickets = sql.tickets(conn, center_id, day)
        steps = sql.steps(conn, center_id, day, history_actions=stats.HISTORY_ACTIONS,
                          step_actions=stats.STEP_ACTIONS)
        ratings = sql.ratings(conn, center_id, day)
        # Judge the tickets still waiting by the box's clock, as the box itself does.
        box_now = now + timedelta(seconds=offset)
        facts = [stats.ticket_facts(h) for h in histories(tickets, steps, ratings)]
        counted = stats.tally_days(facts, target_wait_s=target_wait_s(profile), now=box_now)
        tallies = counted.get(day.isoformat())
        if tallies is None:
            sql.delete(conn, center_id, day)
        else:
            sql.save(conn, center_id, day, day_figures(tallies, facts),
                     codec.dumps(tallies, day.isoformat()), now)
        if seen is not None:
            sql.clear(conn, center_id, day, seen)
    return tallies is not None


def count_marked(db: Database, *, now: datetime, limit: int = BATCH) -> int:
    """Count the marked days (up to `limit`), oldest change first; return how many."""
    with db.transaction() as conn:
        marked = sql.dirty(conn, limit)
    for center_id, day, _ in marked:
        count_day(db, center_id, day, now=now)
    return len(marked)


def count_all(db: Database, *, now: Callable[[], datetime]) -> int:
    """Count until nothing is marked; return how many days (tests and the command line)."""
    total = 0
    while True:
        done = count_marked(db, now=now())
        total += done
        if not done:
            return total


class Aggregator:
    """The background counting of one hub process (only one process counts at a time)."""

    def __init__(self, db: Database, partitions: Partitions, *,
                 clock: Callable[[], datetime]) -> None:
        self.db = db
        self.partitions = partitions
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.counted = 0

    def start(self) -> Aggregator:
        self._thread = threading.Thread(target=self._run, name="hub-counter", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._lead()
            except (DatabaseUnavailable, psycopg.OperationalError):
                log.warning("counting lost PostgreSQL; trying again shortly")
            except Exception:
                log.exception("counting failed; starting again shortly")
            self._stop.wait(2)

    def _lead(self) -> None:
        """Hold the counting lock and count marked days as they come, until stopped."""
        conn = self.db.connect(autocommit=True)
        try:
            if not sql.lead_counting(conn):
                return
            last_open = datetime.min.replace(tzinfo=timezone.utc)
            while not self._stop.is_set():
                now = self.clock()
                if now - last_open >= OPEN_DAYS_EVERY:
                    self._upkeep(now)
                    last_open = now
                if count_marked(self.db, now=now):
                    self.counted += 1
                    continue
                # Sleep until a batch marks a day (NOTIFY), or a second passes.
                for _ in conn.notifies(timeout=1.0, stop_after=1):
                    pass
        finally:
            conn.close()

    def _upkeep(self, now: datetime) -> None:
        with self.db.transaction() as conn:
            sql.mark_open_days(conn, older_than=now - OPEN_DAYS_EVERY,
                               since=(now - timedelta(days=2)).date())
        self.partitions.ahead(self.db, now.date())


__all__ = ["Aggregator", "count_all", "count_day", "count_marked", "day_figures", "histories",
           "target_wait_s"]
