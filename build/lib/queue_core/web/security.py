"""Who is asking (bearer token or session), what they may do, and CSRF for browser sessions."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request, session

from .. import auth
from ..errors import Forbidden, TooManyRequests, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])


def current_principal() -> auth.Principal | None:
    """Return the caller, resolved once per request; bearer tokens win over cookies."""
    if "principal" in g:
        return g.principal  # type: ignore[no-any-return]
    store = current_app.extensions["xephang"].store
    principal = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized()
        principal = auth.token_principal(store, token.strip())
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


class Throttle:
    """At most `limit` events per key within `window` seconds (login attempts, kiosk presses)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one event for `key`, or raise TooManyRequests past the limit."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                raise TooManyRequests()
            hits.append(now)
            if len(self._hits) > 10_000:
                # Forget idle keys so a scan of many addresses cannot grow memory for ever.
                for stale in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
                    del self._hits[stale]

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)
