"""What the admin console changed (the `settings` table): one JSON document and its version."""

from __future__ import annotations

import json
from typing import Any

from queue_core.storage.rows import Rows


class SettingsRows(Rows):
    """The `settings` table: a single row holding the console's changes and their version."""

    def console_settings(self) -> tuple[dict[str, Any], int]:
        """Return the console's changes and their version (0: never saved)."""
        row = self.conn.execute("SELECT document, version FROM settings WHERE id = 1").fetchone()
        if row is None:
            return {}, 0
        document = json.loads(row[0])
        return (document if isinstance(document, dict) else {}), int(row[1])

    def save_console_settings(self, document: dict[str, Any], *, version: int, saved_at: str,
                              saved_by: str) -> None:
        """Replace the console's changes inside the caller's transaction."""
        self.conn.execute(
            "UPDATE settings SET document = ?, version = ?, saved_at = ?, saved_by = ? WHERE id = 1",
            [json.dumps(document, ensure_ascii=False, sort_keys=True), version, saved_at,
             saved_by[:100]])
