"""Who is asking the hub: a bearer token (a box or a viewer) or a person's session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request, session

from .. import accounts
from ..accounts import Principal
from ...domain.errors import Forbidden, MalformedRequest, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])
SESSION_USER = "hub_user"


def current_principal() -> Principal | None:
    """Return the caller, resolved once per request; a bearer token wins over the cookie."""
    if "hub_principal" in g:
        return g.hub_principal  # type: ignore[no-any-return]
    hub = current_app.extensions["xephang_hub"]
    principal = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized()
        principal = accounts.token_principal(hub.db, token.strip(), now=hub.clock.now())
        if principal is None:
            raise Unauthorized()
    elif session.get(SESSION_USER):
        principal = accounts.user_principal(hub.db, session[SESSION_USER])
    g.hub_principal = principal
    return principal


def require_json() -> None:
    """Take only JSON bodies: a cross-site form cannot send one, so cookies cannot be misused."""
    if not request.is_json:
        raise MalformedRequest(reason="Content-Type: application/json is required")


def _only(allowed: Callable[[Principal], bool], roles: tuple[str, ...]) -> Callable[[F], F]:
    """Let a view run only for a caller `allowed` accepts; `roles` names them for readers."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                raise Unauthorized()
            if not allowed(principal):
                raise Forbidden()
            return view(*args, **kwargs)

        wrapper.hub_roles = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


# A viewer token or a person (bound to a center or not).
readers = _only(lambda principal: principal.is_reader, ("viewer", "user"))
# A center's box (its center token) only.
boxes = _only(lambda principal: principal.is_box, ("center",))


def anyone(view: F) -> F:
    """Mark a view open to every caller (health, login, the pages' own login form)."""
    view.hub_roles = ()  # type: ignore[attr-defined]
    return view


__all__ = ["SESSION_USER", "anyone", "boxes", "current_principal", "readers", "require_json"]
