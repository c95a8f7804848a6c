"""The REST API of CONTRACT.md under /api/v1: validate, call the center, answer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, session
from flask_wtf.csrf import generate_csrf

from .. import __version__, auth
from ..center import Center
from ..errors import InvalidInput, Unauthorized
from . import validation
from .security import current_principal, ensure_counter_allowed, requires

api = Blueprint("api", __name__, url_prefix="/api/v1")

COUNTER_OPERATORS = ("staff", "keypad")


def center() -> Center:
    return current_app.extensions["xephang"].center  # type: ignore[no-any-return]


def _actor() -> str:
    principal = current_principal()
    return principal.actor if principal else "anonymous"


def _officer() -> str | None:
    principal = current_principal()
    return principal.name if principal is not None and principal.kind == "user" else None


def _created(body: Any) -> tuple[Response, int]:
    return jsonify(body), 201


# --- public board data -------------------------------------------------------------------------

@api.get("/health")
def health() -> Response:
    xephang = current_app.extensions["xephang"]
    try:
        with xephang.store.read():
            xephang.store.seq()
        database = "ok"
    except Exception:
        database = "error"
    devices = xephang.hub.device_report()
    degraded = database != "ok" or any(
        devices[name]["status"] in ("error", "offline") for name in ("printer", "audio"))
    return jsonify({"status": "degraded" if degraded else "ok", "database": database,
                    "printer": devices["printer"]["status"], "audio": devices["audio"]["status"],
                    "devices": devices, "version": __version__})


@api.get("/state")
def state() -> Response:
    return jsonify(center().board())


@api.get("/services")
def services() -> Response:
    return jsonify(center().services())


@api.get("/counters")
def counters() -> Response:
    return jsonify(center().counters())


@api.get("/counters/<int:number>")
def counter(number: int) -> Response:
    return jsonify(center().counter_view(number))


@api.get("/speech")
def speech() -> Response:
    label = request.args.get("label", "").strip()
    if not label:
        raise InvalidInput(field="label", reason="required: a ticket label such as A023")
    number = validation.query_int("counter", required=True, low=1, high=99_999)
    recall = request.args.get("recall", "0") in ("1", "true", "yes")
    from announcer.text import SpeechTextError

    try:
        text = center().speech(label, number or 1, recall=recall)
    except SpeechTextError as exc:
        raise InvalidInput(field="label", reason=str(exc)) from None
    return jsonify({"text": text})


# --- tickets -----------------------------------------------------------------------------------

@api.post("/tickets")
@requires("kiosk", "staff")
def issue_ticket() -> tuple[Response, int]:
    body = validation.json_body()
    service = validation.take(body, "service", str, reason="a field code such as 'A'")
    priority = validation.take(body, "priority", str, default=None,
                               reason="null or a priority category")
    principal = current_principal()
    default_channel = "kiosk" if principal is not None and principal.role == "kiosk" else "staff"
    channel = validation.take(body, "channel", str, default=default_channel, reason="a channel")
    key = request.headers.get("Idempotency-Key") or validation.take(
        body, "request_key", str, default=None, reason="a client-chosen unique text")
    if key is not None and not 8 <= len(key) <= 100:
        raise InvalidInput(field="request_key", reason="8 to 100 characters")
    ticket, created = center().issue_once(service, priority=priority, channel=channel,
                                          actor=_actor(), request_key=key)
    return jsonify(ticket), 201 if created else 200


@api.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str) -> Response:
    return jsonify(center().ticket(ticket_id))


@api.get("/tickets")
@requires("staff")
def list_tickets() -> Response:
    return jsonify(center().tickets(state=request.args.get("state") or None,
                                    service=request.args.get("service") or None,
                                    date=validation.query_date("date")))


@api.get("/tickets/<ticket_id>/transitions")
@requires("staff")
def ticket_transitions(ticket_id: str) -> Response:
    return jsonify(center().transitions(ticket_id))


@api.post("/tickets/<ticket_id>/cancel")
@requires("staff")
def cancel_ticket(ticket_id: str) -> Response:
    return jsonify(center().cancel(ticket_id, actor=_actor()))


@api.post("/tickets/<ticket_id>/restore")
@requires("staff")
def restore_ticket(ticket_id: str) -> Response:
    body = validation.json_body(required=False)
    keep = validation.take(body, "keep_place", bool, default=True, reason="true or false")
    return jsonify(center().restore(ticket_id, actor=_actor(), keep_place=keep))


@api.put("/tickets/<ticket_id>/priority")
@requires("staff")
def ticket_priority(ticket_id: str) -> Response:
    body = validation.json_body()
    priority = validation.take(body, "priority", str, default=None,
                               reason="null or a priority category")
    return jsonify(center().set_priority(ticket_id, priority, actor=_actor()))


@api.post("/tickets/<ticket_id>/rating")
@requires("kiosk")
def rate_ticket(ticket_id: str) -> tuple[Response, int]:
    body = validation.json_body()
    level = validation.take(body, "level", str, reason="very_satisfied, satisfied or unsatisfied")
    comment = validation.take(body, "comment", str, default=None, reason="text")
    return _created(center().rate(ticket_id, level, comment=comment))


# --- counters ----------------------------------------------------------------------------------

def _operate(number: int) -> None:
    center().counter(number)
    ensure_counter_allowed(number)


@api.post("/counters/<int:number>/call-next")
@requires(*COUNTER_OPERATORS)
def call_next(number: int) -> Response | tuple[str, int]:
    _operate(number)
    ticket = center().call_next(number, actor=_actor(), officer=_officer())
    if ticket is None:
        return "", 204
    return jsonify(ticket)


@api.post("/counters/<int:number>/call")
@requires("staff")
def call_ticket(number: int) -> Response:
    _operate(number)
    body = validation.json_body()
    ticket_id = validation.take(body, "ticket", str, reason="a ticket id")
    return jsonify(center().call(number, ticket_id, actor=_actor(), officer=_officer()))


@api.post("/counters/<int:number>/recall")
@requires(*COUNTER_OPERATORS)
def recall(number: int) -> Response:
    _operate(number)
    return jsonify(center().recall(number, actor=_actor()))


@api.post("/counters/<int:number>/no-show")
@requires(*COUNTER_OPERATORS)
def no_show(number: int) -> Response:
    _operate(number)
    return jsonify(center().no_show(number, actor=_actor()))


@api.post("/counters/<int:number>/finish")
@requires(*COUNTER_OPERATORS)
def finish(number: int) -> Response:
    _operate(number)
    return jsonify(center().finish(number, actor=_actor()))


@api.post("/counters/<int:number>/transfer")
@requires("staff")
def transfer(number: int) -> Response:
    _operate(number)
    body = validation.json_body()
    service = validation.take(body, "service", str, reason="a field code such as 'F'")
    keep = validation.take(body, "keep_place", bool, default=True, reason="true or false")
    return jsonify(center().transfer(number, service, actor=_actor(), keep_place=keep))


@api.put("/counters/<int:number>/state")
@requires("staff")
def counter_state(number: int) -> Response:
    _operate(number)
    body = validation.json_body()
    state = validation.take(body, "state", str, reason="open, paused or closed")
    return jsonify(center().set_counter_state(number, state, actor=_actor(), officer=_officer()))


# --- people ------------------------------------------------------------------------------------

@api.post("/auth/login")
def login() -> Response:
    body = validation.json_body()
    username = validation.take(body, "username", str, reason="a username")
    password = validation.take(body, "password", str, reason="a password")
    counter_number = validation.take(body, "counter", int, default=None, reason="a counter number")
    if counter_number is not None:
        center().counter(counter_number)
    xephang = current_app.extensions["xephang"]
    key = f"{request.remote_addr}|{username.lower()}"
    xephang.login_throttle.hit(key)
    principal = auth.authenticate(xephang.store, username, password)
    if principal is None:
        raise Unauthorized("bad_credentials")
    xephang.login_throttle.reset(key)
    session.clear()
    session.permanent = True
    session["user"] = principal.name
    session["counter"] = counter_number
    return jsonify({"user": _person(principal, counter_number), "csrf_token": generate_csrf()})


@api.post("/auth/logout")
def logout() -> Response:
    session.clear()
    return jsonify({"ok": True})


@api.get("/auth/me")
def me() -> Response:
    principal = current_principal()
    if principal is None:
        raise Unauthorized()
    return jsonify({"user": _person(principal, principal.counter), "csrf_token": generate_csrf()})


def _person(principal: auth.Principal, counter_number: int | None) -> dict[str, Any]:
    return {"username": principal.name, "role": principal.role, "kind": principal.kind,
            "counter": principal.counter if principal.counter is not None else counter_number}


# --- counter consoles and rating devices -------------------------------------------------------

@api.get("/counters/<int:number>/queue")
@requires("staff")
def counter_queue(number: int) -> Response:
    from .staff import counter_queue as read_queue

    return jsonify(read_queue(center(), number))


@api.get("/ratings/options")
def rating_options() -> Response:
    from .staff import rating_options as options

    return jsonify(options(center().settings))


@api.post("/counters/<int:number>/rating")
@requires("kiosk")
def rate_at_counter(number: int) -> tuple[Response, int]:
    from .staff import rate_at_counter as rate

    body = validation.json_body()
    ticket_id = validation.take(body, "ticket", str, reason="a ticket id")
    level = validation.take(body, "level", str, reason="very_satisfied, satisfied or unsatisfied")
    comment = validation.take(body, "comment", str, default=None, reason="text")
    return _created(rate(center(), number, ticket_id, level, comment=comment))


@api.post("/tickets/<ticket_id>/citizen-rating")
def rate_by_holder(ticket_id: str) -> tuple[Response, int]:
    from .staff import rate_by_holder as rate
    from .staff import throttle_holder

    throttle_holder(request.remote_addr or "?")
    body = validation.json_body()
    level = validation.take(body, "level", str, reason="very_satisfied, satisfied or unsatisfied")
    comment = validation.take(body, "comment", str, default=None, reason="text")
    return _created(rate(center(), ticket_id, level, comment=comment))
