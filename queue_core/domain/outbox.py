"""What leaves the box: the outbox's envelope, its signature, and when to try again.

Every published event is kept as one outbox row in the transaction of the change it
describes; its row id is the event's place in the box's *stream* (1, 2, 3 … with no gaps,
never reused). Webhook endpoints and the province hub read the same rows, each from its
own cursor. The envelope they get is `{"id","event","seq","at","data"}`, where `id` is the
delivery id (the stream and the seq: stable across retries, the same for every receiver).

>>> envelope("7f3c", 12, "ticket_called", "2026-11-23T08:04:59.871+07:00", {"seq": 40})["id"]
'7f3c-12'
>>> signed = signature(b"secret", "1700000000", b'{"a":1}')
>>> signed[:7], verify(b"secret", "1700000000", b'{"a":1}', signed)
('sha256=', True)
>>> verify(b"secret", "1700000001", b'{"a":1}', signed)
False
>>> backoff(1, jitter=0.0), backoff(2, jitter=0.0), backoff(30, jitter=0.0)
(5.0, 10.0, 3600.0)
"""

from __future__ import annotations

import hashlib
import hmac
import random
from typing import Any

from queue_core.domain.events import (
    COUNTER_UPDATED,
    DOSSIER_ATTACHED,
    RATING_GIVEN,
    RATING_REQUESTED,
    TICKET_CALLED,
    TICKET_ISSUED,
    TICKET_UPDATED,
)

# The events an endpoint may ask for (settings `webhooks[i].events`); every one is forwarded
# to the province hub.
OUTBOX_EVENTS = (TICKET_ISSUED, TICKET_CALLED, TICKET_UPDATED, COUNTER_UPDATED,
                 RATING_REQUESTED, RATING_GIVEN, DOSSIER_ATTACHED)
TICKET_EVENTS = (TICKET_ISSUED, TICKET_CALLED, TICKET_UPDATED)

# Headers of a webhook delivery (GitHub/Stripe-style).
EVENT_HEADER = "X-Xephang-Event"
DELIVERY_HEADER = "X-Xephang-Delivery"
SIGNATURE_HEADER = "X-Xephang-Signature"
TIMESTAMP_HEADER = "X-Xephang-Timestamp"

# What became of one delivery.
PENDING = "pending"      # waiting for its turn or its next attempt
DELIVERED = "delivered"  # the receiver answered 2xx (or the hub applied it)
FAILED = "failed"        # the last attempt failed; it will be tried again at next_attempt_at
REJECTED = "rejected"    # the hub refused this event for good (it is not sent again)
LOST = "lost"            # removed by retention before it was delivered
DELIVERY_STATES = (PENDING, DELIVERED, FAILED, REJECTED, LOST)

FIRST_RETRY_SECONDS = 5.0
LONGEST_RETRY_SECONDS = 3600.0


def delivery_id(stream: str, seq: int) -> str:
    """Return the id of the event at `seq` of `stream`: what receivers de-duplicate by."""
    return f"{stream}-{seq}"


def envelope(stream: str, seq: int, event: str, at: str, data: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON object one event travels in."""
    return {"id": delivery_id(stream, seq), "event": event, "seq": seq, "at": at, "data": data}


def signed_text(timestamp: str, body: bytes) -> bytes:
    """Return what is signed: the timestamp, a dot, the raw body (so a replay cannot move it)."""
    return timestamp.encode("ascii") + b"." + body


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """Return the `X-Xephang-Signature` value: `sha256=` and the hex HMAC-SHA256."""
    digest = hmac.new(secret, signed_text(timestamp, body), hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: bytes, timestamp: str, body: bytes, header: str) -> bool:
    """Tell whether `header` signs `body` at `timestamp` with `secret` (constant-time)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def backoff(attempts: int, *, jitter: float | None = None, first: float = FIRST_RETRY_SECONDS,
            longest: float = LONGEST_RETRY_SECONDS) -> float:
    """Return the seconds to wait after `attempts` failed tries: doubling, capped, jittered.

    5 s, 10 s, 20 s … up to an hour; the jitter (a fraction, random by default) spreads the
    retries of many boxes so a receiver coming back is not hit by all of them at once.
    """
    base: float = min(longest, first * 2.0 ** min(40, max(0, attempts - 1)))
    spread = random.uniform(0.0, 0.25) if jitter is None else jitter
    return float(min(longest, base * (1.0 + spread)))


__all__ = ["OUTBOX_EVENTS", "TICKET_EVENTS", "backoff", "delivery_id", "envelope", "signature",
           "verify"]
