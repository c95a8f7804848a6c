"""The SQL of ingest: lock a center's stream, write a planned batch, mark its days dirty."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from ..protocol import Event, Profile
from ..sequencing import Plan

NOTIFY_CHANNEL = "hub_dirty"


def lock_stream(conn: psycopg.Connection[Any], center_id: int, stream: str) -> tuple[int, int]:
    """Lock the center (its batches apply one at a time) and return (stream id, applied seq)."""
    conn.execute("SELECT id FROM centers WHERE id = %s FOR UPDATE", [center_id])
    conn.execute("INSERT INTO streams (center_id, stream) VALUES (%s, %s)"
                 " ON CONFLICT (center_id, stream) DO NOTHING", [center_id, stream])
    row = conn.execute("SELECT id, applied_seq FROM streams WHERE center_id = %s AND stream = %s",
                       [center_id, stream]).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def write_plan(conn: psycopg.Connection[Any], *, center_id: int, stream_id: int, plan: Plan,
               received_at: datetime) -> None:
    """Write the applied events, the latest ticket rows, steps, ratings and rejections."""
    events = plan.apply
    with conn.cursor() as cur:
        if events:
            cur.executemany(
                "INSERT INTO events (stream_id, seq, day, center_id, event, at, received_at, data)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(stream_id, e.seq, e.day, center_id, e.name, e.at, received_at, Jsonb(e.raw))
                 for e in events])
        latest: dict[tuple[str, str], Event] = {}
        for e in events:
            if e.ticket is not None:
                latest[(e.ticket.day, e.ticket.id)] = e
        if latest:
            cur.executemany(
                "INSERT INTO tickets (center_id, day, ticket_id, label, series, service, state,"
                " priority, channel, counter, officer, issued_at, called_at, finished_at, recalls,"
                " utc_offset_min) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                " %s, %s, %s) ON CONFLICT (center_id, day, ticket_id) DO UPDATE SET"
                " label = EXCLUDED.label, series = EXCLUDED.series, service = EXCLUDED.service,"
                " state = EXCLUDED.state, priority = EXCLUDED.priority,"
                " channel = EXCLUDED.channel, counter = EXCLUDED.counter,"
                " officer = EXCLUDED.officer, issued_at = EXCLUDED.issued_at,"
                " called_at = EXCLUDED.called_at, finished_at = EXCLUDED.finished_at,"
                " recalls = EXCLUDED.recalls, utc_offset_min = EXCLUDED.utc_offset_min",
                [(center_id, t.day, t.id, t.label, t.series, t.service, t.state, t.priority,
                  t.channel, t.counter, t.officer, t.issued_at, t.called_at, t.finished_at,
                  t.recalls, _offset_minutes(t.issued_at))
                 for t in (e.ticket for e in latest.values()) if t is not None])
        steps = [e for e in events if e.step is not None and e.ticket is not None]
        if steps:
            cur.executemany(
                "INSERT INTO steps (stream_id, seq, day, center_id, ticket_id, action, at, actor,"
                " service, counter) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                [(stream_id, e.seq, e.day, center_id, e.ticket.id, e.step.action, e.step.at,
                  e.step.actor, e.step.service, e.step.counter)
                 for e in steps if e.ticket is not None and e.step is not None])
        ratings = [e.rating for e in events if e.rating is not None]
        if ratings:
            cur.executemany(
                "INSERT INTO ratings (center_id, day, ticket_id, level, at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(center_id, r.day, r.ticket, r.level, r.at) for r in ratings])
        if plan.rejected:
            cur.executemany(
                "INSERT INTO rejected_events (center_id, stream_id, seq, received_at, field,"
                " reason, raw) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(center_id, stream_id, r.seq, received_at, r.field, r.reason,
                  Jsonb(r.raw) if isinstance(r.raw, (dict, list)) else None)
                 for r in plan.rejected])
        days = sorted({(e.day) for e in events if e.ticket is not None or e.rating is not None})
        if days:
            cur.executemany(
                "INSERT INTO dirty_days (center_id, day, mark)"
                " VALUES (%s, %s, nextval('dirty_marks'))"
                " ON CONFLICT (center_id, day) DO UPDATE SET mark = EXCLUDED.mark",
                [(center_id, day) for day in days])
            conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    conn.execute("UPDATE streams SET applied_seq = %s WHERE id = %s",
                 [plan.applied_through, stream_id])


def record_contact(conn: psycopg.Connection[Any], *, center_id: int, received_at: datetime,
                   plan: Plan, clock_offset_s: float | None, profile: Profile | None) -> None:
    """Keep when the center was last heard of, its clock's offset and its profile."""
    newest = max(plan.apply, key=lambda e: e.seq) if plan.apply else None
    conn.execute(
        "UPDATE centers SET last_seen = %s,"
        " last_event_at = COALESCE(%s, last_event_at),"
        " last_event_received_at = CASE WHEN %s::timestamptz IS NULL"
        "   THEN last_event_received_at ELSE %s END,"
        " clock_offset_s = COALESCE(%s, clock_offset_s),"
        " lost_events = lost_events + %s, rejected_events = rejected_events + %s,"
        " profile = CASE WHEN %s::jsonb IS NULL THEN profile ELSE %s::jsonb END"
        " WHERE id = %s",
        [received_at, newest.at if newest else None, newest.at if newest else None, received_at,
         clock_offset_s, plan.lost, len(plan.rejected),
         Jsonb(profile.as_json()) if profile else None,
         Jsonb(profile.as_json()) if profile else None, center_id])


__all__ = ["NOTIFY_CHANNEL", "lock_stream", "record_contact", "write_plan"]
