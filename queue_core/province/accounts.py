"""Who may use the hub: centers (their boxes' tokens), provincial viewers and people.

Tokens are random and kept only as SHA-256 hashes; passwords as werkzeug hashes. A
principal either sees the whole province (`center_code` None) or one center only.

| principal | may |
|---|---|
| center token (`kind="center"`) | forward its own center's events (`POST /api/v1/ingest`); read nothing |
| viewer token, person | read the dashboard and the API: every center, or only the one they are bound to |
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from .storage import accounts as rows
from .storage.database import Database

CENTER_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LOGIN_TRIES_PER_MINUTE = 5
_TIMING_GUARD = generate_password_hash("xephang-hub-timing-guard")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a box, a viewer token or a person, and which center they are bound to."""

    name: str
    kind: str  # "center" (a box), "viewer" (a read token) or "user"
    center_id: int | None = None
    center_code: str | None = None

    @property
    def is_box(self) -> bool:
        return self.kind == "center"

    @property
    def is_reader(self) -> bool:
        return self.kind in ("viewer", "user")

    def may_read(self, code: str) -> bool:
        """Tell whether this principal may read the center `code`."""
        return self.is_reader and (self.center_code is None or self.center_code == code)

    def ensure_reads(self, code: str) -> None:
        if not self.is_reader:
            raise Forbidden()
        if not self.may_read(code):
            raise Forbidden("forbidden_center")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def check_code(code: str) -> str:
    if not CENTER_CODE_RE.match(code):
        raise InvalidInput(field="code", reason="1 to 32 letters, digits, '-' or '_'")
    return code.upper()


def _center(db: Database, code: str) -> int:
    with db.transaction() as conn:
        found = rows.center_id(conn, code.upper())
    if found is None:
        raise NotFound("unknown_center", center=code)
    return found


def add_center(db: Database, code: str, name: str) -> str:
    """Register a center and return its box's token (shown once)."""
    code = check_code(code)
    if not name.strip() or len(name) > 200:
        raise InvalidInput(field="name", reason="1 to 200 characters")
    token = _new_token("xhc")
    with db.transaction() as conn:
        center = rows.insert_center(conn, code, name.strip())
        if center is None:
            raise Conflict("center_exists", center=code)
        rows.insert_token(conn, name=f"center:{code}", kind="center", center=center,
                          token_hash=hash_token(token))
    return token


def new_center_token(db: Database, code: str, *, now: datetime, revoke_old: bool) -> str:
    """Give a center's box a new token (revoking the old ones if asked)."""
    center = _center(db, code)
    token = _new_token("xhc")
    with db.transaction() as conn:
        if revoke_old:
            rows.revoke_tokens(conn, now=now, center=center, kind="center")
        rows.insert_token(conn, name=f"center:{code.upper()}", kind="center", center=center,
                          token_hash=hash_token(token))
    return token


def revoke_center(db: Database, code: str, *, now: datetime) -> int:
    """Revoke every token of a center's box; its next batch gets 401. Return how many."""
    center = _center(db, code)
    with db.transaction() as conn:
        return rows.revoke_tokens(conn, now=now, center=center, kind="center")


def create_viewer_token(db: Database, name: str, *, center: str | None = None) -> str:
    """Create a read token for the whole province, or for one center; return it (shown once)."""
    if not name.strip() or len(name) > 64:
        raise InvalidInput(field="name", reason="1 to 64 characters")
    bound = _center(db, center) if center else None
    token = _new_token("xhv")
    with db.transaction() as conn:
        rows.insert_token(conn, name=name.strip(), kind="viewer", center=bound,
                          token_hash=hash_token(token))
    return token


def revoke_token(db: Database, name_or_id: str, *, now: datetime) -> int:
    """Revoke tokens by name or id; return how many."""
    with db.transaction() as conn:
        if name_or_id.isdigit():
            return rows.revoke_tokens(conn, now=now, token_id=int(name_or_id))
        return rows.revoke_tokens(conn, now=now, name=name_or_id)


def token_principal(db: Database, token: str, *, now: datetime) -> Principal | None:
    """Return whom a bearer token belongs to, or None (unknown or revoked)."""
    with db.transaction() as conn:
        found = rows.token_by_hash(conn, hash_token(token))
        if found is None:
            return None
        token_id, name, kind, center_id, code = found
        rows.touch_token(conn, token_id, now)
    return Principal(name, kind, center_id, code)


def add_user(db: Database, username: str, password: str, *, center: str | None = None) -> None:
    """Create a person who logs in to the dashboard (bound to one center if given)."""
    if not USERNAME_RE.match(username):
        raise InvalidInput(field="username", reason="letters, digits, '.', '_' or '-', at most 64")
    if len(password) < 8:
        raise InvalidInput(field="password", reason="at least 8 characters")
    bound = _center(db, center) if center else None
    with db.transaction() as conn:
        if not rows.insert_user(conn, username, generate_password_hash(password), bound):
            raise Conflict("user_exists", username=username)


def disable_user(db: Database, username: str, *, now: datetime) -> bool:
    with db.transaction() as conn:
        return rows.disable_user(conn, username, now)


def user_principal(db: Database, username: str) -> Principal | None:
    """Return an enabled person (sessions check this on every request)."""
    with db.transaction() as conn:
        found = rows.user(conn, username)
    if found is None:
        return None
    name, _, center_id, code = found
    return Principal(name, "user", center_id, code)


def authenticate(db: Database, username: str, password: str, *, address: str,
                 now: datetime) -> Principal | None:
    """Return the person if the password is right; refuse past 5 failures a minute."""
    since = now - timedelta(minutes=1)
    with db.transaction() as conn:
        if rows.count_failures(conn, username, address, since) >= LOGIN_TRIES_PER_MINUTE:
            raise TooManyRequests()
        found = rows.user(conn, username)
    if found is None:
        check_password_hash(_TIMING_GUARD, password)
    elif check_password_hash(found[1], password):
        return Principal(found[0], "user", found[2], found[3])
    with db.transaction() as conn:
        rows.add_failure(conn, username, address, now)
    return None


__all__ = ["Principal", "add_center", "add_user", "authenticate", "check_code",
           "create_viewer_token", "disable_user", "hash_token", "new_center_token",
           "revoke_center", "revoke_token", "token_principal", "user_principal"]
