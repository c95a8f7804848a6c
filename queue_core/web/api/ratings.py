"""Ratings: by a kiosk, by a counter's rating device, by the ticket holder; the options offered."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from queue_core.service.ratings import rate_at_counter as rate_here
from queue_core.service.ratings import rate_by_holder as rate_mine
from queue_core.service.ratings import rating_options as options
from queue_core.service.throttle import Throttle
from queue_core.web import validation
from queue_core.web.api.base import api, center, created
from queue_core.web.security import requires

# Ticket pages are anonymous: one address may try this many ratings a minute.
HOLDER_RATINGS_PER_MINUTE = 10


@api.post("/tickets/<ticket_id>/rating")
@requires("kiosk")
def rate_ticket(ticket_id: str) -> tuple[Response, int]:
    body = validation.json_body()
    level = validation.take(body, "level", str, reason="very_satisfied, satisfied or unsatisfied")
    comment = validation.take(body, "comment", str, default=None, reason="text")
    return created(center().rate(ticket_id, level, comment=comment))


@api.get("/ratings/options")
def rating_options() -> Response:
    return jsonify(options(center().settings))


@api.post("/counters/<int:number>/rating")
@requires("kiosk")
def rate_at_counter(number: int) -> tuple[Response, int]:
    body = validation.json_body()
    ticket_id = validation.take(body, "ticket", str, reason="a ticket id")
    level = validation.take(body, "level", str, reason="very_satisfied, satisfied or unsatisfied")
    comment = validation.take(body, "comment", str, default=None, reason="text")
    return created(rate_here(center(), number, ticket_id, level, comment=comment))


@api.post("/tickets/<ticket_id>/citizen-rating")
def rate_by_holder(ticket_id: str) -> tuple[Response, int]:
    throttle_holder(request.remote_addr or "?")
    body = validation.json_body()
    level = validation.take(body, "level", str, reason="very_satisfied, satisfied or unsatisfied")
    comment = validation.take(body, "comment", str, default=None, reason="text")
    return created(rate_mine(center(), ticket_id, level, comment=comment))


def throttle_holder(address: str) -> None:
    """Count one rating attempt from a ticket page at `address` (429 past the limit)."""
    throttle = current_app.extensions.setdefault(
        "xephang_holder_ratings", Throttle(limit=HOLDER_RATINGS_PER_MINUTE, window=60))
    throttle.hit(address)
