"""The SQL of counted days: which (center, day) changed, its tickets, and its counted row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.types.json import Json

from .ingest import NOTIFY_CHANNEL

# The session advisory lock held by the one hub process that counts.
COUNTING_LOCK = 7_340_002

# Only these steps are read by the statistics (see queue_core.stats.figures.STEP_ACTIONS).
TICKET_COLUMNS = ("ticket_id, label, day, series, service, state, issued_at, priority, channel,"
                  " counter, officer, called_at, finished_at, recalls, utc_offset_min")


def dirty(conn: psycopg.Connection[Any], limit: int) -> list[tuple[int, date, int]]:
    """Return up to `limit` (center id, day, mark) to count again, oldest change first."""
    return [(int(c), d, int(m)) for c, d, m in conn.execute(
        "SELECT center_id, day, mark FROM dirty_days ORDER BY mark LIMIT %s", [limit])]


def mark(conn: psycopg.Connection[Any], center_id: int, day: date) -> int | None:
    row = conn.execute("SELECT mark FROM dirty_days WHERE center_id = %s AND day = %s",
                       [center_id, day]).fetchone()
    return int(row[0]) if row else None


def clear(conn: psycopg.Connection[Any], center_id: int, day: date, seen_mark: int) -> None:
    """Forget the mark, unless a batch marked the day again since it was read."""
    conn.execute("DELETE FROM dirty_days WHERE center_id = %s AND day = %s AND mark = %s",
                 [center_id, day, seen_mark])


def center_clock(conn: psycopg.Connection[Any], center_id: int) -> tuple[dict[str, Any], float]:
    """Return the center's profile and its clock's offset from the hub's, in seconds."""
    row = conn.execute("SELECT profile, clock_offset_s FROM centers WHERE id = %s",
                       [center_id]).fetchone()
    if row is None:
        return {}, 0.0
    return dict(row[0] or {}), float(row[1] or 0.0)


def tickets(conn: psycopg.Connection[Any], center_id: int, day: date) -> list[tuple[Any, ...]]:
    return conn.execute(
        f"SELECT {TICKET_COLUMNS} FROM tickets WHERE center_id = %s AND day = %s"
        " ORDER BY issued_at, ticket_id", [center_id, day]).fetchall()


def steps(conn: psycopg.Connection[Any], center_id: int, day: date, *,
          history_actions: Sequence[str], step_actions: Sequence[str],
          ) -> list[tuple[str, str, datetime, str, str, int | None]]:
    """Return the counted steps of the day's tickets that have a step in `history_actions`."""
    return conn.execute(
        "SELECT ticket_id, action, at, actor, service, counter FROM steps"
        " WHERE center_id = %(center)s AND day = %(day)s AND action = ANY(%(steps)s)"
        " AND ticket_id IN (SELECT ticket_id FROM steps WHERE center_id = %(center)s"
        "   AND day = %(day)s AND action = ANY(%(history)s))"
        " ORDER BY stream_id, seq",
        {"center": center_id, "day": day, "steps": list(step_actions),
         "history": list(history_actions)}).fetchall()


def ratings(conn: psycopg.Connection[Any], center_id: int, day: date,
            ) -> dict[str, tuple[str, datetime]]:
    return {ticket: (level, at) for ticket, level, at in conn.execute(
        "SELECT ticket_id, level, at FROM ratings WHERE center_id = %s AND day = %s",
        [center_id, day])}


DAY_FIGURES = ("issued", "served", "no_show", "cancelled", "expired", "waiting", "in_service",
               "priority", "transfers", "met", "judged", "very_satisfied", "satisfied",
               "neutral", "unsatisfied", "wait_count", "wait_sum", "wait_median_s",
               "wait_p90_s", "service_count", "service_sum", "waits", "oldest_waiting_since")


def save(conn: psycopg.Connection[Any], center_id: int, day: date, figures: dict[str, Any],
         tallies_json: str, counted_at: datetime) -> None:
    """Write the counted day (its figures and its tallies)."""
    columns = ", ".join(DAY_FIGURES)
    marks = ", ".join(f"%({name})s" for name in DAY_FIGURES)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in (*DAY_FIGURES, "tallies",
                                                                 "counted_at"))
    conn.execute(
        f"INSERT INTO center_days (center_id, day, {columns}, tallies, counted_at)"
        f" VALUES (%(center)s, %(day)s, {marks}, %(tallies)s, %(counted_at)s)"
        f" ON CONFLICT (center_id, day) DO UPDATE SET {updates}",
        {**figures, "center": center_id, "day": day, "tallies": Json(tallies_json, dumps=str),
         "counted_at": counted_at})


def delete(conn: psycopg.Connection[Any], center_id: int, day: date) -> None:
    conn.execute("DELETE FROM center_days WHERE center_id = %s AND day = %s", [center_id, day])


def mark_open_days(conn: psycopg.Connection[Any], *, older_than: datetime, since: date) -> int:
    """Mark again the recent days with tickets still waiting or called: they age with time."""
    cursor = conn.execute(
        "INSERT INTO dirty_days (center_id, day, mark)"
        " SELECT center_id, day, nextval('dirty_marks') FROM center_days"
        " WHERE (waiting > 0 OR in_service > 0) AND counted_at < %s AND day >= %s"
        " ON CONFLICT (center_id, day) DO NOTHING", [older_than, since])
    return cursor.rowcount


def lead_counting(conn: psycopg.Connection[Any]) -> bool:
    """Take the counting lock for this session and listen for marked days.

    False when another process holds the lock (it counts; this one stands by). The
    connection must be in autocommit, so that notifications arrive as they are sent.
    """
    locked = conn.execute("SELECT pg_try_advisory_lock(%s)", [COUNTING_LOCK]).fetchone()
    if not locked or not locked[0]:
        return False
    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
    return True


__all__ = ["COUNTING_LOCK", "DAY_FIGURES", "center_clock", "clear", "delete", "dirty",
           "lead_counting", "mark", "mark_open_days", "ratings", "save", "steps", "tickets"]
