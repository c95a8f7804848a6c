"""The hub's schema: named, ordered migrations, each applied once; monthly partitions.

What keeps the hub flat as history grows:

- `events`, `tickets`, `steps` and `ratings` are partitioned by month of the ticket's
  business day (declarative RANGE partitioning). Ingest writes into the current month's
  partitions, whose indexes stay small and in memory; rebuilding a center's day reads one
  partition through `(center_id, day, …)` keys; old months can be dropped whole.
- The dashboard reads only `center_days`: one row per center and day, counted at ingest
  time by the box's own statistics (a few hundred rows a month per center, keyed by
  `(center_id, day)` with an index on `day`), never the events.
- Each (stream, seq) is applied once: the stream's row (`streams.applied_seq`) is the
  high-water mark, taken under a row lock; the primary keys (stream_id, seq, day) of
  `events` and `steps` hold the same rule in the table (a resent event carries the same
  day, so it lands on the same key).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import psycopg

PARTITIONED = ("events", "tickets", "steps", "ratings")
# One lock for schema changes, whichever process makes them.
SCHEMA_LOCK = 7_340_001


def create_centers_and_accounts(conn: psycopg.Connection[Any]) -> None:
    conn.execute("""
        CREATE TABLE centers (
            id serial PRIMARY KEY,
            code text NOT NULL UNIQUE,
            name text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            profile jsonb NOT NULL DEFAULT '{}',
            last_seen timestamptz,
            last_event_at timestamptz,
            last_event_received_at timestamptz,
            clock_offset_s double precision,
            lost_events bigint NOT NULL DEFAULT 0,
            rejected_events bigint NOT NULL DEFAULT 0
        )""")
    conn.execute("""
        CREATE TABLE streams (
            id serial PRIMARY KEY,
            center_id int NOT NULL REFERENCES centers (id),
            stream text NOT NULL,
            applied_seq bigint NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (center_id, stream)
        )""")
    conn.execute("""
        CREATE TABLE tokens (
            id serial PRIMARY KEY,
            name text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('center', 'viewer')),
            center_id int REFERENCES centers (id),
            token_hash text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            last_used_at timestamptz,
            revoked_at timestamptz,
            CHECK (kind = 'viewer' OR center_id IS NOT NULL)
        )""")
    conn.execute("""
        CREATE TABLE users (
            username text PRIMARY KEY,
            password_hash text NOT NULL,
            center_id int REFERENCES centers (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            disabled_at timestamptz
        )""")
    conn.execute("""
        CREATE TABLE login_failures (
            username text NOT NULL,
            address text NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        )""")
    conn.execute("CREATE INDEX login_failures_at ON login_failures (username, at)")
    conn.execute("CREATE TABLE hub_secrets (name text PRIMARY KEY, value text NOT NULL)")
    # Signs session cookies: made once, shared by every hub process on this database.
    conn.execute("INSERT INTO hub_secrets VALUES ('session_key', %s)", [secrets.token_hex(32)])


def create_event_tables(conn: psycopg.Connection[Any]) -> None:
    conn.execute("""
        CREATE TABLE events (
            stream_id int NOT NULL,
            seq bigint NOT NULL,
            day date NOT NULL,
            center_id int NOT NULL,
            event text NOT NULL,
            at timestamptz NOT NULL,
            received_at timestamptz NOT NULL,
            data jsonb NOT NULL,
            PRIMARY KEY (stream_id, seq, day)
        ) PARTITION BY RANGE (day)""")
    conn.execute("""
        CREATE TABLE tickets (
            center_id int NOT NULL,
            day date NOT NULL,
            ticket_id text NOT NULL,
            label text NOT NULL,
            series text NOT NULL,
            service text NOT NULL,
            state text NOT NULL,
            priority text,
            channel text,
            counter int,
            officer text,
            issued_at timestamptz NOT NULL,
            called_at timestamptz,
            finished_at timestamptz,
            recalls int NOT NULL DEFAULT 0,
            utc_offset_min smallint NOT NULL,
            PRIMARY KEY (center_id, day, ticket_id)
        ) PARTITION BY RANGE (day)""")
    conn.execute("""
        CREATE TABLE steps (
            stream_id int NOT NULL,
            seq bigint NOT NULL,
            day date NOT NULL,
            center_id int NOT NULL,
            ticket_id text NOT NULL,
            action text NOT NULL,
            at timestamptz NOT NULL,
            actor text NOT NULL,
            service text NOT NULL,
            counter int,
            PRIMARY KEY (stream_id, seq, day)
        ) PARTITION BY RANGE (day)""")
    conn.execute("CREATE INDEX steps_ticket ON steps (center_id, day, ticket_id)")
    conn.execute("""
        CREATE TABLE ratings (
            center_id int NOT NULL,
            day date NOT NULL,
            ticket_id text NOT NULL,
            level text NOT NULL,
            at timestamptz NOT NULL,
            PRIMARY KEY (center_id, day, ticket_id)
        ) PARTITION BY RANGE (day)""")
    conn.execute("""
        CREATE TABLE rejected_events (
            id bigserial PRIMARY KEY,
            center_id int NOT NULL REFERENCES centers (id),
            stream_id int REFERENCES streams (id),
            seq bigint,
            received_at timestamptz NOT NULL,
            field text NOT NULL,
            reason text NOT NULL,
            raw jsonb
        )""")
    conn.execute("CREATE INDEX rejected_events_center ON rejected_events (center_id, id)")


def create_center_days(conn: psycopg.Connection[Any]) -> None:
    conn.execute("""
        CREATE TABLE center_days (
            center_id int NOT NULL REFERENCES centers (id),
            day date NOT NULL,
            issued int NOT NULL,
            served int NOT NULL,
            no_show int NOT NULL,
            cancelled int NOT NULL,
            expired int NOT NULL,
            waiting int NOT NULL,
            in_service int NOT NULL,
            priority int NOT NULL,
            transfers int NOT NULL,
            met int NOT NULL,
            judged int NOT NULL,
            very_satisfied int NOT NULL,
            satisfied int NOT NULL,
            neutral int NOT NULL,
            unsatisfied int NOT NULL,
            wait_count int NOT NULL,
            wait_sum double precision NOT NULL,
            wait_median_s double precision,
            wait_p90_s double precision,
            service_count int NOT NULL,
            service_sum double precision NOT NULL,
            waits double precision[] NOT NULL,
            oldest_waiting_since timestamptz,
            tallies json NOT NULL,
            counted_at timestamptz NOT NULL,
            PRIMARY KEY (center_id, day)
        )""")
    conn.execute("CREATE INDEX center_days_day ON center_days (day)")
    conn.execute("CREATE SEQUENCE dirty_marks")
    conn.execute("""
        CREATE TABLE dirty_days (
            center_id int NOT NULL,
            day date NOT NULL,
            mark bigint NOT NULL,
            PRIMARY KEY (center_id, day)
        )""")
    conn.execute("CREATE INDEX dirty_days_mark ON dirty_days (mark)")


MIGRATIONS: Sequence[tuple[str, Callable[[psycopg.Connection[Any]], None]]] = (
    ("0001_create_centers_and_accounts", create_centers_and_accounts),
    ("0002_create_event_tables", create_event_tables),
    ("0003_create_center_days", create_center_days),
)


def migrate(conn: psycopg.Connection[Any],
            migrations: Sequence[tuple[str, Callable[[psycopg.Connection[Any]], None]]]
            = MIGRATIONS) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names."""
    done: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
        conn.execute("CREATE TABLE IF NOT EXISTS hub_migrations"
                     " (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        applied = {name for (name,) in conn.execute("SELECT name FROM hub_migrations")}
        for name, step in migrations:
            if name in applied:
                continue
            with conn.transaction():
                step(conn)
                conn.execute("INSERT INTO hub_migrations (name) VALUES (%s)", [name])
            done.append(name)
    return done


# --- monthly partitions ----------------------------------------------------------------------

def month_of(day: str | date) -> date:
    moment = date.fromisoformat(day) if isinstance(day, str) else day
    return moment.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_months(conn: psycopg.Connection[Any]) -> set[date]:
    """Return the months that have their partitions (of every partitioned table)."""
    rows = conn.execute(
        "SELECT parent.relname, child.relname FROM pg_inherits"
        " JOIN pg_class parent ON parent.oid = pg_inherits.inhparent"
        " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
        " WHERE parent.relname = ANY(%s)", [list(PARTITIONED)]).fetchall()
    found: dict[date, set[str]] = {}
    for parent, child in rows:
        suffix = child[len(parent) + 1:]
        try:
            month = date(int(suffix[:4]), int(suffix[5:7]), 1)
        except ValueError:
            continue
        found.setdefault(month, set()).add(parent)
    return {month for month, parents in found.items() if parents == set(PARTITIONED)}


def create_partitions(conn: psycopg.Connection[Any], months: set[date]) -> None:
    """Create the partitions of `months` that do not exist yet (in the caller's transaction)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
    for month in sorted(months):
        start, end = month, next_month(month)
        for table in PARTITIONED:
            name = f"{table}_{month:%Y_%m}"
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table}"  # noqa: S608
                f" FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")


__all__ = ["MIGRATIONS", "PARTITIONED", "create_partitions", "migrate", "month_of",
           "next_month", "partition_months"]
