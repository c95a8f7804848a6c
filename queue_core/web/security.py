"""Who is asking (bearer token or session), what they may do, and CSRF for browser sessions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request, session

from queue_core.domain.errors import Forbidden, Unauthorized
from queue_core.service import auth
from queue_core.service.throttle import Throttle

__all__ = ["Throttle", "current_principal", "ensure_counter_allowed", "requires"]

F = TypeVar("F", bound=Callable[..., Any])


def current_principal() -> auth.Principal | None:
    """Return the caller, resolved once per request; bearer tokens win over cookies."""
    if "principal" in g:
        return g.principal  # type: ignore[no-any-return]
    xephang = current_app.extensions["xephang"]
    store = xephang.store
    principal = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized()
        principal = auth.token_principal(store, token.strip(), now=xephang.center.clock.now())
        if principal is None:
            raise Unauthorized()
        g.via_cookie = False
    elif session.get("user"):
        person = auth.user(store, session["user"])
        if person is not None:
            counter = session.get("counter")
            principal = auth.Principal(person.name, person.role,
                                       person.counter if person.counter is not None else counter)
        g.via_cookie = True
    g.principal = principal
    return principal


def requires(*roles: str) -> Callable[[F], F]:
    """Let the view run only for a caller holding one of `roles`."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                raise Unauthorized()
            if not principal.may(*roles):
                raise Forbidden()
            if g.get("via_cookie") and request.method not in ("GET", "HEAD", "OPTIONS"):
                current_app.extensions["csrf"].protect()
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def ensure_counter_allowed(number: int) -> None:
    """Refuse an officer or keypad bound to another counter."""
    principal = current_principal()
    if principal is None:
        raise Unauthorized()
    bound = principal.role in auth.COUNTER_BOUND_ROLES and principal.counter is not None
    if bound and principal.counter != number:
        raise Forbidden("wrong_counter", allowed=principal.counter)
