"""Stored statistics summaries, one per past business day (`day_summaries`, migration 0007).

A row's `changes` is raised by triggers with every write to one of the day's tickets, its
transitions or its rating, inside the writer's transaction; the summary it holds is good
while `counted` (the changes the counting saw) is still equal to it. A summary is only
ever stored if the day did not change since the snapshot it was counted from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from queue_core.storage.rows import Rows

# SQLite allows 999 bound parameters in old builds; stay well below.
DAYS_PER_QUERY = 400


class StoredSummary(NamedTuple):
    """One day's counted figures as stored: the summary's text and its packed durations."""

    day: str
    tickets: int
    figures: str
    durations: bytes


class CountedDay(NamedTuple):
    """A summary to store, with the day's `changes` seen by the snapshot it was counted on."""

    day: str
    changes: int
    tickets: int
    figures: str
    durations: bytes


def _chunks(days: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(days), DAYS_PER_QUERY):
        yield days[start:start + DAYS_PER_QUERY]


def stored_summaries(conn: sqlite3.Connection, days: Sequence[str], *, version: int,
                     target_wait_s: float) -> dict[str, StoredSummary]:
    """Return the good summaries of `days` counted in format `version` with this target wait."""
    found: dict[str, StoredSummary] = {}
    for chunk in _chunks(days):
        marks = ", ".join("?" for _ in chunk)
        for day, tickets, figures, durations in conn.execute(
                "SELECT day, tickets, figures, durations FROM day_summaries"
                f" WHERE day IN ({marks}) AND counted = changes AND figures IS NOT NULL"
                " AND format = ? AND target_wait_s = ?", [*chunk, version, target_wait_s]):
            found[day] = StoredSummary(day, int(tickets), str(figures), bytes(durations))
    return found


def summarised_days(conn: sqlite3.Connection, days: Sequence[str], *, version: int,
                    target_wait_s: float) -> set[str]:
    """Return which of `days` have a good summary (without reading the summaries)."""
    found: set[str] = set()
    for chunk in _chunks(days):
        marks = ", ".join("?" for _ in chunk)
        found.update(day for (day,) in conn.execute(
            f"SELECT day FROM day_summaries WHERE day IN ({marks}) AND counted = changes"
            " AND figures IS NOT NULL AND format = ? AND target_wait_s = ?",
            [*chunk, version, target_wait_s]))
    return found


def day_changes(conn: sqlite3.Connection, days: Sequence[str]) -> dict[str, int]:
    """Return how many changes each of `days` has seen (0 for a day never written)."""
    changes = dict.fromkeys(days, 0)
    for chunk in _chunks(days):
        marks = ", ".join("?" for _ in chunk)
        for day, count in conn.execute(
                f"SELECT day, changes FROM day_summaries WHERE day IN ({marks})", list(chunk)):
            changes[day] = int(count)
    return changes


class SummaryRows(Rows):
    """Writing the days' summaries (reading them goes through a snapshot, see above)."""

    def store_summaries(self, counted: Iterable[CountedDay], *, version: int,
                        target_wait_s: float) -> int:
        """Store summaries whose day has not changed since they were counted; return how many."""
        stored = 0
        for day in counted:
            cursor = self.conn.execute(
                "INSERT INTO day_summaries (day, changes, counted, format, target_wait_s,"
                " tickets, figures, durations) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(day) DO UPDATE SET counted = excluded.counted,"
                " format = excluded.format, target_wait_s = excluded.target_wait_s,"
                " tickets = excluded.tickets, figures = excluded.figures,"
                " durations = excluded.durations WHERE day_summaries.changes = excluded.counted",
                [day.day, day.changes, day.changes, version, target_wait_s, day.tickets,
                 day.figures, day.durations])
            stored += cursor.rowcount
        return stored

    def summaries_kept(self) -> int:
        """Return how many good summaries are stored (any format or target)."""
        row = self.conn.execute("SELECT COUNT(*) FROM day_summaries"
                                " WHERE counted = changes AND figures IS NOT NULL").fetchone()
        return int(row[0])
