"""Pairing devices: a device asks for a code and collects its token; an admin approves."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from queue_core.service.pairing import Pairings
from queue_core.web import validation
from queue_core.web.addresses import box_url
from queue_core.web.api.base import actor, api, center, created
from queue_core.web.security import requires


def _pairings() -> Pairings:
    return current_app.extensions["xephang"].pairings  # type: ignore[no-any-return]


@api.post("/pairing")
def start_pairing() -> tuple[Response, int]:
    """A device without a token: its code, and where an admin types it."""
    body = validation.json_body()
    started = _pairings().start(body.get("device"), name=body.get("name"),
                                address=request.remote_addr or "?", now=center().clock.now())
    base = box_url(request, center().settings)
    return created({**started, "address": base, "admin_url": f"{base}/admin#thiet-bi"})


@api.get("/pairing/<pairing_id>")
def collect_pairing(pairing_id: str) -> Response:
    """Waiting, or the device's token (once); 404 after that or once the code expired."""
    return jsonify(_pairings().collect(pairing_id[:100], now=center().clock.now()))


@api.get("/pairing")
@requires("admin")
def pending_pairings() -> Response:
    return jsonify(_pairings().pending(now=center().clock.now()))


@api.post("/pairing/approve")
@requires("admin")
def approve_pairing() -> Response:
    body = validation.json_body()
    settings = center().settings
    return jsonify(_pairings().approve(
        body.get("code"), role=body.get("role"), counter=body.get("counter"),
        name=body.get("name"), actor=actor(), now=center().clock.now(),
        known_counters={c.number for c in settings.counters}))
