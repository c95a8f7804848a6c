"""People: log in (audited by `service.auth`), log out (ending the session on the box), who am I."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request, session
from flask_wtf.csrf import generate_csrf

from queue_core.domain.errors import Unauthorized
from queue_core.service import auth
from queue_core.web import validation
from queue_core.web.api.base import api, center
from queue_core.web.security import begin_session, current_principal, session_principal


@api.post("/auth/login")
def login() -> Response:
    body = validation.json_body()
    username = validation.take(body, "username", str, reason="a username")
    password = validation.take(body, "password", str, reason="a password")
    counter_number = validation.take(body, "counter", int, default=None, reason="a counter number")
    if counter_number is not None:
        center().counter(counter_number)
    xephang = current_app.extensions["xephang"]
    principal = auth.login(xephang.store, username, password, address=request.remote_addr or "?",
                           now=xephang.center.clock.now(), throttle=xephang.login_limits)
    begin_session(xephang.store, principal.name, counter_number)
    return jsonify({"user": _person(principal, counter_number), "csrf_token": generate_csrf()})


@api.post("/auth/logout")
def logout() -> Response:
    # Only a session still valid ends anything: an old cookie cannot log its person out.
    leaving = session_principal(current_app.extensions["xephang"].store, session) \
        if session.get("user") else None
    if leaving is not None:
        xephang = current_app.extensions["xephang"]
        auth.logout(xephang.store, leaving.name, address=request.remote_addr or "?",
                    now=xephang.center.clock.now())
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
