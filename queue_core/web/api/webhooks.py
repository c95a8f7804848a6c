"""The outbox's receivers over HTTP (admin): where each stands, every delivery, "send again".

| method and path | role | result |
|---|---|---|
| ``GET /webhooks`` | admin | the stream, the outbox's size and retention, each receiver's cursor and last error |
| ``GET /webhooks/deliveries?limit=N[&status=]`` | admin | deliveries, newest first |
| ``POST /webhooks/deliveries/{delivery_id}/retry`` | admin | 200 the delivery, asked again (audited) |
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from queue_core.domain import outbox as events
from queue_core.domain.errors import InvalidInput, NotFound
from queue_core.service import outbox
from queue_core.web import validation
from queue_core.web.api.base import actor
from queue_core.web.security import requires

webhooks_api = Blueprint("webhooks_api", __name__, url_prefix="/api/v1")


@webhooks_api.get("/webhooks")
@requires("admin")
def webhooks_status() -> Response:
    xephang = current_app.extensions["xephang"]
    return jsonify(outbox.status(xephang.store, xephang.settings))


@webhooks_api.get("/webhooks/deliveries")
@requires("admin")
def webhook_deliveries() -> Response:
    limit = validation.query_int("limit", low=1, high=outbox.MAX_LIMIT) or 100
    state = request.args.get("status") or None
    if state is not None and state not in events.DELIVERY_STATES:
        raise InvalidInput(field="status", reason=f"one of {', '.join(events.DELIVERY_STATES)}")
    return jsonify(outbox.deliveries(current_app.extensions["xephang"].store, limit=limit,
                                     status=state))


@webhooks_api.post("/webhooks/deliveries/<delivery_id>/retry")
@requires("admin")
def retry_delivery(delivery_id: str) -> Response:
    xephang = current_app.extensions["xephang"]
    if not delivery_id.isdigit() or len(delivery_id) > 18:
        raise NotFound("unknown_delivery")
    asked = outbox.retry(xephang.store, int(delivery_id), actor=actor(),
                         now=xephang.center.clock.now())
    xephang.center.outbox_grew()
    return jsonify(asked)
