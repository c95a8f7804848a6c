"""The audit log: who did what, and when, among staff, managers, admins and their devices.

Ticket actions already leave a row in `transitions` (actor, time, counter); everything
else a person does (logging in, opening or pausing a counter, creating people and
device tokens, reprinting, restoring a backup) is an `audit_log` row. `entries()` reads
both as one list, newest first.

>>> from datetime import datetime
>>> from queue_core.clock import VIETNAM
>>> from queue_core.store import Store
>>> store = Store.open(":memory:")
>>> record(store, actor="user:lan", action="login", now=datetime(2026, 11, 23, 8, tzinfo=VIETNAM))
>>> [(e["actor"], e["action"]) for e in entries(store)]
[('user:lan', 'login')]
"""

from __future__ import annotations

import getpass
from datetime import date, datetime, timedelta
from typing import Any

from .store import Store

# Actions a person takes; the API lists them so a manager can filter.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_THROTTLED = "login_throttled"
LOGOUT = "logout"
COUNTER_STATE = "counter_state"
USER_ADDED = "user_added"
TOKEN_CREATED = "token_created"
BACKUP_RESTORED = "backup_restored"
TICKETS_PURGED = "tickets_purged"
CLOCK_ACCEPTED = "clock_accepted"

MAX_ENTRIES = 1000


def cli_actor() -> str:
    """Name the person at the box's command line (the login name, or "cli" when unknown)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _text(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def record(store: Store, *, actor: str, action: str, now: datetime, target: str | None = None,
           detail: str | None = None) -> None:
    """Add one entry in its own transaction."""
    with store.write():
        add(store, actor=actor, action=action, now=now, target=target, detail=detail)


def add(store: Store, *, actor: str, action: str, now: datetime, target: str | None = None,
        detail: str | None = None) -> None:
    """Add one entry inside the caller's transaction."""
    store.conn.execute(
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        [_text(now), actor[:100], action[:60], (target or None) and target[:200],
         (detail or None) and detail[:500]])


def entries(store: Store, *, since: date | None = None, until: date | None = None,
            actor: str | None = None, action: str | None = None, everything: bool = False,
            limit: int = 200) -> list[dict[str, Any]]:
    """Return audit entries (ticket actions and the rest), newest first.

    Tickets issued by devices and the day's automatic expiries are left out unless
    `everything`: they are the citizens' doing and the clock's, not the staff's.
    `since` and `until` are inclusive business days.
    """
    limit = max(1, min(limit, MAX_ENTRIES))
    where_t: list[str] = []
    where_a: list[str] = []
    params_t: list[Any] = []
    params_a: list[Any] = []
    if since is not None:
        where_t.append("t.at >= ?")
        where_a.append("at >= ?")
        params_t.append(since.isoformat())
        params_a.append(since.isoformat())
    if until is not None:
        end = (until + timedelta(days=1)).isoformat()
        where_t.append("t.at < ?")
        where_a.append("at < ?")
        params_t.append(end)
        params_a.append(end)
    if actor:
        # "lan" finds "user:lan" (and "device:lan"); "user:lan" finds exactly that.
        pattern = actor if ":" in actor else f"%:{actor}"
        where_t.append("(t.actor = ? OR t.actor LIKE ?)")
        where_a.append("(actor = ? OR actor LIKE ?)")
        params_t.extend([actor, pattern])
        params_a.extend([actor, pattern])
    if action:
        where_t.append("t.action = ?")
        where_a.append("action = ?")
        params_t.append(action)
        params_a.append(action)
    if not everything:
        where_t.append("NOT (t.action = 'issue' AND t.actor LIKE 'device:%')"
                       " AND t.actor NOT LIKE 'system%'")
    sql_t = ("SELECT t.at, t.actor, t.action, tk.label, t.ticket_id, t.counter, t.from_state,"
             " t.to_state, t.detail FROM transitions t JOIN tickets tk ON tk.id = t.ticket_id"
             + (" WHERE " + " AND ".join(where_t) if where_t else "")
             + " ORDER BY t.at DESC, t.id DESC LIMIT ?")
    sql_a = ("SELECT at, actor, action, target, detail FROM audit_log"
             + (" WHERE " + " AND ".join(where_a) if where_a else "")
             + " ORDER BY at DESC, id DESC LIMIT ?")
    with store.read():
        ticket_rows = store.conn.execute(sql_t, [*params_t, limit]).fetchall()
        other_rows = store.conn.execute(sql_a, [*params_a, limit]).fetchall()
    found: list[dict[str, Any]] = []
    for at, who, what, label, ticket_id, counter, before, after, detail in ticket_rows:
        found.append({"at": at, "actor": who, "action": what, "target": label,
                      "ticket": ticket_id, "counter": counter,
                      "detail": detail or (f"{before}->{after}" if before else after),
                      "source": "ticket"})
    for at, who, what, target, detail in other_rows:
        counter = None
        if target and target.startswith("counter:") and target[8:].isdigit():
            counter = int(target[8:])
        found.append({"at": at, "actor": who, "action": what, "target": target, "ticket": None,
                      "counter": counter, "detail": detail, "source": "audit"})
    # Both lists carry times in the center's zone, so their text sorts in time order.
    found.sort(key=lambda entry: entry["at"], reverse=True)
    return found[:limit]


def purge_before(store: Store, cutoff: date) -> int:
    """Delete entries older than `cutoff` inside the caller's transaction; return how many."""
    cursor = store.conn.execute("DELETE FROM audit_log WHERE at < ?", [cutoff.isoformat()])
    return cursor.rowcount
