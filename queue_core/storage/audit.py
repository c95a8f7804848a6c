"""Who did what besides ticket steps (the `audit_log` table), and the audit view of both.

Ticket steps are kept in `transitions`; `audit_rows` reads both, newest first.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from queue_core.domain.clock import time_text
from queue_core.storage.rows import Rows


class AuditRows(Rows):
    """The `audit_log` table."""

    def add_audit(self, *, at: datetime, actor: str, action: str, target: str | None = None,
                  detail: str | None = None) -> None:
        """Add one entry inside the caller's transaction (each text capped in length)."""
        self.conn.execute(
            "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            [time_text(at), actor[:100], action[:60], (target or None) and target[:200],
             (detail or None) and detail[:500]])

    def fold_audit(self, *, at: datetime, since: datetime, actor: str, action: str,
                   target: str | None, detail: str | None) -> bool:
        """Count one more of the same entry made since `since`; False when there is none.

        Inside the caller's transaction. The entry keeps its first time; `last_at` moves.
        """
        cursor = self.conn.execute(
            "UPDATE audit_log SET count = count + 1, last_at = ? WHERE id = ("
            " SELECT id FROM audit_log WHERE action = ? AND target IS ? AND detail IS ?"
            " AND actor = ? AND at >= ? ORDER BY at DESC LIMIT 1)",
            [time_text(at), action[:60], (target or None) and target[:200],
             (detail or None) and detail[:500], actor[:100], time_text(since)])
        return cursor.rowcount == 1

    def audit_size(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])

    def trim_audit(self, *, before: datetime, keep_rows: int) -> int:
        """Delete entries older than `before`, then the oldest past `keep_rows`; return how many."""
        gone = self.conn.execute("DELETE FROM audit_log WHERE at < ?",
                                 [time_text(before)]).rowcount
        gone += self.conn.execute(
            "DELETE FROM audit_log WHERE id <= (SELECT id FROM audit_log ORDER BY id DESC"
            " LIMIT 1 OFFSET ?)", [max(keep_rows, 0)]).rowcount
        return gone

    def audit_rows(self, *, since: date | None = None, until: date | None = None,
                   actor: str | None = None, action: str | None = None,
                   everything: bool = False, limit: int = 200,
                   ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Return (ticket steps, other entries), each newest first and at most `limit`.

        Ticket steps: (at, actor, action, label, ticket id, counter, from, to, detail).
        Other entries: (at, actor, action, target, detail, count, last_at). Tickets issued by devices and
        the system's own steps are left out unless `everything`.
        """
        where_t: list[str] = []
        where_a: list[str] = []
        params_t: list[Any] = []
        params_a: list[Any] = []
        if since is not None:
            where_t.append("t.at >= ?")
            where_a.append("at >= ?")
            params_t.append(since.isoformat())
            params_a.append(since.isoformat())
        if until is not None:
            end = (until + timedelta(days=1)).isoformat()
            where_t.append("t.at < ?")
            where_a.append("at < ?")
            params_t.append(end)
            params_a.append(end)
        if actor:
            # "lan" finds "user:lan" (and "device:lan"); "user:lan" finds exactly that.
            pattern = actor if ":" in actor else f"%:{actor}"
            where_t.append("(t.actor = ? OR t.actor LIKE ?)")
            where_a.append("(actor = ? OR actor LIKE ?)")
            params_t.extend([actor, pattern])
            params_a.extend([actor, pattern])
        if action:
            where_t.append("t.action = ?")
            where_a.append("action = ?")
            params_t.append(action)
            params_a.append(action)
        if not everything:
            where_t.append("NOT (t.action = 'issue' AND t.actor LIKE 'device:%')"
                           " AND t.actor NOT LIKE 'system%'")
        sql_t = ("SELECT t.at, t.actor, t.action, tk.label, t.ticket_id, t.counter, t.from_state,"
                 " t.to_state, t.detail FROM transitions t JOIN tickets tk ON tk.id = t.ticket_id"
                 + (" WHERE " + " AND ".join(where_t) if where_t else "")
                 + " ORDER BY t.at DESC, t.id DESC LIMIT ?")
        sql_a = ("SELECT at, actor, action, target, detail, count, last_at FROM audit_log"
                 + (" WHERE " + " AND ".join(where_a) if where_a else "")
                 + " ORDER BY at DESC, id DESC LIMIT ?")
        ticket_rows = self.conn.execute(sql_t, [*params_t, limit]).fetchall()
        other_rows = self.conn.execute(sql_a, [*params_a, limit]).fetchall()
        return ticket_rows, other_rows

    def purge_audit_before(self, cutoff: date) -> int:
        """Delete entries older than `cutoff` inside the caller's transaction; return how many."""
        cursor = self.conn.execute("DELETE FROM audit_log WHERE at < ?", [cutoff.isoformat()])
        return cursor.rowcount
