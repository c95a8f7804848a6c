"""People and device tokens for the admin console: list, add, change, disable, revoke."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, current_app, jsonify

from queue_core.service import accounts
from queue_core.web import validation
from queue_core.web.api.base import actor, api, center, created
from queue_core.web.security import requires

if TYPE_CHECKING:
    from queue_core.web.app import Xephang
    from queue_core.web.realtime import Hub


def _hub() -> Hub:
    xephang: Xephang = current_app.extensions["xephang"]
    return xephang.hub


def _store() -> Any:
    xephang: Xephang = current_app.extensions["xephang"]
    return xephang.store


@api.get("/users")
@requires("admin")
def list_users() -> Response:
    return jsonify(accounts.users(_store()))


@api.post("/users")
@requires("admin")
def add_user() -> tuple[Response, int]:
    body = validation.json_body()
    found = accounts.add_person(_store(), center().settings, username=body.get("username"),
                                password=body.get("password"), role=body.get("role"),
                                counter=body.get("counter"), actor=actor(),
                                now=center().clock.now())
    return created(found)


@api.patch("/users/<username>")
@requires("admin")
def update_user(username: str) -> Response:
    body = validation.json_body()
    found = accounts.update_person(_store(), center().settings, username, body, actor=actor(),
                                   now=center().clock.now())
    if found["disabled"] or "password" in body:
        # Their sessions ended with the change (checked on every request); their sockets now.
        _hub().sweep()
    return jsonify(found)


@api.get("/tokens")
@requires("admin")
def list_tokens() -> Response:
    return jsonify(accounts.tokens(_store()))


@api.delete("/tokens/<int:token_id>")
@requires("admin")
def revoke_token(token_id: int) -> Response:
    revoked = accounts.revoke(_store(), token_id, actor=actor(), now=center().clock.now())
    dropped = _hub().sweep()
    return jsonify({"revoked": revoked, "connections_dropped": dropped})


@api.patch("/tokens/<int:token_id>")
@requires("admin")
def rename_token(token_id: int) -> Response:
    body = validation.json_body()
    return jsonify(accounts.rename(_store(), token_id, body.get("name"), actor=actor(),
                                   now=center().clock.now()))
