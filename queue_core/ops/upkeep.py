"""The serving core's own upkeep: the systemd heartbeat, the nightly backup and retention.

Started by `create_app(..., background=True)`, i.e. only in the process that serves; the
server's own `start_task` and `sleep` are passed in, so any async mode works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from queue_core.config import Settings
from queue_core.ops import backup, retention
from queue_core.ops.watchdog import Heartbeat, Notifier
from queue_core.service.center import Center

log = logging.getLogger("xephang")

# Where a Flask app keeps the notifier, for the serving worker's READY=1.
WATCHDOG_EXTENSION = "xephang_watchdog"


def start_upkeep(settings: Settings, center: Center, *, start_task: Callable[..., Any],
                 sleep: Callable[[float], Any], notifier: Notifier | None = None) -> Notifier:
    """Start the heartbeat (under systemd) and the nightly backup; return the notifier."""
    notifier = notifier or Notifier()
    if notifier.enabled:
        heartbeat = Heartbeat(notifier, center.check_database, sleep=sleep,
                              ready_status=f"serving {settings.center.name}")
        start_task(heartbeat.run)
    start_task(backup.keep_nightly, settings, clock=center.clock.now, sleep=sleep,
               after=lambda made: apply_retention(settings, center))
    return notifier


def apply_retention(settings: Settings, center: Center) -> retention.Purged | None:
    """Delete tickets past the configured retention (after a fresh backup holds them)."""
    purged = retention.purge_expired(center.store, months=settings.backup.retention_months,
                                     now=center.clock.now())
    if purged is not None and purged.tickets:
        log.info("retention: deleted %d tickets from before %s", purged.tickets, purged.cutoff)
    return purged


__all__ = ["WATCHDOG_EXTENSION", "apply_retention", "start_upkeep"]
