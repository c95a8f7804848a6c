"""The audit log over HTTP: `GET /api/v1/audit` for managers.

Entries are written where the change happens, not here: ticket steps by the center (their
transitions), counter states by the center in the same transaction, logins and logouts
by `service.auth`, reprints by `service.printing`, people and tokens by the CLI's services.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, jsonify, request

from queue_core.domain.errors import InvalidInput
from queue_core.service import audit
from queue_core.web import validation
from queue_core.web.security import requires

audit_api = Blueprint("audit_api", __name__, url_prefix="/api/v1")

@audit_api.get("/audit")
@requires("manager")
def audit_log() -> Response:
    """Who did what: ticket actions and the rest, newest first."""
    since = validation.query_date("from")
    until = validation.query_date("to")
    if since and until and since > until:
        raise InvalidInput(field="from", reason="a date not after 'to'")
    limit = validation.query_int("limit", low=1, high=audit.MAX_ENTRIES) or 200
    everything = request.args.get("all", "0") in ("1", "true", "yes")
    store = current_app.extensions["xephang"].store
    return jsonify(audit.entries(
        store, since=date.fromisoformat(since) if since else None,
        until=date.fromisoformat(until) if until else None,
        actor=request.args.get("actor") or None, action=request.args.get("action") or None,
        everything=everything, limit=limit))
