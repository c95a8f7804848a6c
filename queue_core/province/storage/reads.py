"""The SQL the dashboard reads: only `centers` and the counted days (`center_days`).

Every query here is keyed by `(center_id, day)` or by `day` (index `center_days_day`), so
its cost follows the centers and days asked for, never the events kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import psycopg

ZONE = "Asia/Ho_Chi_Minh"

SUMS = ("issued", "served", "no_show", "cancelled", "expired", "met", "judged",
        "very_satisfied", "satisfied", "neutral", "unsatisfied", "wait_count", "wait_sum",
        "priority", "transfers", "service_count", "service_sum")


def overview(conn: psycopg.Connection[Any], now: datetime,
             center: int | None) -> list[dict[str, Any]]:
    """Return every center (or one) with today's counted row, today by the center's clock."""
    cursor = conn.execute(
        "SELECT c.id, c.code, c.name, c.profile, c.last_seen, c.last_event_at,"
        " c.last_event_received_at, c.clock_offset_s, c.lost_events, c.rejected_events,"
        " d.day, d.issued, d.served, d.no_show, d.waiting, d.in_service, d.wait_median_s,"
        " d.wait_p90_s, d.met, d.judged, d.very_satisfied, d.satisfied, d.neutral,"
        " d.unsatisfied, d.oldest_waiting_since, d.counted_at"
        " FROM centers c LEFT JOIN center_days d ON d.center_id = c.id AND d.day ="
        f"  ((%(now)s + make_interval(secs => COALESCE(c.clock_offset_s, 0))) AT TIME ZONE '{ZONE}')::date"
        " WHERE %(center)s::int IS NULL OR c.id = %(center)s ORDER BY c.code",
        {"now": now, "center": center})
    names = [d.name for d in cursor.description or ()]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def center(conn: psycopg.Connection[Any], code: str) -> dict[str, Any] | None:
    cursor = conn.execute("SELECT id, code, name, profile, last_seen, clock_offset_s"
                          " FROM centers WHERE code = %s", [code])
    row = cursor.fetchone()
    names = [d.name for d in cursor.description or ()]
    return None if row is None else dict(zip(names, row))


def centers(conn: psycopg.Connection[Any], center_id: int | None) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT id, code, name, profile FROM centers"
                          " WHERE %(c)s::int IS NULL OR id = %(c)s ORDER BY code",
                          {"c": center_id})
    names = [d.name for d in cursor.description or ()]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def day_tallies(conn: psycopg.Connection[Any], center_ids: list[int], date_from: date,
                date_to: date) -> Iterator[tuple[int, date, Any]]:
    """Yield (center id, day, tallies JSON) of the centers' counted days in the range."""
    with conn.cursor(name="day_tallies") as cursor:
        cursor.itersize = 500
        cursor.execute("SELECT center_id, day, tallies FROM center_days"
                       " WHERE center_id = ANY(%s) AND day BETWEEN %s AND %s"
                       " ORDER BY center_id, day", [center_ids, date_from, date_to])
        yield from cursor


def sums(conn: psycopg.Connection[Any], date_from: date, date_to: date, *, group: str,
         center: int | None) -> list[dict[str, Any]]:
    """Return additive figures summed per center (`group="center"`) or per ISO week."""
    key = "center_id" if group == "center" else "date_trunc('week', day)::date"
    columns = ", ".join(f"sum({name}) AS {name}" for name in SUMS)
    cursor = conn.execute(
        f"SELECT {key} AS key, {columns}, count(*) AS days FROM center_days"
        " WHERE day BETWEEN %(from)s AND %(to)s AND (%(c)s::int IS NULL OR center_id = %(c)s)"
        " GROUP BY 1 ORDER BY 1", {"from": date_from, "to": date_to, "c": center})
    names = [d.name for d in cursor.description or ()]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def wait_quantiles(conn: psycopg.Connection[Any], date_from: date, date_to: date, *,
                   group: str | None, center: int | None) -> dict[Any, tuple[float, float]]:
    """Return the median and 90th percentile of waits per center, per week, or overall.

    `percentile_cont` interpolates between the closest ranks, as the box's statistics do.
    """
    key = {"center": "center_id", "week": "date_trunc('week', day)::date", None: "0"}[group]
    rows = conn.execute(
        f"SELECT {key} AS key, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY w)"
        " FROM center_days, unnest(waits) AS w"
        " WHERE day BETWEEN %(from)s AND %(to)s AND (%(c)s::int IS NULL OR center_id = %(c)s)"
        " GROUP BY 1", {"from": date_from, "to": date_to, "c": center}).fetchall()
    return {k: (q[0], q[1]) for k, q in rows}


def totals(conn: psycopg.Connection[Any], date_from: date, date_to: date,
           center: int | None) -> dict[str, Any]:
    columns = ", ".join(f"COALESCE(sum({name}), 0) AS {name}" for name in SUMS)
    cursor = conn.execute(
        f"SELECT {columns}, count(*) AS days FROM center_days"
        " WHERE day BETWEEN %(from)s AND %(to)s AND (%(c)s::int IS NULL OR center_id = %(c)s)",
        {"from": date_from, "to": date_to, "c": center})
    names = [d.name for d in cursor.description or ()]
    row = cursor.fetchone()
    return dict(zip(names, row or ()))


def rejected(conn: psycopg.Connection[Any], center_id: int, limit: int) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT seq, field, reason, received_at FROM rejected_events"
                          " WHERE center_id = %s ORDER BY id DESC LIMIT %s", [center_id, limit])
    names = [d.name for d in cursor.description or ()]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


__all__ = ["SUMS", "center", "centers", "day_tallies", "overview", "rejected", "sums", "totals",
           "wait_quantiles"]
