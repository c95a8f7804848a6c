"""The serving core's own upkeep: the systemd heartbeat, the nightly backup and retention.

Started by `create_app(..., background=True)`, i.e. only in the process that serves.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from .. import audit, backup, retention
from ..watchdog import Heartbeat, Notifier

log = logging.getLogger("xephang")

WATCHDOG_EXTENSION = "xephang_watchdog"


def start_upkeep(app: Flask, *, notifier: Notifier | None = None) -> None:
    """Start the heartbeat (under systemd) and the nightly backup for `app`."""
    xephang = app.extensions["xephang"]
    notifier = notifier or Notifier()
    app.extensions[WATCHDOG_EXTENSION] = notifier
    if notifier.enabled:
        heartbeat = Heartbeat(notifier, lambda: database_answers(xephang.store),
                              sleep=xephang.socketio.sleep,
                              ready_status=f"serving {xephang.settings.center.name}")
        xephang.socketio.start_background_task(heartbeat.run)
    xephang.socketio.start_background_task(
        backup.keep_nightly, xephang.settings, clock=xephang.center.clock.now,
        sleep=xephang.socketio.sleep, after=lambda made: apply_retention(app))


def database_answers(store: Any) -> None:
    """Ask the database a question through the lock every request uses; raise if it cannot."""
    with store.read():
        store.seq()


def apply_retention(app: Flask) -> retention.Purged | None:
    """Delete tickets past the configured retention (after a fresh backup holds them)."""
    xephang = app.extensions["xephang"]
    months = xephang.settings.backup.retention_months
    now = xephang.center.clock.now()
    purged = retention.purge_expired(xephang.store, months=months, today=now.date())
    if purged is not None and purged.tickets:
        log.info("retention: deleted %d tickets from before %s", purged.tickets, purged.cutoff)
        audit.record(xephang.store, actor="system:retention", action=audit.TICKETS_PURGED,
                     now=now, detail=f"{purged.tickets} tickets before {purged.cutoff}")
    return purged


__all__ = ["WATCHDOG_EXTENSION", "apply_retention", "database_answers", "start_upkeep"]
