"""Tickets: issue (once per request key), read, list, history, cancel, restore, priority.

An officer bound to a counter acts on, and lists, only tickets of the fields it serves.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from queue_core.domain import dossiers, holder
from queue_core.domain.errors import Forbidden, InvalidInput
from queue_core.service import auth
from queue_core.web import validation
from queue_core.web.api.base import actor, api, center
from queue_core.web.api.procedures import catalog
from queue_core.web.security import (current_principal, ensure_field_allowed, holder_or_box,
                                     own_fields, requires, ticket_as_seen)


@api.post("/tickets")
@requires("kiosk", "staff")
def issue_ticket() -> tuple[Response, int]:
    body = validation.json_body()
    service = validation.take(body, "service", str, reason="a field code such as 'A'")
    priority = validation.take(body, "priority", str, default=None,
                               reason="null or a priority category")
    principal = current_principal()
    assert principal is not None
    default_channel = "kiosk" if principal.role == "kiosk" else "staff"
    channel = validation.take(body, "channel", str, default=default_channel, reason="a channel")
    key = request.headers.get("Idempotency-Key") or validation.take(
        body, "request_key", str, default=None, reason="a client-chosen unique text")
    if key is not None and not 8 <= len(key) <= 100:
        raise InvalidInput(field="request_key", reason="8 to 100 characters")
    # A kiosk's tickets count against its minute on this route as on /kiosk/tickets.
    ticket, created = current_app.extensions["xephang"].kiosk_limit.issue(
        center(), principal, service, priority=priority, channel=channel, request_key=key)
    return jsonify(ticket), 201 if created else 200


@api.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str) -> Response:
    """Anyone may read a ticket; its dossier only with a credential or the holder key."""
    ticket = center().ticket(ticket_id)
    given = request.args.get(holder.PAGE_PARAMETER)
    return jsonify(ticket_as_seen(ticket, holder=holder_or_box(center(), ticket_id, given)))


@api.get("/tickets")
@requires("staff")
def list_tickets() -> Response:
    service = request.args.get("service") or None
    if service is not None:
        ensure_field_allowed(center().service(service).code)
    return jsonify(center().tickets(state=request.args.get("state") or None, service=service,
                                    date=validation.query_date("date"), among=own_fields()))


def _own_ticket(ticket_id: str) -> None:
    """Refuse a caller bound to a counter that does not serve this ticket's field."""
    ensure_field_allowed(center().ticket(ticket_id)["service"])


@api.get("/tickets/<ticket_id>/transitions")
@requires("staff")
def ticket_transitions(ticket_id: str) -> Response:
    _own_ticket(ticket_id)
    return jsonify(center().transitions(ticket_id))


@api.post("/tickets/<ticket_id>/cancel")
@requires("staff")
def cancel_ticket(ticket_id: str) -> Response:
    _own_ticket(ticket_id)
    return jsonify(center().cancel(ticket_id, actor=actor()))


@api.post("/tickets/<ticket_id>/restore")
@requires("staff")
def restore_ticket(ticket_id: str) -> Response:
    _own_ticket(ticket_id)
    body = validation.json_body(required=False)
    keep = validation.take(body, "keep_place", bool, default=True, reason="true or false")
    return jsonify(center().restore(ticket_id, actor=actor(), keep_place=keep))


@api.put("/tickets/<ticket_id>/priority")
@requires("staff")
def ticket_priority(ticket_id: str) -> Response:
    _own_ticket(ticket_id)
    body = validation.json_body()
    priority = validation.take(body, "priority", str, default=None,
                               reason="null or a priority category")
    return jsonify(center().set_priority(ticket_id, priority, actor=actor()))


@api.put("/tickets/<ticket_id>/dossier")
@requires("staff")
def ticket_dossier(ticket_id: str) -> Response:
    """Attach the one-door dossier the visit became (only at the counter that called it)."""
    body = validation.json_body()
    code = validation.take(body, "code", str, reason="the dossier code (mã hồ sơ)")
    procedure = validation.take(body, "procedure", str, default=None,
                                reason="null or a procedure code of the catalog")
    if procedure is not None:
        # Only a procedure of the catalog (the look-up kiosk's) may be named.
        procedure = catalog().procedure(dossiers.procedure_code(procedure)).code
    principal = current_principal()
    counter = None
    if principal is not None and principal.role in auth.COUNTER_BOUND_ROLES:
        if principal.counter is None:
            raise Forbidden("wrong_counter", allowed="—")
        counter = principal.counter
    return jsonify(center().attach_dossier(ticket_id, code, procedure=procedure, actor=actor(),
                                           counter=counter))
