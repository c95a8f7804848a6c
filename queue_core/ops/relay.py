"""The outbox's workers: one per receiver, started by the composition root, and retention.

Each receiver (a webhook endpoint of `webhooks`, the province hub of `hub`) runs on a
worker of its own, on a database connection of its own, with the server's own
`start_task` (real threads in the threading mode, green ones under eventlet). A commit
that adds outbox rows wakes them (`wake`, which never blocks); otherwise each sleeps
until its next attempt is due. Another worker keeps the outbox within its retention.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from queue_core.config import Settings
from queue_core.domain.clock import time_text
from queue_core.ops.forwarder import HubForwarder
from queue_core.ops.outbox import Now, Receiver, WebhookSender
from queue_core.storage import Store

log = logging.getLogger("xephang.outbox")

# How often old rows are deleted (retention), in seconds, and how many at a time.
PURGE_EVERY = 600.0
PURGE_BATCH = 2000


class Relay:
    """Runs every receiver on a worker of its own and keeps the outbox within its retention."""

    def __init__(self, settings: Settings, store: Store, *, now: Now,
                 receivers: Sequence[Receiver] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.now = now
        self._own: list[Store] = []
        self.receivers: list[Receiver] = list(receivers) if receivers is not None else [
            WebhookSender(hook, self._connection(), settings.outbox, now=now)
            for hook in settings.webhooks]
        if receivers is None and settings.hub.url:
            self.receivers.append(HubForwarder(settings, self._connection(), settings.outbox,
                                               now=now))
        self._wakes = [threading.Event() for _ in self.receivers]
        self._stopped = threading.Event()
        self._last_purge = 0.0

    def _connection(self) -> Store:
        own = self.store.sibling()
        if own is not self.store:
            self._own.append(own)
        return own

    def add(self, receiver: Receiver) -> None:
        """Add a receiver before `start`."""
        self.receivers.append(receiver)
        self._wakes.append(threading.Event())

    def start(self, start_task: Callable[..., Any]) -> None:
        """Start one worker per receiver, and the retention's, with the server's `start_task`.

        Each receiver is prepared here, before its worker runs: a new endpoint starts with
        the events committed from this call on, however late its worker gets to run.
        """
        for receiver, wake in zip(self.receivers, self._wakes):
            start_task(self._run, receiver, wake, self._prepare(receiver))
        start_task(self._keep_within_retention)

    @staticmethod
    def _prepare(receiver: Receiver) -> bool:
        try:
            receiver.prepare()
        except Exception:
            log.exception("%s: preparing failed; its worker tries again", receiver.name)
            return False
        return True

    def wake(self) -> None:
        """Tell every worker that new rows are there (called after a commit; never blocks)."""
        for wake in self._wakes:
            wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self.wake()

    def _run(self, receiver: Receiver, wake: threading.Event, prepared: bool = False) -> None:
        while not self._stopped.is_set():
            try:
                if not prepared:
                    receiver.prepare()
                    prepared = True
                wait = receiver.step()
            except Exception:
                log.exception("%s: delivering failed; trying again in 5 s", receiver.name)
                wait = 5.0
            if wait > 0:
                wake.wait(wait)
                wake.clear()
        receiver.close()

    def _keep_within_retention(self) -> None:
        store = self._connection()
        while not self._stopped.is_set():
            try:
                self.purge(store)
            except Exception:
                log.exception("outbox retention failed; trying again later")
            self._stopped.wait(PURGE_EVERY)

    def purge(self, store: Store | None = None) -> int:
        """Delete rows past the retention (days, then rows), a batch at a time; return how many."""
        store = store or self.store
        policy = self.settings.outbox
        before = time_text(self.now() - timedelta(days=policy.retention_days))
        deleted = 0
        while True:
            with store.write():
                went = store.purge_outbox(before_at=before, keep_rows=policy.max_rows,
                                          batch=PURGE_BATCH)
            deleted += went
            if went < PURGE_BATCH:
                return deleted



__all__ = ["Relay"]
