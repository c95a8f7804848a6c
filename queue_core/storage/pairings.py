"""Devices waiting to be paired (the `pairings` table): a code shown, an admin's approval."""

from __future__ import annotations

from typing import Any

from queue_core.storage.rows import Rows

_COLUMNS = ("id", "code", "device", "name", "address", "created_at", "expires_at", "approved_at",
            "approved_by", "role", "counter", "token_name")


class PairingRows(Rows):
    """The `pairings` table; times are ISO texts in the center's zone (they sort as times)."""

    def insert_pairing(self, *, pairing_id: str, code: str, device: str, name: str | None,
                       address: str, created_at: str, expires_at: str) -> None:
        self.conn.execute(
            "INSERT INTO pairings (id, code, device, name, address, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [pairing_id, code, device, name, address[:100], created_at, expires_at])

    def forget_pairings_before(self, moment: str) -> int:
        """Delete pairings that expired before `moment`; return how many."""
        return self.conn.execute("DELETE FROM pairings WHERE expires_at <= ?",
                                 [moment]).rowcount

    def pairing_codes(self) -> set[str]:
        return {code for (code,) in self.conn.execute("SELECT code FROM pairings")}

    def count_pairings(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM pairings").fetchone()[0])

    def pairing(self, pairing_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM pairings WHERE id = ?",
                                [pairing_id]).fetchone()
        return None if row is None else dict(zip(_COLUMNS, row))

    def pairing_by_code(self, code: str) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM pairings WHERE code = ?",
                                [code]).fetchone()
        return None if row is None else dict(zip(_COLUMNS, row))

    def pending_pairings(self, now: str) -> list[dict[str, Any]]:
        """Return the devices showing a code now, waiting for an admin, oldest first."""
        rows = self.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM pairings WHERE approved_at IS NULL"
            " AND expires_at > ? ORDER BY created_at", [now]).fetchall()
        return [dict(zip(_COLUMNS, row)) for row in rows]

    def approve_pairing(self, pairing_id: str, *, approved_at: str, approved_by: str, role: str,
                        counter: int | None, token_name: str) -> None:
        self.conn.execute(
            "UPDATE pairings SET approved_at = ?, approved_by = ?, role = ?, counter = ?,"
            " token_name = ? WHERE id = ?",
            [approved_at, approved_by[:100], role, counter, token_name, pairing_id])

    def delete_pairing(self, pairing_id: str) -> None:
        self.conn.execute("DELETE FROM pairings WHERE id = ?", [pairing_id])
