"""Whether each ticket's paper came out (the `ticket_prints` table)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from queue_core.domain.clock import time_text
from queue_core.storage.rows import Rows


class PrintRows(Rows):
    """The `ticket_prints` table: one row per ticket, the last attempt's outcome."""

    def save_print(self, ticket_id: str, *, printed: bool, code: str, message: str,
                   printer: str, at: datetime) -> None:
        """Keep an attempt's outcome (a later attempt overwrites, counting attempts)."""
        self.conn.execute(
            "INSERT INTO ticket_prints (ticket_id, printed, code, message, attempts, printer, at)"
            " VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT(ticket_id) DO UPDATE SET"
            " printed = excluded.printed, code = excluded.code, message = excluded.message,"
            " attempts = ticket_prints.attempts + 1, printer = excluded.printer, at = excluded.at",
            [ticket_id, int(printed), code, message, printer, time_text(at)])

    def print_record(self, ticket_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT printed, code, message, attempts, printer, at FROM ticket_prints"
            " WHERE ticket_id = ?", [ticket_id]).fetchone()
        if row is None:
            return None
        return {"printed": bool(row[0]), "code": row[1], "message": row[2], "attempts": row[3],
                "printer": row[4], "at": row[5]}

    def not_printed(self, day: str) -> list[dict[str, Any]]:
        """Return the day's tickets whose paper did not come out."""
        rows = self.conn.execute(
            "SELECT tickets.id, tickets.label, tickets.state, ticket_prints.code,"
            " ticket_prints.at FROM ticket_prints JOIN tickets ON tickets.id = ticket_prints.ticket_id"
            " WHERE ticket_prints.printed = 0 AND tickets.day = ? ORDER BY ticket_prints.at",
            [day]).fetchall()
        return [{"ticket": r[0], "label": r[1], "state": r[2], "code": r[3], "at": r[4]}
                for r in rows]
