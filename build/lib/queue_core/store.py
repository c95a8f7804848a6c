"""Durable storage on SQLite (sqlite-utils): migrations, transactions, rows to values.

Every change goes through `Store.write()`, one `BEGIN IMMEDIATE` transaction that
also raises the board's `seq`. Numbers are read and the ticket row written in the
same transaction, and a unique index on (series, day, number) catches anything else.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .model import CALLED, OPEN, WAITING, CounterStatus, Rating, Ticket, Transition

DATABASE_FILE = "xephang.sqlite3"


# --- migrations: named, ordered, each applied once -------------------------------------------

def create_queue_tables(db: sqlite_utils.Database) -> None:
    db.table("tickets").create({
        "id": str, "service": str, "series": str, "day": str, "number": int, "label": str,
        "state": str, "priority": str, "channel": str, "counter": int, "officer": str,
        "issued_at": str, "queued_at": str, "called_at": str, "finished_at": str, "recalls": int,
    }, pk="id", not_null={"service", "series", "day", "number", "label", "state", "issued_at",
                          "queued_at"}, defaults={"recalls": 0})
    db.table("tickets").create_index(["series", "day", "number"], unique=True,
                               index_name="tickets_unique_number")
    db.table("tickets").create_index(["state", "service"], index_name="tickets_state_service")
    db.table("tickets").create_index(["day"], index_name="tickets_day")
    db.table("transitions").create({
        "id": int, "ticket_id": str, "action": str, "from_state": str, "to_state": str,
        "at": str, "actor": str, "service": str, "counter": int, "detail": str,
    }, pk="id", foreign_keys=[("ticket_id", "tickets", "id")],
        not_null={"ticket_id", "action", "to_state", "at", "actor", "service"})
    db.table("transitions").create_index(["ticket_id"], index_name="transitions_ticket")
    db.table("transitions").create_index(["at"], index_name="transitions_at")
    db.table("counters").create({"number": int, "state": str, "current": str, "officer": str,
                           "changed_at": str}, pk="number")
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("meta").insert({"key": "seq", "value": "0"})
    db.table("ratings").create({"ticket_id": str, "level": str, "comment": str, "at": str,
                          "service": str, "counter": int, "officer": str}, pk="ticket_id",
                         foreign_keys=[("ticket_id", "tickets", "id")])


def create_people_and_tokens(db: sqlite_utils.Database) -> None:
    db.table("users").create({"username": str, "password_hash": str, "role": str, "counter": int,
                        "created_at": str, "disabled": int}, pk="username",
                       defaults={"disabled": 0})
    db.table("tokens").create({"id": int, "name": str, "token_hash": str, "role": str, "counter": int,
                         "created_at": str, "revoked_at": str}, pk="id")
    db.table("tokens").create_index(["token_hash"], unique=True, index_name="tokens_hash")


def add_request_keys(db: sqlite_utils.Database) -> None:
    # A kiosk that retries after a lost response names its request, and gets the same ticket.
    db.table("tickets").add_column("request_key", str)
    db.execute("CREATE UNIQUE INDEX tickets_request_key ON tickets(request_key) "
               "WHERE request_key IS NOT NULL")


def add_ticket_prints(db: sqlite_utils.Database) -> None:
    # Whether a ticket's paper came out. A failed print leaves the ticket valid; staff see it.
    db.table("ticket_prints").create({
        "ticket_id": str, "printed": int, "code": str, "message": str, "attempts": int,
        "printer": str, "at": str,
    }, pk="ticket_id", foreign_keys=[("ticket_id", "tickets", "id")],
        not_null={"printed", "code", "at"}, defaults={"attempts": 1})


def index_the_queue_order(db: sqlite_utils.Database) -> None:
    # Who is next, and how many are ahead, are read from this index without a scan.
    db.table("tickets").create_index(["state", "service", "queued_at", "number"],
                                     index_name="tickets_queue_order")


def create_audit_log(db: sqlite_utils.Database) -> None:
    # Who did what outside a ticket's own history: logins, counter states, people and tokens.
    db.table("audit_log").create({
        "id": int, "at": str, "actor": str, "action": str, "target": str, "detail": str,
    }, pk="id", not_null={"at", "actor", "action"})
    db.table("audit_log").create_index(["at"], index_name="audit_log_at")


MIGRATIONS: Sequence[tuple[str, Callable[[sqlite_utils.Database], None]]] = (
    ("0001_create_queue_tables", create_queue_tables),
    ("0002_create_people_and_tokens", create_people_and_tokens),
    ("0003_add_request_keys", add_request_keys),
    ("0004_add_ticket_prints", add_ticket_prints),
    ("0005_index_the_queue_order", index_the_queue_order),
    ("0006_create_audit_log", create_audit_log),
)


def migrate(db: sqlite_utils.Database,
            migrations: Sequence[tuple[str, Callable[[sqlite_utils.Database], None]]] = MIGRATIONS,
            ) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names."""
    conn = db.conn
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    applied = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    done = []
    for name, step in migrations:
        if name in applied:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while we waited for the lock.
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone():
                conn.execute("COMMIT")
                continue
            step(db)
            conn.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", [name])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        done.append(name)
    return done


