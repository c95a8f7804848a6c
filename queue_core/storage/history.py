"""Read-only queries behind the statistics, on a snapshot connection (see `Store.snapshot`).

Rows come back as plain tuples; `queue_core.stats.reader` turns them into its values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from queue_core.storage.rows import Rows

# Ticket columns, in this order, then the rating's level, time and comment, then the dossier.
TICKET_HISTORY = ("SELECT t.id, t.label, t.day, t.series, t.service, t.state, t.issued_at,"
                  " t.priority, t.channel, t.counter, t.officer, t.called_at, t.finished_at,"
                  " t.recalls, r.level, r.at, r.comment, t.dossier, t.procedure FROM tickets t"
                  " LEFT JOIN ratings r ON r.ticket_id = t.id")
# SQLite allows 999 bound parameters in old builds; stay well below.
IDS_PER_QUERY = 500


def _where(days: Sequence[str] | None, date_from: str | None, date_to: str | None,
           ) -> tuple[str, list[Any]]:
    if days is not None:
        return f"t.day IN ({', '.join('?' for _ in days)})", list(days)
    return "t.day BETWEEN ? AND ?", [date_from, date_to]


def _quoted(actions: Sequence[str]) -> str:
    return ", ".join(repr(str(action)) for action in actions)


def ticket_histories(conn: sqlite3.Connection, *, step_actions: Sequence[str],
                     history_actions: Sequence[str], days: Sequence[str] | None = None,
                     date_from: str | None = None, date_to: str | None = None,
                     ) -> tuple[list[tuple[Any, ...]], dict[str, list[tuple[Any, ...]]]]:
    """Return the tickets of some days (with their rating) and the steps of the multi-step ones.

    Steps (action, at, actor, service, counter) in `step_actions` are read only for tickets
    that have a step in `history_actions`, found through the ticket index, so the cost
    follows the days read, not the days since.
    """
    where, params = _where(days, date_from, date_to)
    rows = conn.execute(f"{TICKET_HISTORY} WHERE {where} ORDER BY t.issued_at, t.id",
                        params).fetchall()
    multi_step = {ticket_id for (ticket_id,) in conn.execute(
        f"SELECT ticket_id FROM transitions WHERE action IN ({_quoted(history_actions)})"
        f" AND ticket_id IN (SELECT t.id FROM tickets t WHERE {where})", params)}
    wanted = [row[0] for row in rows if row[0] in multi_step]
    steps: dict[str, list[tuple[Any, ...]]] = {}
    for start in range(0, len(wanted), IDS_PER_QUERY):
        chunk = wanted[start:start + IDS_PER_QUERY]
        for ticket_id, action, at, actor, service, counter in conn.execute(
                "SELECT ticket_id, action, at, actor, service, counter FROM transitions"
                f" WHERE ticket_id IN ({', '.join('?' for _ in chunk)})"
                f" AND action IN ({_quoted(step_actions)}) ORDER BY id", chunk):
            steps.setdefault(ticket_id, []).append((action, at, actor, service, counter))
    return rows, steps


class HistoryRows(Rows):
    """What tells the statistics cache that counted days changed."""

    def change_marks(self) -> tuple[int, int, str]:
        """Return the high-water marks of transitions and ratings, and the first day kept."""
        transitions = self.conn.execute("SELECT MAX(id) FROM transitions").fetchone()[0] or 0
        ratings = self.conn.execute("SELECT MAX(rowid) FROM ratings").fetchone()[0] or 0
        first_day = self.conn.execute("SELECT MIN(day) FROM tickets").fetchone()[0] or ""
        return int(transitions), int(ratings), str(first_day)

    def days_changed_since(self, transitions: int, ratings: int) -> set[str]:
        """Return the days of tickets with a transition or rating newer than the marks."""
        changed = {day for (day,) in self.conn.execute(
            "SELECT DISTINCT tickets.day FROM transitions JOIN tickets"
            " ON tickets.id = transitions.ticket_id WHERE transitions.id > ?", [transitions])}
        changed |= {day for (day,) in self.conn.execute(
            "SELECT DISTINCT tickets.day FROM ratings JOIN tickets"
            " ON tickets.id = ratings.ticket_id WHERE ratings.rowid > ?", [ratings])}
        return changed
