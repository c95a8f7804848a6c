"""The serving core's own upkeep: the systemd heartbeat, the nightly backup, retention (tickets
and the audit log) and the `seq` mark kept beside the database.

Started by `create_app(..., background=True)`, i.e. only in the process that serves; the
server's own `start_task` and `sleep` are passed in, so any async mode works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from queue_core.config import Settings
from queue_core.domain.errors import StorageFull
from queue_core.ops import backup, retention
from queue_core.ops.watchdog import Heartbeat, Notifier
from queue_core.service import audit
from queue_core.service.center import Center

log = logging.getLogger("xephang")

# Where a Flask app keeps the notifier, for the serving worker's READY=1.
WATCHDOG_EXTENSION = "xephang_watchdog"
# How often the database's `seq` is copied into the marks beside it.
MARKS_SECONDS = 30.0


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
    start_task(keep_marks, center, sleep=sleep)
    trim_audit(settings, center)
    return notifier


def apply_retention(settings: Settings, center: Center) -> retention.Purged | None:
    """Delete tickets past the configured retention (after a fresh backup holds them).

    The audit log is trimmed too (`security.audit_keep_days`, `security.audit_keep_rows`).
    """
    purged = retention.purge_expired(center.store, months=settings.backup.retention_months,
                                     now=center.clock.now())
    if purged is not None and purged.tickets:
        log.info("retention: deleted %d tickets from before %s", purged.tickets, purged.cutoff)
    trim_audit(settings, center)
    return purged


def trim_audit(settings: Settings, center: Center) -> int:
    """Keep the audit log within its days and rows; return how many entries went."""
    security = settings.security
    try:
        gone = audit.trim(center.store, now=center.clock.now(), keep_days=security.audit_keep_days,
                          keep_rows=security.audit_keep_rows)
    except StorageFull:
        log.warning("storage full: the audit log is trimmed once space returns")
        return 0
    if gone:
        log.info("audit log: %d old entries deleted", gone)
    return gone


def keep_marks(center: Center, *, sleep: Callable[[float], Any],
               stop: Callable[[], bool] = lambda: False) -> None:
    """Copy the database's `seq` into the marks beside it now and then; runs for the server's life.

    At start a database older than the mark is refused: never a fresh start where data existed.
    """
    while not stop():
        if center.marks is not None:
            try:
                with center.store.read():
                    seq = center.store.seq()
                center.marks.note_seq(seq)
            except StorageFull:
                pass  # the store says so on its own; the next round tries again
            except Exception:
                log.exception("could not keep the seq mark; trying again")
        sleep(MARKS_SECONDS)


__all__ = ["WATCHDOG_EXTENSION", "apply_retention", "start_upkeep"]
