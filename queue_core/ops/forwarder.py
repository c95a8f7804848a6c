"""Forwarding the outbox to the province hub (settings `hub = {url, token}`).

The hub's ingest protocol (`POST /api/v1/ingest`, see the hub's README) takes batches of
the box's events, in the webhooks' envelope, with the box's stream id, its oldest event
still kept and, after a start, how the box names itself. The hub answers what it applied
(`applied_through`), where a gap makes it want events again (`resend_from`), and which
events it refused for good (`rejected`: recorded here, never sent again). Store and
forward: the cursor moves only on the hub's answer, so a week offline is a few thousand
batches sent in order when the link returns. When there is nothing to send, an empty
batch every minute tells the province the center is alive.

A wrong or revoked token (401/403) stops the forwarding and says so (the admin's view,
the log) until the box restarts with a new token; a 503 is retried after its
`Retry-After`; other failures after the usual back-off.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import requests

from queue_core import __version__
from queue_core.config import HubSettings, OutboxSettings, Settings
from queue_core.domain import outbox
from queue_core.domain.clock import time_text
from queue_core.ops.outbox import (
    IDLE_SECONDS,
    Cursor,
    Now,
    describe_answer,
    describe_failure,
    encode,
)
from queue_core.storage import Store

log = logging.getLogger("xephang.hub")

NAME = "hub"
BATCH = 200
HEARTBEAT_SECONDS = 60.0
# After a refused token: look again this rarely (the token must be replaced).
REFUSED_WAIT = 3600.0
UNAUTHORIZED = "unauthorized"


def center_profile(settings: Settings) -> dict[str, Any]:
    """Return how the box names itself to the hub: its name, fields, counters and target."""
    return {"name": settings.center.name,
            "target_wait_minutes": settings.policy.target_wait_minutes,
            "services": [{"code": s.code, "name": s.name} for s in settings.services],
            "counters": [{"number": c.number, "name": c.display_name}
                         for c in settings.counters]}


def ingest_url(hub: HubSettings) -> str:
    return hub.url.rstrip("/") + "/api/v1/ingest"


class HubForwarder:
    """Sends every outbox event to the province hub, in batches, in `seq` order."""

    name = NAME

    def __init__(self, settings: Settings, store: Store, policy: OutboxSettings, *,
                 now: Now, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.url = ingest_url(settings.hub)
        self.store = store
        self.now = now
        self.session = session or requests.Session()
        self.timeouts = (policy.connect_timeout_seconds, policy.read_timeout_seconds)
        self.cursor = Cursor(NAME, self.url, store, policy, now)
        self.batch = BATCH
        self.stream = ""
        self.profile_sent = False
        self.last_post: datetime | None = None

    def prepare(self) -> None:
        # The hub wants everything from the first event still kept.
        self.cursor.ensure(start_at_newest=False)
        with self.store.write():
            self.store.update_consumer(NAME, state=None)
            self.stream = self.store.stream()

    def close(self) -> None:
        self.session.close()

    def step(self) -> float:
        consumer, oldest, newest = self.cursor.read()
        if consumer["state"] == UNAUTHORIZED:
            return REFUSED_WAIT
        position = self.cursor.catch_up_lost(consumer, oldest, newest)
        wait = self.cursor.wait_left(consumer)
        if wait > 0:
            return wait
        with self.store.read():
            rows = self.store.outbox_after(position, limit=self.batch)
        if not rows and self.profile_sent and self.last_post is not None:
            quiet = (self.now() - self.last_post).total_seconds()
            if quiet < HEARTBEAT_SECONDS:
                return min(IDLE_SECONDS, HEARTBEAT_SECONDS - quiet)
        body: dict[str, Any] = {
            "stream": self.stream, "sent_at": time_text(self.now()),
            "oldest_available": oldest if oldest is not None else newest + 1,
            "events": [outbox.envelope(self.stream, r.seq, r.event, r.at, r.data) for r in rows]}
        if not self.profile_sent:
            body["center"] = center_profile(self.settings)
        return self._send(consumer, position, body, sent=len(rows))

    def _send(self, consumer: dict[str, Any], position: int, body: dict[str, Any], *,
              sent: int) -> float:
        headers = {"Authorization": f"Bearer {self.settings.hub.token}",
                   "Content-Type": "application/json", "User-Agent": f"xephang/{__version__}"}
        try:
            response = self.session.post(self.url, data=encode(body), headers=headers,
                                         timeout=self.timeouts, allow_redirects=False)
        except requests.RequestException as exc:
            return self.cursor.failed(consumer, describe_failure(exc, self.timeouts),
                                      cursor=position)
        with response:
            self.last_post = self.now()
            status = response.status_code
            if status == 200:
                try:
                    answer = response.json()
                    return self._applied(position, answer, sent=sent)
                except (ValueError, KeyError, TypeError) as exc:
                    return self.cursor.failed(consumer, f"the hub's answer makes no sense: {exc}",
                                              cursor=position)
            error = describe_answer(response)
            if status in (401, 403):
                log.error("the province hub refused this box's token (%s): forwarding stops "
                          "until the token is replaced", error)
                with self.store.write():
                    self.store.update_consumer(NAME, state=UNAUTHORIZED,
                                               last_error=f"{error} (the hub token must be "
                                                          "replaced)")
                return REFUSED_WAIT
            if status == 413 and self.batch > 1:
                self.batch = max(1, self.batch // 2)
            retry_after = _seconds(response.headers.get("Retry-After"))
            return self.cursor.failed(consumer, error, cursor=position, retry_after=retry_after)

    def _applied(self, position: int, answer: dict[str, Any], *, sent: int) -> float:
        through = int(answer["applied_through"])
        resend = answer.get("resend_from")
        cursor = int(resend) - 1 if resend is not None else max(position, through)
        now = time_text(self.now())
        with self.store.write():
            for refused in answer.get("rejected") or []:
                seq = refused.get("seq")
                if not isinstance(seq, int):
                    continue
                row = self.store.outbox_row(seq)
                reason = f"{refused.get('field')}: {refused.get('reason')}"
                self.store.record_delivery(consumer=NAME, outbox_id=seq,
                                           event=row.event if row else "?", url=self.url,
                                           status=outbox.REJECTED, attempted=True,
                                           last_error=reason[:500], next_attempt_at=None, now=now)
                log.warning("the hub refused event %d for good: %s", seq, reason)
            self.cursor.advanced(cursor)
        self.profile_sent = True
        self.batch = BATCH if self.batch < BATCH and sent else self.batch
        if resend is not None or sent >= self.batch:
            return 0.0
        return min(IDLE_SECONDS, HEARTBEAT_SECONDS)


def _seconds(header: str | None) -> float | None:
    try:
        return float(header) if header else None
    except ValueError:
        return None


__all__ = ["HubForwarder", "center_profile", "ingest_url"]
