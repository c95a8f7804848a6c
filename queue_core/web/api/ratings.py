"""Ratings: by a device (a kiosk token), at a counter or by ticket; by the ticket holder; options.

Both device routes follow one rule (the ticket just finished at a counter, within the
window; a device bound to a counter rates only there) and one limit per device. The
holder's route needs the key from the ticket's QR code and is limited per address.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from queue_core.service import ratings as rules
from queue_core.service.throttle import Throttle
from queue_core.web import validation
from queue_core.web.api.base import api, center, created
from queue_core.web.security import current_principal, ensure_counter_allowed, requires


def _rating_body() -> tuple[str, str | None]:
    body = validation.json_body()
    level = validation.take(body, "level", str, reason="very_satisfied, satisfied or unsatisfied")
    comment = validation.take(body, "comment", str, default=None, reason="text")
    return level, comment


def _throttle(name: str, limit: int) -> Throttle:
    throttle: Throttle = current_app.extensions.setdefault(name, Throttle(limit=limit, window=60))
    return throttle


def throttle_device() -> None:
    """Count one rating from the calling device (429 past its minute)."""
    principal = current_principal()
    assert principal is not None
    _throttle("xephang_device_ratings", rules.DEVICE_RATINGS_PER_MINUTE).hit(principal.actor)


def throttle_holder(address: str) -> None:
    """Count one rating attempt from a ticket page at `address` (429 past the limit)."""
    _throttle("xephang_holder_ratings", rules.HOLDER_RATINGS_PER_MINUTE).hit(address)


@api.post("/tickets/<ticket_id>/rating")
@requires("kiosk")
def rate_ticket(ticket_id: str) -> tuple[Response, int]:
    throttle_device()
    ensure_counter_allowed(rules.served_at(center(), ticket_id))
    level, comment = _rating_body()
    return created(rules.rate_by_device(center(), ticket_id, level, comment=comment))


@api.get("/ratings/options")
def rating_options() -> Response:
    return jsonify(rules.rating_options(center().settings))


@api.post("/counters/<int:number>/rating")
@requires("kiosk")
def rate_at_counter(number: int) -> tuple[Response, int]:
    throttle_device()
    center().counter(number)
    ensure_counter_allowed(number)
    body = validation.json_body()
    ticket_id = validation.take(body, "ticket", str, reason="a ticket id")
    level = validation.take(body, "level", str, reason="very_satisfied, satisfied or unsatisfied")
    comment = validation.take(body, "comment", str, default=None, reason="text")
    return created(rules.rate_at_counter(center(), number, ticket_id, level, comment=comment))


@api.post("/tickets/<ticket_id>/citizen-rating")
def rate_by_holder(ticket_id: str) -> tuple[Response, int]:
    throttle_holder(request.remote_addr or "?")
    body = validation.json_body()
    key = validation.take(body, "key", str, default=None,
                          reason="the key from the ticket's QR code")
    level = validation.take(body, "level", str, reason="very_satisfied, satisfied or unsatisfied")
    comment = validation.take(body, "comment", str, default=None, reason="text")
    return created(rules.rate_by_holder(center(), ticket_id, key, level, comment=comment))
