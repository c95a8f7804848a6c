"""People and device tokens: hashed passwords, hashed bearer tokens, roles, logging in and out.

Every login attempt (a success, a wrong password, one past the throttle) and every
logout is audited here, by the service that performs it. Repeats of a failed or
throttled attempt (one name, one address) fold into one entry with a count.

A person's session carries their session version. Logging out, a new password and
disabling the person raise it (`end_sessions`, `set_password`, `disable_user`), so every
session made before stops working at its next request, on every browser.

>>> ROLE_GRANTS["manager"] >= {"staff"}
True
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from queue_core.domain.clock import parse_time, time_text
from queue_core.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    StorageFull,
    TooManyRequests,
    Unauthorized,
)
from queue_core.service import audit
from queue_core.service.throttle import Throttle
from queue_core.storage import Store

log = logging.getLogger("xephang")

USER_ROLES = ("staff", "manager", "admin")
TOKEN_ROLES = ("kiosk", "display", "announcer", "keypad", "staff", "manager")
COUNTER_BOUND_ROLES = ("keypad", "staff")
# Roles that may be bound to a counter: a kiosk token with a counter is that counter's
# rating device, and rates only what was served there.
MAY_BE_BOUND_ROLES = (*COUNTER_BOUND_ROLES, "kiosk")

# What each role may also act as: a manager does all operational work, an admin everything.
ROLE_GRANTS: dict[str, frozenset[str]] = {
    "kiosk": frozenset({"kiosk"}),
    "display": frozenset({"display"}),
    "announcer": frozenset({"announcer", "display"}),
    "keypad": frozenset({"keypad"}),
    "staff": frozenset({"staff", "keypad", "display"}),
    "manager": frozenset({"manager", "staff", "keypad", "kiosk", "display", "announcer"}),
    "admin": frozenset({"admin", "manager", "staff", "keypad", "kiosk", "display", "announcer"}),
}

@functools.cache
def _dummy_hash() -> str:
    # A throwaway hash, checked when the user does not exist, so timing tells nothing.
    return generate_password_hash("xephang-timing-guard")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a person logged in, or a device with a token."""

    name: str
    role: str
    counter: int | None = None
    kind: str = "user"

    def may(self, *roles: str) -> bool:
        return any(role in ROLE_GRANTS.get(self.role, frozenset()) for role in roles)

    @property
    def bound_counter(self) -> int | None:
        """The one counter this caller may act for (None: not bound to one)."""
        return self.counter if self.role in MAY_BE_BOUND_ROLES else None

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_username(username: str) -> None:
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise InvalidInput(field="username", reason="letters, digits, '.', '_' or '-', at most 64")


def add_user(store: Store, username: str, password: str, *, role: str, counter: int | None,
             now: datetime, actor: str | None = None, note: str = "") -> None:
    """Create a person who logs in with a password; with `actor`, audited in the same write."""
    with store.write():
        insert_user(store, username, password, role=role, counter=counter, now=now, actor=actor,
                    note=note)


def insert_user(store: Store, username: str, password: str, *, role: str, counter: int | None,
                now: datetime, actor: str | None = None, note: str = "") -> None:
    """Create a person inside the caller's transaction (checked and audited as `add_user`)."""
    _check_username(username)
    if role not in USER_ROLES:
        raise InvalidInput(field="role", reason=f"one of {', '.join(USER_ROLES)}")
    if len(password) < 8:
        raise InvalidInput(field="password", reason="at least 8 characters")
    if store.user_exists(username):
        raise Conflict("user_exists", username=username)
    store.insert_user(username, generate_password_hash(password), role=role, counter=counter,
                      created_at=time_text(now))
    if actor is not None:
        audit.add(store, actor=actor, action=audit.USER_ADDED, target=f"user:{username}",
                  detail=note or f"role={role} counter={counter}", now=now)


def authenticate(store: Store, username: str, password: str) -> Principal | None:
    """Return the person if the password is right, else None."""
    with store.read():
        row = store.active_user(username)
    if row is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(row["password_hash"], password):
        return None
    return Principal(name=row["username"], role=row["role"], counter=row["counter"])


def user(store: Store, username: str) -> Principal | None:
    """Return a person still allowed to log in."""
    with store.read():
        row = store.active_user(username)
    if row is None:
        return None
    return Principal(name=row["username"], role=row["role"], counter=row["counter"])


def session_version(store: Store, username: str) -> int | None:
    """Return the version a new session of this person carries (None: no such person)."""
    with store.read():
        row = store.active_user(username)
    return None if row is None else int(row["session_version"])


def session_user(store: Store, username: Any, version: Any) -> Principal | None:
    """Return the person of a session still valid: enabled, and of their current version."""
    if not isinstance(username, str) or isinstance(version, bool) or not isinstance(version, int):
        return None
    with store.read():
        row = store.active_user(username)
    if row is None or int(row["session_version"]) != version:
        return None
    return Principal(name=row["username"], role=row["role"], counter=row["counter"])


def end_sessions(store: Store, username: str, *, now: datetime, actor: str,
                 action: str = "sessions_ended", detail: str | None = None) -> bool:
    """End every session of a person at once (audited); return whether they exist."""
    with store.write():
        version = store.end_sessions(username)
        if version is None:
            return False
        audit.add(store, actor=actor, action=action, target=f"user:{username}", detail=detail,
                  now=now)
    return True


def set_password(store: Store, username: str, password: str, *, now: datetime,
                 actor: str) -> None:
    """Give a person a new password and end their sessions (audited in the same write)."""
    if len(password) < 8:
        raise InvalidInput(field="password", reason="at least 8 characters")
    hashed = generate_password_hash(password)
    with store.write():
        if not store.set_password_hash(username, hashed):
            raise NotFound("unknown_user", username=username)
        store.end_sessions(username)
        audit.add(store, actor=actor, action=audit.PASSWORD_CHANGED, target=f"user:{username}",
                  now=now)


