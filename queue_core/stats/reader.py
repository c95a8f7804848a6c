"""Read tickets' histories out of the store, as the plain values `figures.py` works on.

Every read sees one consistent snapshot, on a connection of its own for a database file
(see `Store.snapshot`), so reading a year never holds up the queue. A past day's counted
tallies (unfiltered) are stored in the database (`summary.py`, table `day_summaries`), so
after a restart a year of statistics is read from a year of summaries, not from 100,000
tickets; the database itself marks a day's summary out of date when one of its tickets
changes. `DayCache` also keeps counted days in memory (filtered views too), and finds the
days whose tickets changed since by the store's high-water marks (every change to a ticket
adds a transition, every rating a row, and a retention purge moves the first day kept).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from queue_core.domain.clock import parse_time
from queue_core.stats import figures as stats
from queue_core.stats import summary
from queue_core.stats.figures import (
    Facts,
    Filters,
    RatingRow,
    StepRow,
    Tallies,
    TicketHistory,
    TicketRow,
)
from queue_core.storage import Store
from queue_core.storage import history as storage_history
from queue_core.storage import summaries as storage_summaries
from queue_core.storage.summaries import CountedDay

DAYS_PER_READ = 31


def _read(conn: Any, *, days: Sequence[str] | None = None, date_from: str | None = None,
          date_to: str | None = None) -> list[TicketHistory]:
    rows, steps = storage_history.ticket_histories(
        conn, step_actions=stats.STEP_ACTIONS, history_actions=stats.HISTORY_ACTIONS, days=days,
        date_from=date_from, date_to=date_to)
    histories = []
    for (ticket_id, label, day, series, service, state, issued_at, priority, channel, counter,
         officer, called_at, finished_at, recalls, level, rated_at, comment, dossier,
         procedure) in rows:
        row = TicketRow(ticket_id, label, day, series, service, state, parse_time(issued_at),
                        priority, channel, counter, officer, parse_time(called_at),
                        parse_time(finished_at), recalls or 0, dossier, procedure)
        rating = RatingRow(level, parse_time(rated_at), comment) if level else None
        ticket_steps = tuple(StepRow(action, parse_time(at), actor, step_service, step_counter)
                             for action, at, actor, step_service, step_counter
                             in steps.get(ticket_id, ()))
        histories.append(TicketHistory(row, ticket_steps, rating))
    return histories


def load(store: Store, date_from: str | None = None, date_to: str | None = None, *,
         days: Sequence[str] | None = None) -> list[TicketHistory]:
    """Return the histories of the tickets issued from `date_from` to `date_to` (or on `days`).

    Tickets called at most once come without steps (their row tells everything, see
    `stats.TicketHistory`); the others with every step statistics read, in order.
    """
    with store.snapshot() as conn:
        return _read(conn, days=days, date_from=date_from, date_to=date_to)


def load_facts(store: Store, date_from: str | None = None, date_to: str | None = None, *,
               days: Sequence[str] | None = None) -> list[Facts]:
    """Return the facts of the tickets issued in a range of days (or on `days`)."""
    facts = stats.ticket_facts
    return [facts(h) for h in load(store, date_from, date_to, days=days)]


@contextmanager
def history_of(days: Iterable[Any]) -> Iterator[Callable[[Sequence[str]], list[Facts]]]:
    """Write simulated days (`simulate.SimulatedDay`) to a store in memory and yield a
    `load(days)` reading their facts back, as from a center's own database."""
    store = Store.open(":memory:")
    try:
        for day in days:
            with store.write():
                store.insert_history(day.tickets, day.transitions, day.ratings)
        yield lambda wanted: load_facts(store, days=wanted)
    finally:
        store.close()


def facts_by_month(store: Store, days: Sequence[str],
                   ) -> Iterator[tuple[Sequence[str], list[Facts]]]:
    """Yield some of `days` and the facts of their tickets, a month of days at a time.

    All of it is read from one snapshot, and a year never sits in memory at once.
    """
    if not days:
        return
    facts = stats.ticket_facts
    with store.snapshot() as conn:
        for start in range(0, len(days), DAYS_PER_READ):
            chunk = days[start:start + DAYS_PER_READ]
            yield chunk, [facts(h) for h in _read(conn, days=chunk)]


