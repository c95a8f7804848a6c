"""Delivering the outbox: one worker per receiver, each from its own cursor, never in the way.

The writer path keeps every event in the `outbox` table inside its change's transaction.
Here each receiver (a webhook endpoint of settings `webhooks`, the province hub of
settings `hub`) runs on a worker of its own, started by the composition root: it reads
the rows past its cursor, sends them in `seq` order, and moves its cursor only after the
receiver took them. Nothing here runs inside the queue's transactions or holds its lock:
workers speak through connections of their own, and a new row only wakes them.

A failure (an error status, a timeout, a refused connection, a redirect) is recorded with
its reason and tried again after an exponential back-off with jitter, persisted in the
receiver's row (`next_attempt_at`), so a restart keeps the rhythm. One receiver down for
days holds back nobody else. Events are kept `outbox.retention_days` and at most
`outbox.max_rows`; a receiver whose events were deleted before it got them gets a `lost`
record saying which, never silence.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

import requests

from queue_core import __version__
from queue_core.config import OutboxSettings, WebhookSettings
from queue_core.domain import outbox
from queue_core.domain.clock import parse_time, time_text
from queue_core.storage import Store
from queue_core.storage.outbox import OutboxRow

log = logging.getLogger("xephang.outbox")

# Rows read at a time; a worker with nothing to do looks again after IDLE_SECONDS anyway.
BATCH = 100
IDLE_SECONDS = 30.0

Now = Callable[[], datetime]


class Receiver(Protocol):
    """One consumer of the outbox, run by its own worker."""

    name: str

    def prepare(self) -> None:
        """Make the receiver's cursor if it has none (called once, before the first step)."""

    def step(self) -> float:
        """Send what is due; return the seconds until it wants to run again."""

    def close(self) -> None:
        """Let go of connections."""


def webhook_name(url: str) -> str:
    """Return the cursor's name of the endpoint at `url`."""
    return f"webhook:{url}"


def encode(body: dict[str, Any]) -> bytes:
    """Return the exact bytes sent (and signed): compact UTF-8 JSON."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def describe_failure(exc: requests.RequestException, timeouts: tuple[float, float]) -> str:
    """Return a short reason for a request that got no answer."""
    if isinstance(exc, requests.ConnectTimeout):
        return f"no connection within {timeouts[0]:g} s"
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeouts[1]:g} s"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed: {str(exc)[:160]}"
    return f"{type(exc).__name__}: {str(exc)[:160]}"


def describe_answer(response: requests.Response) -> str:
    """Return why an answer that is not 2xx failed (a redirect is named, never followed)."""
    status = response.status_code
    if 300 <= status < 400:
        where = response.headers.get("Location", "?")
        return f"HTTP {status}: a redirect to {where[:160]} (not followed)"
    text = " ".join(response.text[:200].split()) if response.content else ""
    return f"HTTP {status}" + (f": {text}" if text else "")


class Cursor:
    """What every receiver shares: its row in `outbox_consumers`, retries and lost events."""

    def __init__(self, name: str, url: str, store: Store, policy: OutboxSettings, now: Now) -> None:
        self.name = name
        self.url = url
        self.store = store
        self.policy = policy
        self.now = now

    def ensure(self, *, start_at_newest: bool) -> dict[str, Any]:
        with self.store.write():
            newest = self.store.outbox_bounds()[1]
            return self.store.ensure_consumer(self.name, cursor=newest if start_at_newest else 0)

    def read(self) -> tuple[dict[str, Any], int | None, int]:
        """Return the consumer's row, the oldest seq kept (None: empty) and the newest given."""
        with self.store.read():
            consumer = self.store.consumer(self.name)
            oldest, newest, _ = self.store.outbox_bounds()
        assert consumer is not None, f"{self.name} was not prepared"
        return consumer, oldest, newest

    def catch_up_lost(self, consumer: dict[str, Any], oldest: int | None, newest: int) -> int:
        """Record events deleted before this receiver got them; return the cursor to go on from."""
        cursor = int(consumer["cursor"])
        last_gone = (oldest - 1) if oldest is not None else newest
        if cursor >= last_gone:
            return cursor
        count = last_gone - cursor
        reason = (f"events {cursor + 1}–{last_gone} were deleted by retention "
                  f"({self.policy.retention_days} days, {self.policy.max_rows} rows) before "
                  "they were delivered")
        log.warning("%s: %s", self.name, reason)
        with self.store.write():
            self.store.record_delivery(consumer=self.name, outbox_id=last_gone, event="(retention)",
                                       url=self.url, status=outbox.LOST, attempted=False,
                                       last_error=reason, next_attempt_at=None,
                                       now=time_text(self.now()))
            self.store.update_consumer(self.name, cursor=last_gone,
                                       lost=int(consumer["lost"]) + count)
        return last_gone

    def wait_left(self, consumer: dict[str, Any]) -> float:
        """Return the seconds until the next attempt is due (0 when due now)."""
        due = parse_time(str(consumer["next_attempt_at"] or "")) if consumer[
            "next_attempt_at"] else None
        if due is None:
            return 0.0
        return max(0.0, (due - self.now()).total_seconds())

    def failed(self, consumer: dict[str, Any], error: str, *, cursor: int,
               retry_after: float | None = None) -> float:
        """Record a failed attempt; return the seconds to wait before the next one."""
        attempts = int(consumer["attempts"]) + 1
        wait = outbox.backoff(attempts, first=self.policy.first_retry_seconds,
                              longest=self.policy.longest_retry_seconds)
        if retry_after is not None:
            # The receiver knows best when it is back (at most an hour is believed).
            wait = max(wait, min(retry_after, outbox.LONGEST_RETRY_SECONDS))
        with self.store.write():
            self.store.update_consumer(self.name, cursor=cursor, attempts=attempts,
                                       next_attempt_at=time_text(self.now() + timedelta(
                                           seconds=wait)), last_error=error[:500])
        return wait

    def advanced(self, cursor: int) -> None:
        """Record that everything up to `cursor` was taken."""
        self.store.update_consumer(self.name, cursor=cursor, attempts=0, next_attempt_at=None,
                                   last_error=None, last_success_at=time_text(self.now()))