def disable_user(store: Store, username: str, *, now: datetime, actor: str,
                 disabled: bool = True) -> None:
    """Stop a person logging in and end their sessions at once (or enable them again)."""
    with store.write():
        if not store.set_disabled(username, disabled):
            raise NotFound("unknown_user", username=username)
        store.end_sessions(username)
        audit.add(store, actor=actor, action=audit.USER_DISABLED if disabled else "user_enabled",
                  target=f"user:{username}", now=now)


def create_token(store: Store, name: str, *, role: str, counter: int | None, now: datetime,
                 actor: str | None = None) -> str:
    """Create a device token and return it; only its hash is kept. `actor` is audited with it."""
    if not name or len(name) > 64:
        raise InvalidInput(field="name", reason="1 to 64 characters")
    if role not in TOKEN_ROLES:
        raise InvalidInput(field="role", reason=f"one of {', '.join(TOKEN_ROLES)}")
    if role in COUNTER_BOUND_ROLES and counter is None:
        raise InvalidInput(field="counter", reason=f"a {role} token is bound to a counter")
    with store.write():
        return insert_token(store, name, role=role, counter=counter, now=now, actor=actor)


def insert_token(store: Store, name: str, *, role: str, counter: int | None, now: datetime,
                 actor: str | None = None) -> str:
    """Create a device token inside the caller's transaction; return it (only its hash is kept)."""
    token = "xph_" + secrets.token_urlsafe(32)
    store.insert_token(name, _hash_token(token), role=role, counter=counter,
                       created_at=time_text(now))
    if actor is not None:
        audit.add(store, actor=actor, action=audit.TOKEN_CREATED, target=f"token:{name}",
                  detail=f"role={role} counter={counter}", now=now)
    return token


def token_principal(store: Store, token: str, *, now: datetime | None = None) -> Principal | None:
    """Return the device a bearer token belongs to, or None; with `now`, note its use."""
    digest = _hash_token(token)
    with store.read():
        row = store.live_token(digest)
    if row is None or not hmac.compare_digest(row["token_hash"], digest):
        return None
    if now is not None:
        _note_use(store, row, now)
    return Principal(name=row["name"], role=row["role"], counter=row["counter"], kind="device")


# A token's last use is written at most once a minute (a screen asks many times a minute).
USE_NOTE_SECONDS = 60


def _note_use(store: Store, row: dict[str, Any], now: datetime) -> None:
    last = row.get("last_used_at")
    if last and (now - parse_time(last)).total_seconds() < USE_NOTE_SECONDS:
        return
    try:
        with store.write():
            store.note_token_used(row["id"], time_text(now))
    except Exception:
        # A busy or full database must not refuse the device its request for a note.
        log.warning("could not note the use of token %s", row["id"])


class LoginLimits:
    """How many login attempts an address may make a minute: per name, and over all names."""

    def __init__(self, *, per_name: int, per_address: int, window: float = 60.0,
                 clock: Callable[[], float] | None = None) -> None:
        extra = {"clock": clock} if clock is not None else {}
        self.per_name = Throttle(limit=per_name, window=window, **extra)
        self.per_address = Throttle(limit=per_address, window=window, **extra)


def login(store: Store, username: str, password: str, *, address: str, now: datetime,
          throttle: Throttle | LoginLimits | None = None) -> Principal:
    """Let a person in if the password is right; audit the attempt whatever its outcome.

    Raises TooManyRequests past the limits (per address and name, and per address over
    all names) and Unauthorized for a wrong name or password. Failed and throttled
    attempts of one name from one address fold into one audit entry per window.
    """
    limits = throttle if isinstance(throttle, LoginLimits) else None
    per_name = limits.per_name if limits is not None else throttle
    key = f"{address}|{username.lower()}"
    if limits is not None:
        try:
            limits.per_address.hit(address)
        except TooManyRequests:
            # Many names from one address: one entry for all of them.
            _audit_attempt(store, audit.LOGIN_THROTTLED, "*", address, now)
            raise
    try:
        if isinstance(per_name, Throttle):
            per_name.hit(key)
    except TooManyRequests:
        _audit_attempt(store, audit.LOGIN_THROTTLED, username, address, now)
        raise
    principal = authenticate(store, username, password)
    if principal is None:
        _audit_attempt(store, audit.LOGIN_FAILED, username, address, now)
        raise Unauthorized("bad_credentials")
    if isinstance(per_name, Throttle):
        per_name.reset(key)
    _record(store, actor=f"user:{principal.name}", action=audit.LOGIN, detail=address, now=now)
    return principal


def logout(store: Store, username: str, *, address: str, now: datetime) -> None:
    """End the person's sessions (every browser of theirs) and note that they logged out."""
    try:
        end_sessions(store, username, now=now, actor=f"user:{username}", action=audit.LOGOUT,
                     detail=address)
    except StorageFull:
        # The cookie is cleared all the same; the old one keeps its version until space returns.
        log.warning("storage full: the logout of %s could not be recorded", username)


def _audit_attempt(store: Store, action: str, username: str, address: str,
                   now: datetime) -> None:
    if not username:
        return
    name = audit.typed_name(username)
    try:
        audit.fold(store, actor="anonymous", action=action, target=f"user:{name}",
                   detail=address[:64], now=now)
    except Exception:
        log.warning("could not record a %s entry for %r", action, name)


def _record(store: Store, **entry: Any) -> None:
    # Nothing else changes in a login: a failed audit write is logged, never the person's problem.
    try:
        audit.record(store, **entry)
    except Exception:
        log.warning("could not record an audit entry for %s", entry.get("action"))
