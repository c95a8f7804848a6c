"""The rules for a rating given at a counter's device or by the ticket holder.

A counter's device rates only the ticket just finished there, within the time its
screens stay up plus a margin, so a stale screen can never rate the next citizen's
visit; the holder rates on their own ticket page, the same business day.

>>> from queue_core.config import load_settings
>>> rating_window_seconds(load_settings(env={}))
50
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from queue_core.config import Settings
from queue_core.domain import businessday
from queue_core.domain.errors import Conflict
from queue_core.domain.model import DONE
from queue_core.service.center import Center

# The rating device shows its choices, then (when unsatisfied) the reasons, each for
# `ratings.idle_seconds`; a rating later than both screens plus this margin is refused,
# so a stale screen can never rate the next citizen's visit.
RATING_GRACE_SECONDS = 10
# How long the rating device says thank you before it goes back to idle.
THANKS_SECONDS = 6


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


def rate_by_holder(center: Center, ticket_id: str, level: Any, *,
                   comment: Any = None) -> dict[str, Any]:
    """Keep the rating the citizen gave on their own ticket page (same business day)."""
    ticket = center.ticket(ticket_id)
    today = businessday.day_of(center.clock.now())
    if ticket["state"] == DONE and ticket["day"] != today and not _rated(center, ticket["id"]):
        raise Conflict("rating_expired", label=ticket["label"])
    return center.rate(ticket["id"], level, comment=comment)


def _rated(center: Center, ticket_id: str) -> bool:
    with center.store.read():
        return center.store.rating(ticket_id) is not None
