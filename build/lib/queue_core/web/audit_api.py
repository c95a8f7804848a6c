"""The audit log over HTTP: `GET /api/v1/audit` for managers, and the hooks that fill it.

Ticket actions are recorded by the center itself (their transitions). These hooks add
what a person does beside tickets: logging in and out (and failing to), opening,
pausing or closing a counter, and any other change a staff, manager or admin account
makes through an endpoint that leaves no ticket transition (a reprint, say).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, session

from .. import audit
from ..errors import InvalidInput
from . import validation
from .security import requires

log = logging.getLogger("xephang")

audit_api = Blueprint("audit_api", __name__, url_prefix="/api/v1")

# Endpoints whose effect is already a ticket transition (with actor and time).
TICKET_ENDPOINTS = frozenset({
    "api.issue_ticket", "api.call_next", "api.call_ticket", "api.recall", "api.no_show",
    "api.finish", "api.transfer", "api.cancel_ticket", "api.restore_ticket",
    "api.ticket_priority", "api.rate_ticket", "api.rate_at_counter", "api.rate_by_holder",
    "kiosk.issue_and_print",
})
LOGIN_ENDPOINT = "api.login"
LOGOUT_ENDPOINT = "api.logout"
COUNTER_STATE_ENDPOINT = "api.counter_state"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PEOPLE_ROLES = frozenset({"staff", "manager", "admin"})


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


@audit_api.before_app_request
def _remember_who_leaves() -> None:
    # Logging out clears the session; remember whose it was for the entry.
    if request.endpoint == LOGOUT_ENDPOINT:
        g.audit_leaving = session.get("user")


@audit_api.after_app_request
def _record_action(response: Response) -> Response:
    try:
        entry = _entry_for(response)
        if entry is not None:
            xephang = current_app.extensions["xephang"]
            audit.record(xephang.store, now=xephang.center.clock.now(), **entry)
    except Exception:  # an audit failure must not undo the answer made
        log.exception("could not record an audit entry for %s %s", request.method, request.path)
    return response


def _entry_for(response: Response) -> dict[str, Any] | None:
    endpoint = request.endpoint or ""
    status = response.status_code
    address = request.remote_addr or "?"
    if endpoint == LOGIN_ENDPOINT:
        body = request.get_json(silent=True)
        username = body.get("username") if isinstance(body, dict) else None
        if not isinstance(username, str) or not username:
            return None
        if status == 200:
            return {"actor": f"user:{username}", "action": audit.LOGIN, "detail": address}
        if status in (401, 429):
            action = audit.LOGIN_FAILED if status == 401 else audit.LOGIN_THROTTLED
            return {"actor": "anonymous", "action": action, "target": f"user:{username}",
                    "detail": address}
        return None
    if status >= 400 or request.method not in MUTATING:
        return None
    if endpoint == LOGOUT_ENDPOINT:
        who = g.get("audit_leaving")
        return {"actor": f"user:{who}", "action": audit.LOGOUT, "detail": address} if who else None
    principal = g.get("principal")
    if principal is None:
        return None
    if endpoint == COUNTER_STATE_ENDPOINT:
        body = request.get_json(silent=True)
        state = body.get("state") if isinstance(body, dict) else None
        number = (request.view_args or {}).get("number")
        return {"actor": principal.actor, "action": audit.COUNTER_STATE,
                "target": f"counter:{number}", "detail": str(state)}
    if endpoint in TICKET_ENDPOINTS or principal.role not in PEOPLE_ROLES:
        return None
    target = next((f"{key}:{value}" for key, value in (request.view_args or {}).items()), None)
    return {"actor": principal.actor, "action": endpoint.rpartition(".")[2] or endpoint,
            "target": target, "detail": f"{request.method} {request.path}"}
