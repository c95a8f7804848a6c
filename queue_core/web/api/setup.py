"""The first run from a browser: the setup code, the first admin, the center's basics."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask_wtf.csrf import generate_csrf

from queue_core.service import setup
from queue_core.service.settings import settings_invalid
from queue_core.config import with_changes
from queue_core.domain.errors import ConfigError
from queue_core.web import validation
from queue_core.web.api.base import api, center
from queue_core.web.security import begin_session

# What the first-run page may set besides the admin: the center's name, hours, days, demo.
CENTER_KEYS = {"center_name": "name", "opens_at": "opens_at", "closes_at": "closes_at",
               "workdays": "workdays", "demo": "demo"}


@api.post("/setup")
def run_setup() -> tuple[Response, int]:
    xephang = current_app.extensions["xephang"]
    address = request.remote_addr or "?"
    xephang.setup_throttle.hit(address)
    body = validation.json_body()
    changes = _center_changes(body)
    now = center().clock.now()
    username = setup.complete(xephang.store, code=body.get("code"), username=body.get("username"),
                              password=body.get("password"), now=now, address=address,
                              data_dir=xephang.settings.data_path)
    if changes:
        xephang.console.patch({"center": changes}, actor=f"user:{username}")
    begin_session(xephang.store, username)
    person = {"username": username, "role": "admin", "kind": "user", "counter": None}
    return jsonify({"user": person, "csrf_token": generate_csrf()}), 201


def _center_changes(body: dict[str, Any]) -> dict[str, Any]:
    """Return the center's settings the page sent, checked before anything is created."""
    changes = {key: body[name] for name, key in CENTER_KEYS.items() if name in body}
    if changes:
        try:
            with_changes(center().settings, {"center": changes})
        except ConfigError as exc:
            raise settings_invalid(exc) from None
    return changes


__all__ = ["run_setup"]
