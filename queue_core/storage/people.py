"""People who log in and device tokens (the `users` and `tokens` tables); only hashes are kept."""

from __future__ import annotations

from typing import Any

from queue_core.storage.rows import Rows

_USER = "SELECT username, password_hash, role, counter, session_version FROM users"


class PeopleRows(Rows):
    """The `users` and `tokens` tables, and who appears as an officer."""

    def active_user(self, username: str) -> dict[str, Any] | None:
        """Return a person still allowed to log in, with the password's hash."""
        row = self.conn.execute(f"{_USER} WHERE username = ? AND disabled = 0",
                                [username]).fetchone()
        if row is None:
            return None
        return {"username": row[0], "password_hash": row[1], "role": row[2], "counter": row[3],
                "session_version": row[4]}

    def end_sessions(self, username: str) -> int | None:
        """Raise a person's session version (ending their sessions); return the new one."""
        self.conn.execute("UPDATE users SET session_version = session_version + 1"
                          " WHERE username = ?", [username])
        row = self.conn.execute("SELECT session_version FROM users WHERE username = ?",
                                [username]).fetchone()
        return None if row is None else int(row[0])

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        cursor = self.conn.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                                   [password_hash, username])
        return cursor.rowcount == 1

    def set_disabled(self, username: str, disabled: bool) -> bool:
        cursor = self.conn.execute("UPDATE users SET disabled = ? WHERE username = ?",
                                   [1 if disabled else 0, username])
        return cursor.rowcount == 1

    def user_exists(self, username: str) -> bool:
        return self.conn.execute("SELECT 1 FROM users WHERE username = ?",
                                 [username]).fetchone() is not None

    def insert_user(self, username: str, password_hash: str, *, role: str, counter: int | None,
                    created_at: str) -> None:
        self.conn.execute(
            "INSERT INTO users (username, password_hash, role, counter, created_at, disabled)"
            " VALUES (?, ?, ?, ?, ?, 0)", [username, password_hash, role, counter, created_at])

    def count_admins(self) -> int:
        return int(self.conn.execute(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0").fetchone()[0])

    def insert_token(self, name: str, token_hash: str, *, role: str, counter: int | None,
                     created_at: str) -> None:
        self.conn.execute(
            "INSERT INTO tokens (name, token_hash, role, counter, created_at, revoked_at)"
            " VALUES (?, ?, ?, ?, ?, NULL)", [name, token_hash, role, counter, created_at])

    def live_token(self, token_hash: str) -> dict[str, Any] | None:
        """Return the device of a live token, found by the token's hash."""
        row = self.conn.execute(
            "SELECT name, token_hash, role, counter, id, last_used_at FROM tokens"
            " WHERE token_hash = ? AND revoked_at IS NULL", [token_hash]).fetchone()
        if row is None:
            return None
        return {"name": row[0], "token_hash": row[1], "role": row[2], "counter": row[3],
                "id": row[4], "last_used_at": row[5]}

    def live_tokens(self) -> list[dict[str, Any]]:
        """Return every token not revoked, oldest first (never the token or its hash)."""
        rows = self.conn.execute(
            "SELECT id, name, role, counter, created_at, last_used_at FROM tokens"
            " WHERE revoked_at IS NULL ORDER BY id").fetchall()
        return [{"id": r[0], "name": r[1], "role": r[2], "counter": r[3], "created_at": r[4],
                 "last_used_at": r[5]} for r in rows]

    def live_token_ids(self, name: str) -> list[int]:
        return [i for (i,) in self.conn.execute(
            "SELECT id FROM tokens WHERE name = ? AND revoked_at IS NULL", [name])]

    def revoke_token(self, token_id: int, *, revoked_at: str) -> bool:
        """Revoke one live token; tell whether there was one."""
        return self.conn.execute(
            "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            [revoked_at, token_id]).rowcount > 0

    def rename_token(self, token_id: int, name: str) -> bool:
        return self.conn.execute(
            "UPDATE tokens SET name = ? WHERE id = ? AND revoked_at IS NULL",
            [name, token_id]).rowcount > 0

    def note_token_used(self, token_id: int, at: str) -> None:
        self.conn.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", [at, token_id])

    def users(self) -> list[dict[str, Any]]:
        """Return every person (never a password hash), by name."""
        names = [n for (n,) in self.conn.execute("SELECT username FROM users ORDER BY username")]
        return [p for p in (self.person(n) for n in names) if p is not None]

    def person(self, username: str) -> dict[str, Any] | None:
        """Return one person, disabled or not (never the password's hash)."""
        row = self.conn.execute(
            "SELECT username, role, counter, created_at, disabled FROM users WHERE username = ?",
            [username]).fetchone()
        if row is None:
            return None
        return {"username": row[0], "role": row[1], "counter": row[2], "created_at": row[3],
                "disabled": bool(row[4])}

    def set_role(self, username: str, *, role: str, counter: int | None) -> None:
        """Change a person's role and counter inside the caller's transaction."""
        self.conn.execute("UPDATE users SET role = ?, counter = ? WHERE username = ?",
                          [role, counter, username])

    def officer_names(self) -> list[str]:
        """Return the officers (staff accounts) and everyone who served at a counter in history.

        A manager's or admin's account is listed only once it has served someone.
        """
        people = [name for (name,) in self.conn.execute(
            "SELECT username FROM users WHERE role = 'staff'")]
        seen = [name for (name,) in self.conn.execute(
            "SELECT DISTINCT officer FROM tickets WHERE officer IS NOT NULL")]
        return sorted(set(people) | set(seen))

    def officer_known(self, name: str) -> bool:
        """Tell whether `name` is a person, or an officer found in the history."""
        return bool(self.conn.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchone()
                    or self.conn.execute("SELECT 1 FROM tickets WHERE officer = ? LIMIT 1",
                                         [name]).fetchone())
