"""Administering people and device tokens: list, change, disable, revoke, replace, rename.

The same functions serve the admin console (REST) and the command line; each change is
audited in its own transaction. A new password or disabling a person ends their sessions
(their session version goes up, as with `auth.set_password`/`auth.disable_user`); open
websockets of a revoked token or an ended session are the hub's to drop (`Hub.sweep`).

>>> from datetime import datetime
>>> from queue_core.domain.clock import VIETNAM
>>> from queue_core.storage import Store
>>> store, now = Store.open(":memory:"), datetime(2026, 11, 23, 8, tzinfo=VIETNAM)
>>> _ = auth.create_token(store, "kiosk-sanh", role="kiosk", counter=None, now=now)
>>> [t["name"] for t in tokens(store)]
['kiosk-sanh']
>>> revoke(store, "kiosk-sanh", actor="user:admin", now=now)
[1]
>>> tokens(store)
[]
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from werkzeug.security import generate_password_hash

from queue_core.config import Settings
from queue_core.domain.clock import time_text
from queue_core.domain.errors import Conflict, InvalidInput, NotFound
from queue_core.service import audit, auth
from queue_core.storage import Store

PERSON_UPDATED = "user_updated"
TOKEN_REVOKED = "token_revoked"
TOKEN_RENAMED = "token_renamed"


def users(store: Store) -> list[dict[str, Any]]:
    """Return every person: name, role, counter, when created, disabled or not."""
    with store.read():
        return store.users()


def person(store: Store, username: str) -> dict[str, Any]:
    with store.read():
        found = store.person(username)
    if found is None:
        raise NotFound("unknown_user", username=username)
    return found


def check_counter(settings: Settings, counter: Any, *, field: str = "counter") -> int | None:
    """Return a counter number the center has (or None); refuse anything else by its field."""
    if counter is None:
        return None
    if isinstance(counter, bool) or not isinstance(counter, int):
        raise InvalidInput(field=field, reason="a counter number or null")
    if settings.counter(counter) is None:
        raise InvalidInput(field=field, reason=f"the center has no counter {counter}")
    return counter


def add_person(store: Store, settings: Settings, *, username: Any, password: Any, role: Any,
               counter: Any, actor: str, now: datetime) -> dict[str, Any]:
    """Create a person who logs in; return them as `users()` does."""
    for name, value in (("username", username), ("password", password), ("role", role)):
        if not isinstance(value, str):
            raise InvalidInput(field=name, reason="required: text")
    auth.add_user(store, username.strip(), password, role=role,
                  counter=check_counter(settings, counter), now=now, actor=actor)
    return person(store, username.strip())


def update_person(store: Store, settings: Settings, username: str, changes: dict[str, Any], *,
                  actor: str, now: datetime) -> dict[str, Any]:
    """Change a person's role, counter, password or disabled state; audited with what changed.

    The last active admin can be neither disabled nor made something else (nobody could
    administer the center any more).
    """
    unknown = set(changes) - {"role", "counter", "disabled", "password"}
    if unknown:
        raise InvalidInput(field=sorted(unknown)[0], reason="role, counter, disabled or password")
    role = changes.get("role")
    if "role" in changes and role not in auth.USER_ROLES:
        raise InvalidInput(field="role", reason=f"one of {', '.join(auth.USER_ROLES)}")
    disabled = changes.get("disabled")
    if "disabled" in changes and not isinstance(disabled, bool):
        raise InvalidInput(field="disabled", reason="true or false")
    password = changes.get("password")
    if "password" in changes and (not isinstance(password, str) or len(password) < 8
                                  or len(password) > 200):
        raise InvalidInput(field="password", reason="8 to 200 characters")
    counter = check_counter(settings, changes.get("counter")) if "counter" in changes else None
    with store.write():
        current = store.person(username)
        if current is None:
            raise NotFound("unknown_user", username=username)
        new: dict[str, Any] = {
            "role": role if "role" in changes else current["role"],
            "counter": counter if "counter" in changes else current["counter"],
            "disabled": disabled if "disabled" in changes else current["disabled"],
        }
        was_admin = current["role"] == "admin" and not current["disabled"]
        stays_admin = new["role"] == "admin" and not new["disabled"]
        if was_admin and not stays_admin and store.count_admins() <= 1:
            raise Conflict("last_admin", username=username)
        store.set_role(username, role=new["role"], counter=new["counter"])
        store.set_disabled(username, new["disabled"])
        if password:
            store.set_password_hash(username, generate_password_hash(password))
        if password or (new["disabled"] and not current["disabled"]):
            # As `auth.set_password` and `auth.disable_user`: every session of theirs ends.
            store.end_sessions(username)
        said = [f"{key}={new[key]}" for key in ("role", "counter", "disabled")
                if new[key] != current[key]]
        if password:
            said.append("password=(reset)")
        audit.add(store, actor=actor, action=PERSON_UPDATED, target=f"user:{username}",
                  detail=" ".join(said) or "no change", now=now)
    return person(store, username)


def tokens(store: Store) -> list[dict[str, Any]]:
    """Return every live device token with when it was created and last used (never the token)."""
    with store.read():
        return store.live_tokens()


def revoke(store: Store, which: Any, *, actor: str, now: datetime) -> list[int]:
    """Revoke a token by its id (a number, or digits) or every live token of a name.

    Returns the ids revoked; NotFound when none matched.
    """
    with store.write():
        if isinstance(which, int) and not isinstance(which, bool):
            ids = [which]
        elif isinstance(which, str) and which.isdigit():
            ids = [int(which)] + store.live_token_ids(which)
        elif isinstance(which, str) and which:
            ids = store.live_token_ids(which)
        else:
            raise InvalidInput(field="token", reason="a token id or a device name")
        revoked = [i for i in dict.fromkeys(ids)
                   if store.revoke_token(i, revoked_at=time_text(now))]
        if not revoked:
            raise NotFound("unknown_token", token=which)
        audit.add(store, actor=actor, action=TOKEN_REVOKED, target=f"token:{which}",
                  detail="ids=" + ",".join(str(i) for i in revoked), now=now)
    return revoked


def replace_token(store: Store, name: str, *, role: str, actor: str, now: datetime) -> str:
    """Give the device `name` a fresh token and revoke its live ones, in one transaction.

    For a device the box runs itself (the local announcer, at every start): both are
    audited, as a revocation from the console is. Returns the new token.
    """
    with store.write():
        revoked = [i for i in store.live_token_ids(name)
                   if store.revoke_token(i, revoked_at=time_text(now))]
        if revoked:
            audit.add(store, actor=actor, action=TOKEN_REVOKED, target=f"token:{name}",
                      detail="ids=" + ",".join(str(i) for i in revoked), now=now)
        return auth.insert_token(store, name, role=role, counter=None, now=now, actor=actor)


def rename(store: Store, token_id: int, name: Any, *, actor: str, now: datetime) -> dict[str, Any]:
    """Give a device token a new name; return the token as `tokens()` does."""
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 64:
        raise InvalidInput(field="name", reason="1 to 64 characters")
    with store.write():
        if not store.rename_token(token_id, name.strip()):
            raise NotFound("unknown_token", token=token_id)
        audit.add(store, actor=actor, action=TOKEN_RENAMED, target=f"token:{token_id}",
                  detail=name.strip(), now=now)
        found = [t for t in store.live_tokens() if t["id"] == token_id]
    return found[0]


__all__ = ["add_person", "check_counter", "person", "rename", "replace_token", "revoke",
           "tokens", "update_person", "users"]
