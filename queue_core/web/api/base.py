"""What every resource module of the API shares: the blueprint, the center, who is acting.

Endpoints keep the names `api.<function>` (the OpenAPI document's operation ids).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from queue_core.service.center import Center
from queue_core.web.security import current_principal

api = Blueprint("api", __name__, url_prefix="/api/v1")

COUNTER_OPERATORS = ("staff", "keypad")


def center() -> Center:
    return current_app.extensions["xephang"].center  # type: ignore[no-any-return]


def actor() -> str:
    """Name who is acting, as the audit trail keeps it."""
    principal = current_principal()
    return principal.actor if principal else "anonymous"


def officer() -> str | None:
    """Return the officer's username when a person (not a device) is acting."""
    principal = current_principal()
    return principal.name if principal is not None and principal.kind == "user" else None


def created(body: Any) -> tuple[Response, int]:
    return jsonify(body), 201
