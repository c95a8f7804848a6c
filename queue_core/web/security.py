"""Who is asking (bearer token or session), what they may do, and CSRF for browser sessions.

A session is valid while its person is enabled and its session version is the person's
current one (logging out, a new password or disabling the person raises it). A caller
bound to a counter (an officer or keypad of counter 1, a rating device of counter 3) acts
only for that counter and the fields it serves: anything else is 403 `wrong_counter`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request, session

from queue_core.domain.errors import Forbidden, Unauthorized
from queue_core.service import auth
from queue_core.service.throttle import Throttle

__all__ = ["Throttle", "begin_session", "current_principal", "ensure_counter_allowed",
           "ensure_field_allowed", "requires", "own_fields", "session_principal",
           "holder_or_box", "ticket_as_seen"]

F = TypeVar("F", bound=Callable[..., Any])


def session_principal(store: Any, cookie: Any) -> auth.Principal | None:
    """Return the person of a session cookie's contents, if the session is still valid."""
    person = auth.session_user(store, cookie.get("user"), cookie.get("session_version"))
    if person is None:
        return None
    counter = person.counter if person.counter is not None else cookie.get("counter")
    return auth.Principal(person.name, person.role, counter)


def begin_session(store: Any, username: str, counter: int | None = None) -> None:
    """Log a person in on this browser: a fresh session of their current version."""
    session.clear()
    session.permanent = True
    session["user"] = username
    session["session_version"] = auth.session_version(store, username)
    session["counter"] = counter


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
        principal = session_principal(store, session)
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


def _caller() -> auth.Principal:
    principal = current_principal()
    if principal is None:
        raise Unauthorized()
    return principal


def ensure_counter_allowed(number: int) -> None:
    """Refuse a caller bound to another counter."""
    bound = _caller().bound_counter
    if bound is not None and bound != number:
        raise Forbidden("wrong_counter", allowed=bound)


def own_fields() -> tuple[str, ...] | None:
    """Return the fields the caller's counter serves (None: not bound to a counter)."""
    bound = _caller().bound_counter
    if bound is None:
        return None
    config = current_app.extensions["xephang"].settings.counter(bound)
    return tuple(config.services) if config is not None else ()


def ensure_field_allowed(service: str) -> None:
    """Refuse a caller bound to a counter that does not serve the field `service`."""
    fields = own_fields()
    if fields is not None and service not in fields:
        raise Forbidden("wrong_counter", allowed=_caller().bound_counter)


def holder_or_box(center: Any, ticket_id: str, given_key: str | None) -> bool:
    """Tell whether the caller is one of the box's kiosks or staff, or gives the ticket's
    holder key (``?k=``, from its QR code): who may read what only the holder should."""
    principal = current_principal()
    if principal is not None and principal.may("kiosk", "staff"):
        return True
    return bool(given_key) and center.holder_key_matches(ticket_id, given_key)


def ticket_as_seen(ticket: dict[str, Any], *, holder: bool) -> dict[str, Any]:
    """Return a ticket as a public route shows it.

    Ticket ids are public (the board's events carry them) and a dossier code opens its
    status at ``GET /dossiers/{code}``, so a caller who is not the holder (see
    `holder_or_box`) reads ``"dossier": null``.
    """
    if holder or ticket.get("dossier") is None:
        return ticket
    return {**ticket, "dossier": None}
