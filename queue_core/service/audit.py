"""The audit log: who did what, and when, among staff, managers, admins and their devices.

Ticket actions already leave a row in `transitions` (actor, time, counter); everything
else a person does (logging in, opening or pausing a counter, creating people and
device tokens, reprinting, restoring a backup) is an `audit_log` row. `entries()` reads
both as one list, newest first.

>>> from datetime import datetime
>>> from queue_core.domain.clock import VIETNAM
>>> from queue_core.storage import Store
>>> store = Store.open(":memory:")
>>> record(store, actor="user:lan", action="login", now=datetime(2026, 11, 23, 8, tzinfo=VIETNAM))
>>> [(e["actor"], e["action"]) for e in entries(store)]
[('user:lan', 'login')]
"""

from __future__ import annotations

import getpass
from datetime import date, datetime, timedelta
from typing import Any

from queue_core.storage import Store

# Actions a person takes; the API lists them so a manager can filter.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_THROTTLED = "login_throttled"
LOGOUT = "logout"
SESSIONS_ENDED = "sessions_ended"
PASSWORD_CHANGED = "password_changed"
USER_DISABLED = "user_disabled"
COUNTER_STATE = "counter_state"
USER_ADDED = "user_added"
TOKEN_CREATED = "token_created"
BACKUP_RESTORED = "backup_restored"
TICKETS_PURGED = "tickets_purged"
CLOCK_ACCEPTED = "clock_accepted"
DELIVERY_RETRIED = "delivery_retried"

MAX_ENTRIES = 1000
# Repeats of one failed or throttled attempt (same name, same address) within this window
# are one entry with a count: a flood of attempts cannot fill the disk with rows.
FOLD_WINDOW = timedelta(minutes=15)
# Longest text kept of a name someone typed (no account name is longer).
NAME_CHARS = 64


def cli_actor() -> str:
    """Name the person at the box's command line (the login name, or "cli" when unknown)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def record(store: Store, *, actor: str, action: str, now: datetime, target: str | None = None,
           detail: str | None = None) -> None:
    """Add one entry in its own transaction."""
    with store.write():
        add(store, actor=actor, action=action, now=now, target=target, detail=detail)


def add(store: Store, *, actor: str, action: str, now: datetime, target: str | None = None,
        detail: str | None = None) -> None:
    """Add one entry inside the caller's transaction."""
    store.add_audit(at=now, actor=actor, action=action, target=target, detail=detail)


def fold(store: Store, *, actor: str, action: str, now: datetime, target: str | None = None,
         detail: str | None = None, window: timedelta = FOLD_WINDOW) -> None:
    """Add an entry, or count one more of the same entry made within `window` (own write)."""
    with store.write():
        if not store.fold_audit(at=now, since=now - window, actor=actor, action=action,
                                target=target, detail=detail):
            store.add_audit(at=now, actor=actor, action=action, target=target, detail=detail)


def typed_name(text: str) -> str:
    """Return a name someone typed as it is kept: printable, at most NAME_CHARS characters.

    >>> typed_name("lan" + chr(10) + "x" * 300)[:6], len(typed_name("x" * 300))
    ('lan?xx', 64)
    """
    return "".join(ch if ch.isprintable() else "?" for ch in text[:NAME_CHARS])


def trim(store: Store, *, now: datetime, keep_days: int, keep_rows: int) -> int:
    """Delete entries older than `keep_days` and the oldest past `keep_rows`; return how many."""
    with store.write():
        return store.trim_audit(before=now - timedelta(days=keep_days), keep_rows=keep_rows)


def entries(store: Store, *, since: date | None = None, until: date | None = None,
            actor: str | None = None, action: str | None = None, everything: bool = False,
            limit: int = 200) -> list[dict[str, Any]]:
    """Return audit entries (ticket actions and the rest), newest first.

    Tickets issued by devices and the day's automatic expiries are left out unless
    `everything`: they are the citizens' doing and the clock's, not the staff's.
    `since` and `until` are inclusive business days.
    """
    limit = max(1, min(limit, MAX_ENTRIES))
    with store.read():
        ticket_rows, other_rows = store.audit_rows(since=since, until=until, actor=actor,
                                                   action=action, everything=everything,
                                                   limit=limit)
    found: list[dict[str, Any]] = []
    for at, who, what, label, ticket_id, counter, before, after, detail in ticket_rows:
        found.append({"at": at, "actor": who, "action": what, "target": label,
                      "ticket": ticket_id, "counter": counter,
                      "detail": detail or (f"{before}->{after}" if before else after),
                      "source": "ticket", "count": 1})
    for at, who, what, target, detail, count, last_at in other_rows:
        counter = None
        if target and target.startswith("counter:") and target[8:].isdigit():
            counter = int(target[8:])
        entry = {"at": at, "actor": who, "action": what, "target": target, "ticket": None,
                 "counter": counter, "detail": detail, "source": "audit", "count": count or 1}
        if last_at:
            entry["last_at"] = last_at
        found.append(entry)
    # Both lists carry times in the center's zone, so their text sorts in time order.
    found.sort(key=lambda entry: entry["at"], reverse=True)
    return found[:limit]
