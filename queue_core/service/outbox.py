"""What the admin sees of the outbox: its receivers, each delivery, and "send again".

The workers that deliver live in `ops.outbox`; this is the read model over what they
record, and the one change an admin makes (asking for a delivery again, audited).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from queue_core.config import Settings
from queue_core.domain import outbox
from queue_core.domain.clock import time_text
from queue_core.domain.errors import Conflict, NotFound
from queue_core.service import audit
from queue_core.storage import Store

HUB = "hub"
MAX_LIMIT = 1000


def receivers(settings: Settings) -> list[tuple[str, str, tuple[str, ...]]]:
    """Return (cursor name, url, events) of every configured receiver."""
    found = [(f"webhook:{hook.url}", hook.url, hook.events or outbox.OUTBOX_EVENTS)
             for hook in settings.webhooks]
    if settings.hub.url:
        found.append((HUB, settings.hub.url, outbox.OUTBOX_EVENTS))
    return found


def delivery_json(row: dict[str, Any], stream: str) -> dict[str, Any]:
    """Return one delivery as `GET /webhooks/deliveries` lists it."""
    return {
        "id": row["id"],
        "delivery": outbox.delivery_id(stream, row["outbox_id"]),
        "seq": row["outbox_id"],
        "event": row["event"],
        "url": row["url"],
        "receiver": "hub" if row["consumer"] == HUB else "webhook",
        "status": row["status"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
        "next_attempt_at": row["next_attempt_at"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def deliveries(store: Store, *, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]:
    """Return deliveries, newest first."""
    with store.read():
        stream = store.stream()
        rows = store.deliveries(limit=min(limit, MAX_LIMIT), status=status)
    return [delivery_json(row, stream) for row in rows]


def status(store: Store, settings: Settings) -> dict[str, Any]:
    """Return the outbox's size and retention, and where each receiver stands."""
    with store.read():
        stream = store.stream()
        oldest, newest, rows = store.outbox_bounds()
        known = {c["name"]: c for c in store.consumers()}
        counts = {name: store.delivery_counts(name) for name, _, _ in receivers(settings)}
    listed = []
    for name, url, events in receivers(settings):
        consumer = known.get(name) or {}
        cursor = consumer.get("cursor")
        listed.append({
            "receiver": "hub" if name == HUB else "webhook",
            "url": url,
            "events": list(events),
            "cursor": cursor,
            "behind": None if cursor is None else max(0, newest - cursor),
            "attempts": consumer.get("attempts", 0),
            "next_attempt_at": consumer.get("next_attempt_at"),
            "last_error": consumer.get("last_error"),
            "last_success_at": consumer.get("last_success_at"),
            "state": consumer.get("state"),
            "lost": consumer.get("lost", 0),
            "deliveries": counts.get(name, {}),
        })
    policy = settings.outbox
    return {"stream": stream,
            "outbox": {"oldest_seq": oldest, "newest_seq": newest, "rows": rows,
                       "retention_days": policy.retention_days, "max_rows": policy.max_rows},
            "receivers": listed}


def retry(store: Store, delivery_id: int, *, actor: str, now: datetime) -> dict[str, Any]:
    """Ask for a delivery again: at once if it is the one being retried, else once more."""
    with store.write():
        row = store.delivery(delivery_id)
        if row is None:
            raise NotFound("unknown_delivery")
        if row["status"] == outbox.LOST:
            raise Conflict("not_retryable", reason="the event was deleted before delivery")
        if row["consumer"] == HUB:
            raise Conflict("not_retryable", reason="the hub refused this event for good")
        consumer = store.consumer(row["consumer"])
        if consumer is not None and row["outbox_id"] > consumer["cursor"]:
            # The next in line, waiting for its back-off: try it now.
            store.update_consumer(row["consumer"], next_attempt_at=None)
        elif store.outbox_row(row["outbox_id"]) is None:
            raise Conflict("not_retryable", reason="the event was deleted by retention")
        store.set_delivery(delivery_id, status=outbox.PENDING, next_attempt_at=time_text(now),
                           updated_at=time_text(now))
        audit.add(store, actor=actor, action=audit.DELIVERY_RETRIED, now=now,
                  target=f"delivery:{delivery_id}",
                  detail=f"{row['event']} seq {row['outbox_id']} to {row['url']}"[:500])
        stream = store.stream()
        changed = store.delivery(delivery_id)
    assert changed is not None
    return delivery_json(changed, stream)