class WebhookSender:
    """Delivers the events one endpoint wants, one signed POST each, in `seq` order."""

    def __init__(self, hook: WebhookSettings, store: Store, policy: OutboxSettings, *,
                 now: Now, session: requests.Session | None = None) -> None:
        self.hook = hook
        self.name = webhook_name(hook.url)
        self.store = store
        self.policy = policy
        self.now = now
        self.events = set(hook.events or outbox.OUTBOX_EVENTS)
        self.session = session or requests.Session()
        self.timeouts = (policy.connect_timeout_seconds, policy.read_timeout_seconds)
        self.cursor = Cursor(self.name, hook.url, store, policy, now)
        self.stream = ""

    def prepare(self) -> None:
        # A new endpoint starts with what happens from now on, not with the whole history.
        self.cursor.ensure(start_at_newest=True)
        with self.store.read():
            self.stream = self.store.stream()

    def close(self) -> None:
        self.session.close()

    def step(self) -> float:
        self._send_requested_again()
        consumer, oldest, newest = self.cursor.read()
        position = self.cursor.catch_up_lost(consumer, oldest, newest)
        wait = self.cursor.wait_left(consumer)
        if wait > 0:
            return wait
        with self.store.read():
            rows = self.store.outbox_after(position, limit=BATCH)
        if not rows:
            return IDLE_SECONDS
        for row in rows:
            if row.event not in self.events:
                position = row.seq
                continue
            error = self.post(row)
            now = time_text(self.now())
            if error is not None:
                wait = self.cursor.failed(consumer, error, cursor=position)
                with self.store.write():
                    self.store.record_delivery(
                        consumer=self.name, outbox_id=row.seq, event=row.event, url=self.hook.url,
                        status=outbox.FAILED, attempted=True, last_error=error,
                        next_attempt_at=time_text(self.now() + timedelta(seconds=wait)), now=now)
                log.info("%s: seq %d failed (%s); next try in %.0f s", self.name, row.seq, error,
                         wait)
                return wait
            position = row.seq
            with self.store.write():
                self.store.record_delivery(
                    consumer=self.name, outbox_id=row.seq, event=row.event, url=self.hook.url,
                    status=outbox.DELIVERED, attempted=True, last_error=None,
                    next_attempt_at=None, now=now)
                self.cursor.advanced(position)
            consumer = {**consumer, "attempts": 0}
        with self.store.write():
            self.cursor.advanced(position)
        return 0.0

    def post(self, row: OutboxRow) -> str | None:
        """Send one event; return None when the endpoint took it, else why not."""
        body = encode(outbox.envelope(self.stream, row.seq, row.event, row.at, row.data))
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"xephang/{__version__}",
            outbox.EVENT_HEADER: row.event,
            outbox.DELIVERY_HEADER: outbox.delivery_id(self.stream, row.seq),
            outbox.TIMESTAMP_HEADER: timestamp,
            outbox.SIGNATURE_HEADER: outbox.signature(self.hook.secret.encode("utf-8"),
                                                      timestamp, body),
        }
        try:
            response = self.session.post(self.hook.url, data=body, headers=headers,
                                         timeout=self.timeouts, allow_redirects=False)
        except requests.RequestException as exc:
            return describe_failure(exc, self.timeouts)
        try:
            if 200 <= response.status_code < 300:
                return None
            return describe_answer(response)
        finally:
            response.close()

    def _send_requested_again(self) -> None:
        """Send once more the delivered events an admin asked to send again."""
        with self.store.read():
            asked = [d for d in self.store.deliveries(limit=20, consumer=self.name,
                                                      status=outbox.PENDING)]
            consumer = self.store.consumer(self.name)
        cursor = int(consumer["cursor"]) if consumer else 0
        for delivery in asked:
            if delivery["outbox_id"] > cursor:
                continue  # still ahead of the cursor: it goes in its turn
            with self.store.read():
                row = self.store.outbox_row(delivery["outbox_id"])
            if row is None:
                error: str | None = "the event was deleted by retention"
            else:
                error = self.post(row)
            with self.store.write():
                self.store.record_delivery(
                    consumer=self.name, outbox_id=delivery["outbox_id"], event=delivery["event"],
                    url=self.hook.url, status=outbox.FAILED if error else outbox.DELIVERED,
                    attempted=row is not None, last_error=error, next_attempt_at=None,
                    now=time_text(self.now()))


__all__ = ["Cursor", "Receiver", "WebhookSender", "encode", "webhook_name"]
