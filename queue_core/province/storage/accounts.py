"""The SQL of centers, tokens, people and failed logins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg


def insert_center(conn: psycopg.Connection[Any], code: str, name: str) -> int | None:
    """Add a center; None if the code is taken."""
    row = conn.execute("INSERT INTO centers (code, name) VALUES (%s, %s)"
                       " ON CONFLICT (code) DO NOTHING RETURNING id", [code, name]).fetchone()
    return int(row[0]) if row else None


def center_id(conn: psycopg.Connection[Any], code: str) -> int | None:
    row = conn.execute("SELECT id FROM centers WHERE code = %s", [code]).fetchone()
    return int(row[0]) if row else None


def centers(conn: psycopg.Connection[Any]) -> list[tuple[int, str, str]]:
    return [(int(i), c, n) for i, c, n in conn.execute(
        "SELECT id, code, name FROM centers ORDER BY code")]


def insert_token(conn: psycopg.Connection[Any], *, name: str, kind: str, center: int | None,
                 token_hash: str) -> int:
    row = conn.execute("INSERT INTO tokens (name, kind, center_id, token_hash)"
                       " VALUES (%s, %s, %s, %s) RETURNING id",
                       [name, kind, center, token_hash]).fetchone()
    assert row is not None
    return int(row[0])


def token_by_hash(conn: psycopg.Connection[Any], token_hash: str,
                  ) -> tuple[int, str, str, int | None, str | None] | None:
    """Return (id, name, kind, center id, center code) of a live token."""
    row = conn.execute(
        "SELECT t.id, t.name, t.kind, t.center_id, c.code FROM tokens t"
        " LEFT JOIN centers c ON c.id = t.center_id"
        " WHERE t.token_hash = %s AND t.revoked_at IS NULL", [token_hash]).fetchone()
    if row is None:
        return None
    return int(row[0]), row[1], row[2], row[3], row[4]


def touch_token(conn: psycopg.Connection[Any], token_id: int, now: datetime) -> None:
    # At most once a minute: a busy box must not rewrite its token's row on every batch.
    conn.execute("UPDATE tokens SET last_used_at = %s WHERE id = %s AND"
                 " (last_used_at IS NULL OR last_used_at < %s - interval '1 minute')",
                 [now, token_id, now])


def revoke_tokens(conn: psycopg.Connection[Any], *, now: datetime, name: str | None = None,
                  token_id: int | None = None, center: int | None = None,
                  kind: str | None = None) -> int:
    """Revoke the live tokens that match every criterion given; return how many."""
    where: list[str] = ["revoked_at IS NULL"]
    params: list[object] = [now]
    for column, value in (("name", name), ("id", token_id), ("center_id", center),
                          ("kind", kind)):
        if value is not None:
            where.append(f"{column} = %s")
            params.append(value)
    cursor = conn.execute(f"UPDATE tokens SET revoked_at = %s WHERE {' AND '.join(where)}",
                          params)
    return cursor.rowcount


def tokens(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT t.id, t.name, t.kind, c.code, t.created_at, t.last_used_at, t.revoked_at"
        " FROM tokens t LEFT JOIN centers c ON c.id = t.center_id ORDER BY t.id").fetchall()
    keys = ("id", "name", "kind", "center", "created_at", "last_used_at", "revoked_at")
    return [dict(zip(keys, row)) for row in rows]


def insert_user(conn: psycopg.Connection[Any], username: str, password_hash: str,
                center: int | None) -> bool:
    row = conn.execute("INSERT INTO users (username, password_hash, center_id)"
                       " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING username",
                       [username, password_hash, center]).fetchone()
    return row is not None


def user(conn: psycopg.Connection[Any], username: str,
         ) -> tuple[str, str, int | None, str | None] | None:
    """Return (username, password hash, center id, center code) of an enabled person."""
    row = conn.execute(
        "SELECT u.username, u.password_hash, u.center_id, c.code FROM users u"
        " LEFT JOIN centers c ON c.id = u.center_id"
        " WHERE u.username = %s AND u.disabled_at IS NULL", [username]).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def disable_user(conn: psycopg.Connection[Any], username: str, now: datetime) -> bool:
    cursor = conn.execute("UPDATE users SET disabled_at = %s WHERE username = %s"
                          " AND disabled_at IS NULL", [now, username])
    return cursor.rowcount > 0


def count_failures(conn: psycopg.Connection[Any], username: str, address: str,
                   since: datetime) -> int:
    row = conn.execute("SELECT count(*) FROM login_failures WHERE username = %s"
                       " AND address = %s AND at > %s", [username, address, since]).fetchone()
    return int(row[0]) if row else 0


def add_failure(conn: psycopg.Connection[Any], username: str, address: str,
                now: datetime) -> None:
    conn.execute("INSERT INTO login_failures (username, address, at) VALUES (%s, %s, %s)",
                 [username, address, now])
    conn.execute("DELETE FROM login_failures WHERE at < %s - interval '1 day'", [now])


def session_key(conn: psycopg.Connection[Any]) -> str:
    row = conn.execute("SELECT value FROM hub_secrets WHERE name = 'session_key'").fetchone()
    assert row is not None
    return str(row[0])


__all__ = ["add_failure", "center_id", "centers", "count_failures", "disable_user",
           "insert_center", "insert_token", "insert_user", "revoke_tokens", "session_key",
           "token_by_hash", "tokens", "touch_token", "user"]
