"""Counter operations: call next (or a given ticket), recall, no-show, finish, transfer, state."""

from __future__ import annotations

from flask import Response, jsonify

from queue_core.service.desk import counter_queue as read_queue
from queue_core.web import validation
from queue_core.web.api.base import COUNTER_OPERATORS, actor, api, center, officer
from queue_core.web.security import ensure_counter_allowed, requires


def _operate(number: int) -> None:
    center().counter(number)
    ensure_counter_allowed(number)


@api.post("/counters/<int:number>/call-next")
@requires(*COUNTER_OPERATORS)
def call_next(number: int) -> Response | tuple[str, int]:
    _operate(number)
    ticket = center().call_next(number, actor=actor(), officer=officer())
    if ticket is None:
        return "", 204
    return jsonify(ticket)


@api.post("/counters/<int:number>/call")
@requires("staff")
def call_ticket(number: int) -> Response:
    _operate(number)
    body = validation.json_body()
    ticket_id = validation.take(body, "ticket", str, reason="a ticket id")
    return jsonify(center().call(number, ticket_id, actor=actor(), officer=officer()))


@api.post("/counters/<int:number>/recall")
@requires(*COUNTER_OPERATORS)
def recall(number: int) -> Response:
    _operate(number)
    return jsonify(center().recall(number, actor=actor()))


@api.post("/counters/<int:number>/no-show")
@requires(*COUNTER_OPERATORS)
def no_show(number: int) -> Response:
    _operate(number)
    return jsonify(center().no_show(number, actor=actor()))


@api.post("/counters/<int:number>/finish")
@requires(*COUNTER_OPERATORS)
def finish(number: int) -> Response:
    _operate(number)
    return jsonify(center().finish(number, actor=actor()))


@api.post("/counters/<int:number>/transfer")
@requires("staff")
def transfer(number: int) -> Response:
    _operate(number)
    body = validation.json_body()
    service = validation.take(body, "service", str, reason="a field code such as 'F'")
    keep = validation.take(body, "keep_place", bool, default=True, reason="true or false")
    return jsonify(center().transfer(number, service, actor=actor(), keep_place=keep))


@api.put("/counters/<int:number>/state")
@requires("staff")
def counter_state(number: int) -> Response:
    _operate(number)
    body = validation.json_body()
    state = validation.take(body, "state", str, reason="open, paused or closed")
    return jsonify(center().set_counter_state(number, state, actor=actor(), officer=officer()))


@api.get("/counters/<int:number>/queue")
@requires("staff")
def counter_queue(number: int) -> Response:
    _operate(number)
    return jsonify(read_queue(center(), number))