# --- rows and values ---------------------------------------------------------------------------

def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _text(value: datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds") if value else None


TICKET_COLUMNS = ("id", "service", "series", "day", "number", "label", "state", "priority",
                  "channel", "counter", "officer", "issued_at", "queued_at", "called_at",
                  "finished_at", "recalls")


def ticket_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Ticket:
    values = dict(zip(TICKET_COLUMNS, row))
    for key in ("issued_at", "queued_at", "called_at", "finished_at"):
        values[key] = _time(values[key])
    values["recalls"] = values["recalls"] or 0
    return Ticket(**values)


def ticket_to_row(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id, "service": ticket.service, "series": ticket.series, "day": ticket.day,
        "number": ticket.number, "label": ticket.label, "state": ticket.state,
        "priority": ticket.priority, "channel": ticket.channel, "counter": ticket.counter,
        "officer": ticket.officer, "issued_at": _text(ticket.issued_at),
        "queued_at": _text(ticket.queued_at), "called_at": _text(ticket.called_at),
        "finished_at": _text(ticket.finished_at), "recalls": ticket.recalls,
    }


_SELECT_TICKETS = f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets"


class Store:
    """The queue's database. One connection per process, used by one thread at a time.

    >>> store = Store.open(":memory:")
    >>> with store.write():
    ...     store.bump_seq()
    1
    """

    def __init__(self, db: sqlite_utils.Database, path: str) -> None:
        self.db = db
        self.conn = db.conn
        self.path = path
        # SQLite serialises writers anyway; the lock keeps this process's threads from
        # interleaving statements of two transactions on the shared connection.
        self.lock = threading.RLock()

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating and upgrading as needed) the database at `path` or ':memory:'."""
        name = str(path)
        if name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(name, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        if name != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a ticket that was printed or shown survives a power cut.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        migrate(db)
        return cls(db, name)

    @classmethod
    def in_data_dir(cls, data_dir: str | Path) -> Store:
        return cls.open(Path(data_dir) / DATABASE_FILE)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def write(self) -> Iterator[Store]:
        """Run the block as one immediate transaction: all of it is committed, or none."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Store]:
        """Run the block on one consistent snapshot."""
        with self.lock:
            if self.conn.in_transaction:
                yield self
                return
            self.conn.execute("BEGIN")
            try:
                yield self
            finally:
                self.conn.execute("COMMIT")

    # --- board version ---

    def seq(self) -> int:
        return int(self.conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])

    def bump_seq(self) -> int:
        self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq'")
        return self.seq()

    # --- tickets ---

    def ticket(self, ticket_id: str) -> Ticket | None:
        row = self.conn.execute(f"{_SELECT_TICKETS} WHERE id = ?", [ticket_id]).fetchone()
        return ticket_from_row(row) if row else None

    def ticket_by_request_key(self, key: str) -> Ticket | None:
        row = self.conn.execute(f"{_SELECT_TICKETS} WHERE request_key = ?", [key]).fetchone()
        return ticket_from_row(row) if row else None

    def tickets(self, *, states: Sequence[str] | None = None, services: Sequence[str] | None = None,
                day: str | None = None, until_day: str | None = None) -> list[Ticket]:
        where: list[str] = []
        params: list[Any] = []
        if states:
            where.append(f"state IN ({', '.join('?' for _ in states)})")
            params.extend(states)
        if services:
            where.append(f"service IN ({', '.join('?' for _ in services)})")
            params.extend(services)
        if day:
            where.append("day = ?")
            params.append(day)
        if until_day:
            where.append("day <= ?")
            params.append(until_day)
        sql = _SELECT_TICKETS + (f" WHERE {' AND '.join(where)}" if where else "")
        rows = self.conn.execute(sql + " ORDER BY issued_at, id", params).fetchall()
        return [ticket_from_row(row) for row in rows]

    def head_of_queue(self, services: Sequence[str]) -> list[Ticket]:
        """Return the oldest priority ticket and the oldest ticket waiting in `services`.

        Whoever the call-next policy picks is one of these two, so a long queue is
        never loaded to call one ticket.
        """
        marks = ", ".join("?" for _ in services)
        base = f"{_SELECT_TICKETS} WHERE state = 'waiting' AND service IN ({marks})"
        found: dict[str, Ticket] = {}
        for extra in (" AND priority IS NOT NULL", ""):
            row = self.conn.execute(f"{base}{extra} ORDER BY queued_at, number, id LIMIT 1",
                                    list(services)).fetchone()
            if row is not None:
                ticket = ticket_from_row(row)
                found[ticket.id] = ticket
        return list(found.values())

    def count_ahead(self, ticket: Ticket, *, aged_before: datetime | None) -> int:
        """Count tickets of the same field that the call-next policy puts before `ticket`."""
        cutoff = _text(aged_before) or ""
        queued = _text(ticket.queued_at) or ""
        aged = bool(cutoff) and queued <= cutoff
        urgent = 0 if ticket.priority is not None or aged else 1
        row = self.conn.execute(
            "SELECT COUNT(*) FROM tickets WHERE state = 'waiting' AND service = ? AND id != ?"
            " AND (CASE WHEN priority IS NOT NULL OR queued_at <= ? THEN 0 ELSE 1 END,"
            " queued_at, number, id) < (?, ?, ?, ?)",
            [ticket.service, ticket.id, cutoff, urgent, queued, ticket.number, ticket.id],
        ).fetchone()
        return int(row[0])

    def waiting(self, services: Sequence[str]) -> list[Ticket]:
        return self.tickets(states=[WAITING], services=services)

    def waiting_counts(self) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT service, COUNT(*) FROM tickets WHERE state = ? GROUP BY service", [WAITING])
        return {service: count for service, count in rows}

    def last_number(self, series: str, day: str) -> int | None:
        row = self.conn.execute("SELECT MAX(number) FROM tickets WHERE series = ? AND day = ?",
                                [series, day]).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def insert_ticket(self, ticket: Ticket, *, request_key: str | None = None) -> None:
        self.db.table("tickets").insert({**ticket_to_row(ticket), "request_key": request_key})

    def update_ticket(self, ticket: Ticket) -> None:
        row = ticket_to_row(ticket)
        sets = ", ".join(f"{key} = :{key}" for key in row if key != "id")
        self.conn.execute(f"UPDATE tickets SET {sets} WHERE id = :id", row)

    def add_transition(self, transition: Transition) -> None:
        self.conn.execute(
            "INSERT INTO transitions (ticket_id, action, from_state, to_state, at, actor, service,"
            " counter, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [transition.ticket_id, transition.action, transition.from_state, transition.to_state,
             _text(transition.at), transition.actor, transition.service, transition.counter,
             transition.detail])

    def transitions(self, ticket_id: str | None = None) -> list[Transition]:
        sql = ("SELECT ticket_id, action, from_state, to_state, at, actor, service, counter, detail"
               " FROM transitions")
        params: list[Any] = []
        if ticket_id:
            sql += " WHERE ticket_id = ?"
            params.append(ticket_id)
        rows = self.conn.execute(sql + " ORDER BY id", params).fetchall()
        return [Transition(r[0], r[1], r[2], r[3], _time(r[4]) or datetime.min, r[5], r[6], r[7],
                           r[8]) for r in rows]

    def recent_calls(self, day: str, limit: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT tickets.label, transitions.counter, transitions.at, transitions.action,"
            " tickets.id FROM transitions JOIN tickets ON tickets.id = transitions.ticket_id"
            " WHERE transitions.action IN ('call', 'restore_call', 'recall') AND transitions.at >= ?"
            " ORDER BY transitions.id DESC LIMIT ?", [day, limit])
        return [{"label": label, "counter": counter, "at": at, "recall": action == "recall",
                 "ticket": ticket_id} for label, counter, at, action, ticket_id in rows]

    def recent_service_seconds(self, service: str, limit: int) -> list[float]:
        rows = self.conn.execute(
            "SELECT (julianday(finished_at) - julianday(called_at)) * 86400 FROM tickets"
            " WHERE service = ? AND state = 'done' AND called_at IS NOT NULL"
            " ORDER BY finished_at DESC LIMIT ?", [service, limit])
        return [float(seconds) for (seconds,) in rows if seconds is not None]

    # --- counters ---

    def counter_status(self, number: int) -> CounterStatus:
        row = self.conn.execute(
            "SELECT number, state, current, officer, changed_at FROM counters WHERE number = ?",
            [number]).fetchone()
        if row is None:
            return CounterStatus(number=number, state=OPEN)
        return CounterStatus(row[0], row[1], row[2], row[3], _time(row[4]))

    def save_counter(self, status: CounterStatus) -> None:
        self.db.table("counters").upsert({"number": status.number, "state": status.state,
                                    "current": status.current, "officer": status.officer,
                                    "changed_at": _text(status.changed_at)}, pk="number")

    def current_ticket(self, status: CounterStatus) -> Ticket | None:
        ticket = self.ticket(status.current) if status.current else None
        return ticket if ticket is not None and ticket.state == CALLED else None

    # --- ratings ---

    def rating(self, ticket_id: str) -> Rating | None:
        row = self.conn.execute(
            "SELECT ticket_id, level, at, service, counter, officer, comment FROM ratings"
            " WHERE ticket_id = ?", [ticket_id]).fetchone()
        if row is None:
            return None
        return Rating(row[0], row[1], _time(row[2]) or datetime.min, row[3], row[4], row[5], row[6])

    def add_rating(self, rating: Rating) -> None:
        self.db.table("ratings").insert({"ticket_id": rating.ticket_id, "level": rating.level,
                                   "comment": rating.comment, "at": _text(rating.at),
                                   "service": rating.service, "counter": rating.counter,
                                   "officer": rating.officer})
