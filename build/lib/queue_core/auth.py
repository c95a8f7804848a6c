"""People and device tokens: hashed passwords, hashed bearer tokens, roles.

>>> ROLE_GRANTS["manager"] >= {"staff"}
True
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from werkzeug.security import check_password_hash, generate_password_hash

from .errors import Conflict, InvalidInput
from .store import Store

USER_ROLES = ("staff", "manager", "admin")
TOKEN_ROLES = ("kiosk", "display", "announcer", "keypad", "staff", "manager")
COUNTER_BOUND_ROLES = ("keypad", "staff")

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
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_username(username: str) -> None:
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise InvalidInput(field="username", reason="letters, digits, '.', '_' or '-', at most 64")


def add_user(store: Store, username: str, password: str, *, role: str, counter: int | None,
             now: datetime) -> None:
    """Create a person who logs in with a password."""
    _check_username(username)
    if role not in USER_ROLES:
        raise InvalidInput(field="role", reason=f"one of {', '.join(USER_ROLES)}")
    if len(password) < 8:
        raise InvalidInput(field="password", reason="at least 8 characters")
    with store.write():
        if store.db.table("users").count_where("username = ?", [username]):
            raise Conflict("user_exists", username=username)
        store.db.table("users").insert({"username": username, "password_hash": generate_password_hash(password),
                                  "role": role, "counter": counter, "created_at": now.isoformat(),
                                  "disabled": 0})


def authenticate(store: Store, username: str, password: str) -> Principal | None:
    """Return the person if the password is right, else None."""
    with store.read():
        rows = list(store.db.table("users").rows_where("username = ? AND disabled = 0", [username]))
    if not rows:
        check_password_hash(_dummy_hash(), password)
        return None
    row = rows[0]
    if not check_password_hash(row["password_hash"], password):
        return None
    return Principal(name=row["username"], role=row["role"], counter=row["counter"])


def user(store: Store, username: str) -> Principal | None:
    """Return a person still allowed to log in (sessions re-check this on every request)."""
    with store.read():
        rows = list(store.db.table("users").rows_where("username = ? AND disabled = 0", [username]))
    if not rows:
        return None
    return Principal(name=rows[0]["username"], role=rows[0]["role"], counter=rows[0]["counter"])


def create_token(store: Store, name: str, *, role: str, counter: int | None, now: datetime) -> str:
    """Create a device token and return it; only its hash is kept."""
    if not name or len(name) > 64:
        raise InvalidInput(field="name", reason="1 to 64 characters")
    if role not in TOKEN_ROLES:
        raise InvalidInput(field="role", reason=f"one of {', '.join(TOKEN_ROLES)}")
    if role in COUNTER_BOUND_ROLES and counter is None:
        raise InvalidInput(field="counter", reason=f"a {role} token is bound to a counter")
    token = "xph_" + secrets.token_urlsafe(32)
    with store.write():
        store.db.table("tokens").insert({"name": name, "token_hash": _hash_token(token), "role": role,
                                   "counter": counter, "created_at": now.isoformat(),
                                   "revoked_at": None})
    return token


def revoke_tokens(store: Store, name: str, *, now: datetime) -> int:
    """Revoke every live token called `name`; return how many."""
    with store.write():
        cursor = store.conn.execute(
            "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            [now.isoformat(), name])
        return cursor.rowcount


def token_principal(store: Store, token: str) -> Principal | None:
    """Return the device a bearer token belongs to, or None."""
    digest = _hash_token(token)
    with store.read():
        rows = list(store.db.table("tokens").rows_where("token_hash = ? AND revoked_at IS NULL", [digest]))
    if not rows or not hmac.compare_digest(rows[0]["token_hash"], digest):
        return None
    row = rows[0]
    return Principal(name=row["name"], role=row["role"], counter=row["counter"], kind="device")
