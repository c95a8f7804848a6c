"""Read tickets' histories out of the store, as the plain values `stats.py` works on.

Read-only: every read sees one consistent snapshot, on a connection of its own for a
database file (see `snapshot`), so reading a year never holds up the queue. `DayCache` keeps the
counted tallies of days already read, and finds the days whose tickets changed since by
the store's high-water marks (every change to a ticket adds a transition, every rating a
row, and a retention purge moves the first day kept), so a year of statistics is read
from disk once, not on every request.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from . import stats
from .stats import Facts, Filters, RatingRow, StepRow, Tallies, TicketHistory, TicketRow
from .store import Store

_parse = datetime.fromisoformat

_TICKETS = ("SELECT t.id, t.label, t.day, t.series, t.service, t.state, t.issued_at, t.priority,"
            " t.channel, t.counter, t.officer, t.called_at, t.finished_at, t.recalls,"
            " r.level, r.at, r.comment FROM tickets t LEFT JOIN ratings r ON r.ticket_id = t.id")
_STEP_ACTIONS = ", ".join(repr(action) for action in stats.STEP_ACTIONS)
_HISTORY_ACTIONS = ", ".join(repr(action) for action in stats.HISTORY_ACTIONS)
DAYS_PER_READ = 31
# SQLite allows 999 bound parameters in old builds; stay well below.
_IDS_PER_QUERY = 500


@contextmanager
def snapshot(store: Store) -> Iterator[sqlite3.Connection]:
    """Yield a connection reading one consistent snapshot of the store.

    A database file is read through a connection of its own, so a long read (a year of
    statistics, an export) never holds the store's lock while tickets are issued and called.
    """
    if store.path == ":memory:":
        with store.read():
            yield store.conn
        return
    conn = sqlite3.connect(f"{Path(store.path).resolve().as_uri()}?mode=ro", uri=True,
                           timeout=30, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("BEGIN")
        yield conn
    finally:
        conn.close()


def _where(days: Sequence[str] | None, date_from: str | None, date_to: str | None,
           ) -> tuple[str, list[Any]]:
    if days is not None:
        return f"t.day IN ({', '.join('?' for _ in days)})", list(days)
    return "t.day BETWEEN ? AND ?", [date_from, date_to]


def _multi_step(conn: sqlite3.Connection, where: str, params: list[Any]) -> set[str]:
    """Return the tickets chosen by `where` that have a step in HISTORY_ACTIONS."""
    # Through the ticket index: the cost follows the days read, not the days since.
    return {ticket_id for (ticket_id,) in conn.execute(
        f"SELECT ticket_id FROM transitions WHERE action IN ({_HISTORY_ACTIONS})"
        f" AND ticket_id IN (SELECT t.id FROM tickets t WHERE {where})", params)}


def _read(conn: sqlite3.Connection, where: str, params: list[Any]) -> list[TicketHistory]:
    rows = conn.execute(f"{_TICKETS} WHERE {where} ORDER BY t.issued_at, t.id",
                        params).fetchall()
    multi_step = _multi_step(conn, where, params)
    wanted = [row[0] for row in rows if row[0] in multi_step]
    steps: dict[str, list[StepRow]] = {}
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start:start + _IDS_PER_QUERY]
        for ticket_id, action, at, actor, service, counter in conn.execute(
                "SELECT ticket_id, action, at, actor, service, counter FROM transitions"
                f" WHERE ticket_id IN ({', '.join('?' for _ in chunk)})"
                f" AND action IN ({_STEP_ACTIONS}) ORDER BY id", chunk):
            steps.setdefault(ticket_id, []).append(
                StepRow(action, _parse(at), actor, service, counter))
    histories = []
    for (ticket_id, label, day, series, service, state, issued_at, priority, channel, counter,
         officer, called_at, finished_at, recalls, level, rated_at, comment) in rows:
        row = TicketRow(ticket_id, label, day, series, service, state, _parse(issued_at),
                        priority, channel, counter, officer,
                        _parse(called_at) if called_at else None,
                        _parse(finished_at) if finished_at else None, recalls or 0)
        rating = RatingRow(level, _parse(rated_at), comment) if level else None
        histories.append(TicketHistory(row, tuple(steps.get(ticket_id, ())), rating))
    return histories


def load(store: Store, date_from: str | None = None, date_to: str | None = None, *,
         days: Sequence[str] | None = None) -> list[TicketHistory]:
    """Return the histories of the tickets issued from `date_from` to `date_to` (or on `days`).

    Tickets called at most once come without steps (their row tells everything, see
    `stats.TicketHistory`); the others with every step statistics read, in order.
    """
    where, params = _where(days, date_from, date_to)
    with snapshot(store) as conn:
        return _read(conn, where, params)


def load_facts(store: Store, date_from: str | None = None, date_to: str | None = None, *,
               days: Sequence[str] | None = None) -> list[Facts]:
    """Return the facts of the tickets issued in a range of days (or on `days`)."""
    facts = stats.ticket_facts
    return [facts(h) for h in load(store, date_from, date_to, days=days)]


def facts_by_month(store: Store, days: Sequence[str],
                   ) -> Iterator[tuple[Sequence[str], list[Facts]]]:
    """Yield some of `days` and the facts of their tickets, a month of days at a time.

    All of it is read from one snapshot, and a year never sits in memory at once.
    """
    if not days:
        return
    facts = stats.ticket_facts
    with snapshot(store) as conn:
        for start in range(0, len(days), DAYS_PER_READ):
            chunk = days[start:start + DAYS_PER_READ]
            where, params = _where(chunk, None, None)
            yield chunk, [facts(h) for h in _read(conn, where, params)]


def officers(store: Store) -> list[str]:
    """Return the usernames of people who may work at a counter, and of any seen in history."""
    with store.read():
        people = [name for (name,) in store.conn.execute(
            "SELECT username FROM users WHERE role IN ('staff', 'manager', 'admin')")]
        seen = [name for (name,) in store.conn.execute(
            "SELECT DISTINCT officer FROM tickets WHERE officer IS NOT NULL")]
    return sorted(set(people) | set(seen))


def officer_known(store: Store, name: str) -> bool:
    """Tell whether `name` is a person, or an officer found in the history."""
    with store.read():
        conn = store.conn
        return bool(conn.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone()
                    or conn.execute("SELECT 1 FROM tickets WHERE officer = ? LIMIT 1",
                                    [name]).fetchone())


def _marks(store: Store) -> tuple[int, int, str]:
    """Return the high-water marks of transitions and ratings, and the first day kept."""
    conn = store.conn
    transitions = conn.execute("SELECT MAX(id) FROM transitions").fetchone()[0] or 0
    ratings = conn.execute("SELECT MAX(rowid) FROM ratings").fetchone()[0] or 0
    first_day = conn.execute("SELECT MIN(day) FROM tickets").fetchone()[0] or ""
    return int(transitions), int(ratings), str(first_day)


class DayCache:
    """Counted days of statistics, kept while their tickets do not change.

    >>> cache = DayCache(max_days=1200)
    >>> # tallies = cache.tallies(store, days, filters, target_wait_s=900, now=now, today=today)
    """

    def __init__(self, max_days: int = 1200) -> None:
        self.max_days = max_days
        self._days: OrderedDict[tuple[str, Filters, float], Tallies] = OrderedDict()
        self._marks: tuple[int, int, str] | None = None
        self._lock = threading.Lock()
        self._warming = threading.Lock()
        self.loads = 0

    def _invalidate(self, store: Store) -> None:
        """Forget the days whose tickets changed since the last look."""
        with store.read():
            marks = _marks(store)
            if self._marks is None or marks == self._marks:
                self._marks = marks
                return
            old_transitions, old_ratings, old_first_day = self._marks
            if marks[0] < old_transitions or marks[1] < old_ratings or marks[2] != old_first_day:
                changed = None  # old days purged, another database, rows gone: start again
            else:
                changed = {day for (day,) in store.conn.execute(
                    "SELECT DISTINCT tickets.day FROM transitions JOIN tickets"
                    " ON tickets.id = transitions.ticket_id WHERE transitions.id > ?",
                    [old_transitions])}
                changed |= {day for (day,) in store.conn.execute(
                    "SELECT DISTINCT tickets.day FROM ratings JOIN tickets"
                    " ON tickets.id = ratings.ticket_id WHERE ratings.rowid > ?", [old_ratings])}
        if changed is None:
            self._days.clear()
        else:
            for key in [key for key in self._days if key[0] in changed]:
                del self._days[key]
        self._marks = marks

    def tallies(self, store: Store, days: Sequence[str], filters: Filters, *,
                target_wait_s: float, now: datetime, today: str,
                warming: bool = False) -> list[Tallies]:
        """Return one Tallies per day, counting only the days not already known.

        Days from `today` on are always counted afresh: their waiting tickets age with `now`.
        Counting runs outside the lock, so a long count never holds up a short request; a
        request for past days the warm-up is counting waits for it instead of counting twice.
        """
        if not warming and not filters and days and min(days) < today and self._warming.locked():
            with self._warming:
                pass
        with self._lock:
            self._invalidate(store)
            marks = self._marks
            found: dict[str, Tallies] = {}
            missing = []
            for day in days:
                key = (day, filters, target_wait_s)
                cached = self._days.get(key)
                if cached is not None and day < today:
                    self._days.move_to_end(key)
                    found[day] = cached
                else:
                    missing.append(day)
            if missing:
                self.loads += 1
        counted: dict[str, Tallies] = {}
        for chunk, facts in facts_by_month(store, missing):
            fresh = stats.tally_days(stats.select(facts, filters), target_wait_s=target_wait_s,
                                     now=now)
            counted.update({day: fresh.get(day) or Tallies() for day in chunk})
        found.update(counted)
        # Only now, with the store's lock released by the finished reader, take the cache's
        # lock: holding both in the other order than `_invalidate` would deadlock.
        with self._lock:
            # Keep them only if nothing changed since: a change seen meanwhile by another
            # request has already moved the marks past it, and would never forget them.
            if self._marks == marks:
                for day, tallies in counted.items():
                    if day < today:
                        self._days[(day, filters, target_wait_s)] = tallies
                while len(self._days) > self.max_days:
                    self._days.popitem(last=False)
        return [found[day] for day in days]

    def warm(self, store: Store, days: Sequence[str], *, target_wait_s: float, now: datetime,
             today: str) -> bool:
        """Count the past `days` for the unfiltered view, unless a warm-up already runs."""
        if not self._warming.acquire(blocking=False):
            return False
        try:
            self.tallies(store, [day for day in days if day < today], Filters(),
                         target_wait_s=target_wait_s, now=now, today=today, warming=True)
        finally:
            self._warming.release()
        return True


__all__ = ["DayCache", "facts_by_month", "load", "load_facts", "officer_known", "officers",
           "snapshot"]