def stored_days(store: Store, days: Sequence[str], *,
                target_wait_s: float) -> dict[str, stats.Tallies]:
    """Return the unfiltered tallies of those `days` whose stored summary is still good."""
    if not days:
        return {}
    with store.snapshot() as conn:
        rows = storage_summaries.stored_summaries(conn, days, version=summary.VERSION,
                                                  target_wait_s=target_wait_s)
    return {day: summary.decode(day, row.figures, row.durations) for day, row in rows.items()}


def count_days(store: Store, days: Sequence[str], filters: Filters, *, target_wait_s: float,
               now: datetime, keep_before: str | None = None) -> dict[str, Tallies]:
    """Count `days` from their tickets, a month at a time; return one Tallies per day.

    With `keep_before` (unfiltered only), the summary of each counted day before it whose
    tickets are all settled (none still waiting: their wait grows with `now`) is stored,
    unless the day changed since it was counted.
    """
    keeping = keep_before is not None and not filters
    changes: dict[str, int] = {}
    if keeping and days:
        # Read before the tickets: a change in between makes the summary look stale, and
        # it is not stored; never the other way round.
        with store.snapshot() as conn:
            changes = storage_summaries.day_changes(conn, days)
    counted: dict[str, Tallies] = {}
    keep: list[CountedDay] = []
    for chunk, facts in facts_by_month(store, days):
        fresh = stats.tally_days(stats.select(facts, filters), target_wait_s=target_wait_s,
                                 now=now)
        for day in chunk:
            tallies = counted[day] = fresh.get(day) or Tallies()
            if (keeping and keep_before is not None and day < keep_before and day in fresh
                    and not tallies.total.waiting):
                figures, durations = summary.encode(tallies)
                keep.append(CountedDay(day, changes[day], tallies.total.issued, figures,
                                       durations))
    for start in range(0, len(keep), DAYS_PER_READ):
        # A month per transaction: the counters' writes never wait long behind it.
        with store.write():
            store.store_summaries(keep[start:start + DAYS_PER_READ], version=summary.VERSION,
                                  target_wait_s=target_wait_s)
    return counted


def officers(store: Store) -> list[str]:
    """Return the usernames of people who may work at a counter, and of any seen in history."""
    with store.read():
        return store.officer_names()


def officer_known(store: Store, name: str) -> bool:
    """Tell whether `name` is a person, or an officer found in the history."""
    with store.read():
        return store.officer_known(name)


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
        # Requests that found some day missing in memory, and days counted from tickets.
        self.loads = 0
        self.days_counted = 0

    def _invalidate(self, store: Store) -> None:
        """Forget the days whose tickets changed since the last look."""
        with store.read():
            marks = store.change_marks()
            if self._marks is None or marks == self._marks:
                self._marks = marks
                return
            old_transitions, old_ratings, old_first_day = self._marks
            if marks[0] < old_transitions or marks[1] < old_ratings or marks[2] != old_first_day:
                changed = None  # old days purged, another database, rows gone: start again
            else:
                changed = store.days_changed_since(old_transitions, old_ratings)
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
        if missing and not filters:
            counted.update(stored_days(store, [day for day in missing if day < today],
                                       target_wait_s=target_wait_s))
            missing = [day for day in missing if day not in counted]
        counted.update(count_days(store, missing, filters, target_wait_s=target_wait_s, now=now,
                                  keep_before=today))
        found.update(counted)
        # Only now, with the store's lock released by the finished reader, take the cache's
        # lock: holding both in the other order than `_invalidate` would deadlock.
        with self._lock:
            self.days_counted += len(missing)
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
        """Store the summaries of the past `days` not yet summarised, unless a warm-up runs.

        The catch-up after a start (or an upgrade): days are counted a month at a time and
        only stored, not kept in memory, so an idle box does not carry a year of durations.
        """
        if not self._warming.acquire(blocking=False):
            return False
        try:
            past = [day for day in days if day < today]
            with store.snapshot() as conn:
                done = storage_summaries.summarised_days(conn, past, version=summary.VERSION,
                                                         target_wait_s=target_wait_s)
            missing = [day for day in past if day not in done]
            for start in range(0, len(missing), DAYS_PER_READ):
                count_days(store, missing[start:start + DAYS_PER_READ], Filters(),
                           target_wait_s=target_wait_s, now=now, keep_before=today)
            with self._lock:
                self.days_counted += len(missing)
        finally:
            self._warming.release()
        return True


__all__ = ["DayCache", "count_days", "facts_by_month", "load", "load_facts", "officer_known",
           "officers", "stored_days"]
