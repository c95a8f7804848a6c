"""The rules for a rating given at a counter's device or by the ticket holder.

A device (a kiosk token) rates only a ticket just finished at a counter, within the time
the rating screens stay up plus a margin, so a stale screen can never rate the next
citizen's visit; this holds whichever route it takes (`/counters/{n}/rating` or
`/tickets/{id}/rating`). The holder rates on their own ticket page, the same business
day, with the key printed in the ticket's QR code: the ticket's id alone, which the
wall screen shows, rates nothing.

>>> from queue_core.config import load_settings
>>> rating_window_seconds(load_settings(env={}))
50
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from queue_core.config import Settings
from queue_core.domain import businessday
from queue_core.domain.errors import Conflict, Forbidden
from queue_core.domain.model import DONE
from queue_core.service.center import Center

# The rating device shows its choices, then (when unsatisfied) the reasons, each for
# `ratings.idle_seconds`; a rating later than both screens plus this margin is refused,
# so a stale screen can never rate the next citizen's visit.
RATING_GRACE_SECONDS = 10
# How long the rating device says thank you before it goes back to idle.
THANKS_SECONDS = 6
# Ratings one device may send a minute (a counter finishes far fewer citizens than this),
# and rating attempts one address may make a minute from ticket pages.
DEVICE_RATINGS_PER_MINUTE = 20
HOLDER_RATINGS_PER_MINUTE = 10


def rating_options(settings: Settings) -> dict[str, Any]:
    """Return the levels (with their words), the reasons and the device timings."""
    ratings = settings.ratings
    return {
        "levels": [{"level": level, "label": label}
                   for level, label in zip(ratings.levels, ratings.labels, strict=True)],
        "reasons": list(ratings.reasons),
        "reasons_for": ["unsatisfied"],
        "idle_seconds": ratings.idle_seconds,
        "thanks_seconds": THANKS_SECONDS,
        "window_seconds": rating_window_seconds(settings),
    }


def rating_window_seconds(settings: Settings) -> int:
    """Return how long after `finish` the counter's rating device may still rate."""
    return 2 * settings.ratings.idle_seconds + RATING_GRACE_SECONDS


def rate_at_counter(center: Center, number: int, ticket_id: str, level: Any, *,
                    comment: Any = None) -> dict[str, Any]:
    """Keep the rating a counter's device took for the ticket just finished there."""
    center.counter(number)
    ticket = center.ticket(ticket_id)
    if ticket["state"] == DONE:
        if ticket["counter"] != number:
            raise Conflict("rating_wrong_counter", label=ticket["label"], counter=number)
        finished = datetime.fromisoformat(ticket["finished_at"])
        late = (center.clock.now() - finished).total_seconds() > rating_window_seconds(
            center.settings)
        if late and not _rated(center, ticket["id"]):
            raise Conflict("rating_expired", label=ticket["label"])
    return center.rate(ticket["id"], level, comment=comment)


def served_at(center: Center, ticket_id: str) -> int:
    """Return the counter that finished a ticket; 409 `not_rateable` when none did."""
    ticket = center.ticket(ticket_id)
    if ticket["state"] != DONE or ticket["counter"] is None:
        raise Conflict("not_rateable")
    return int(ticket["counter"])


def rate_by_device(center: Center, ticket_id: str, level: Any, *,
                   comment: Any = None) -> dict[str, Any]:
    """Keep a device's rating of a ticket: the same rule as at the counter that served it."""
    return rate_at_counter(center, served_at(center, ticket_id), ticket_id, level,
                           comment=comment)


def rate_by_holder(center: Center, ticket_id: str, key: Any, level: Any, *,
                   comment: Any = None) -> dict[str, Any]:
    """Keep the rating the citizen gave on their own ticket page (same business day).

    `key` must be the ticket's holder key (printed in its QR code): 403 otherwise.
    """
    if not center.holder_key_matches(ticket_id, key):
        raise Forbidden("wrong_ticket_key")
    ticket = center.ticket(ticket_id)
    today = businessday.day_of(center.clock.now())
    if ticket["state"] == DONE and ticket["day"] != today and not _rated(center, ticket["id"]):
        raise Conflict("rating_expired", label=ticket["label"])
    return center.rate(ticket["id"], level, comment=comment)


def _rated(center: Center, ticket_id: str) -> bool:
    with center.store.read():
        return center.store.rating(ticket_id) is not None
