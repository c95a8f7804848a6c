"""Tickets, their transitions and their ratings: where a ticket is written and read.

Numbers are read and the ticket row written in the same transaction (the caller's
`write()`), and a unique index on (series, day, number) catches anything else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from queue_core.domain.clock import parse_time, time_text
from queue_core.domain.model import CALLED, WAITING, CounterStatus, Rating, Ticket, Transition
from queue_core.storage.rows import Rows

TICKET_COLUMNS = ("id", "service", "series", "day", "number", "label", "state", "priority",
                  "channel", "counter", "officer", "issued_at", "queued_at", "called_at",
                  "finished_at", "recalls", "dossier", "procedure")
_SELECT_TICKETS = f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets"
_INSERT_TICKET = (f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}, request_key, secret) VALUES "
                  f"({', '.join(':' + c for c in TICKET_COLUMNS)}, :request_key, :secret)")
_INSERT_TRANSITION = ("INSERT INTO transitions (ticket_id, action, from_state, to_state, at, actor,"
                      " service, counter, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_RATING = ("INSERT INTO ratings (ticket_id, level, comment, at, service, counter, officer)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?)")


def ticket_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Ticket:
    values = dict(zip(TICKET_COLUMNS, row))
    for key in ("issued_at", "queued_at", "called_at", "finished_at"):
        values[key] = parse_time(values[key])
    values["recalls"] = values["recalls"] or 0
    return Ticket(**values)


def ticket_to_row(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id, "service": ticket.service, "series": ticket.series, "day": ticket.day,
        "number": ticket.number, "label": ticket.label, "state": ticket.state,
        "priority": ticket.priority, "channel": ticket.channel, "counter": ticket.counter,
        "officer": ticket.officer, "issued_at": time_text(ticket.issued_at),
        "queued_at": time_text(ticket.queued_at), "called_at": time_text(ticket.called_at),
        "finished_at": time_text(ticket.finished_at), "recalls": ticket.recalls,
        "dossier": ticket.dossier, "procedure": ticket.procedure,
    }


def _transition_row(transition: Transition) -> tuple[Any, ...]:
    return (transition.ticket_id, transition.action, transition.from_state, transition.to_state,
            time_text(transition.at), transition.actor, transition.service, transition.counter,
            transition.detail)


def _rating_row(rating: Rating) -> tuple[Any, ...]:
    return (rating.ticket_id, rating.level, rating.comment, time_text(rating.at), rating.service,
            rating.counter, rating.officer)


class TicketRows(Rows):
    """The `tickets`, `transitions` and `ratings` tables."""

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

    def current_ticket(self, status: CounterStatus) -> Ticket | None:
        """Return the ticket a counter is serving, if it is still called there."""
        ticket = self.ticket(status.current) if status.current else None
        return ticket if ticket is not None and ticket.state == CALLED else None

    def ticket_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])

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
        cutoff = time_text(aged_before) or ""
        queued = time_text(ticket.queued_at) or ""
        aged = bool(cutoff) and queued <= cutoff
        urgent = 0 if ticket.priority is not None or aged else 1
        row = self.conn.execute(
            "SELECT COUNT(*) FROM tickets WHERE state = 'waiting' AND service = ? AND id != ?"
            " AND (CASE WHEN priority IS NOT NULL OR queued_at <= ? THEN 0 ELSE 1 END,"
            " queued_at, number, id) < (?, ?, ?, ?)",
            [ticket.service, ticket.id, cutoff, urgent, queued, ticket.number, ticket.id],
        ).fetchone()
        return int(row[0])

    def waiting_order(self, service: str, *, aged_before: datetime | None) -> list[str]:
        """Return the ids of a field's waiting tickets in the order `count_ahead` counts in.

        The same order as the call-next policy (priority or aged first, then queue time,
        number, id), worked out by the database: a field's places without loading its tickets.
        """
        cutoff = time_text(aged_before) or ""
        rows = self.conn.execute(
            "SELECT id FROM tickets WHERE state = 'waiting' AND service = ?"
            " ORDER BY CASE WHEN priority IS NOT NULL OR queued_at <= ? THEN 0 ELSE 1 END,"
            " queued_at, number, id", [service, cutoff])
        return [ticket_id for (ticket_id,) in rows]

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

    def insert_ticket(self, ticket: Ticket, *, request_key: str | None = None,
                      secret: str | None = None) -> None:
        self.conn.execute(_INSERT_TICKET, {**ticket_to_row(ticket), "request_key": request_key,
                                           "secret": secret})

    def ticket_secret(self, ticket_id: str) -> str | None:
        """Return the holder's key of a ticket (None for tickets issued before keys)."""
        row = self.conn.execute("SELECT secret FROM tickets WHERE id = ?", [ticket_id]).fetchone()
        return None if row is None else row[0]

    def update_ticket(self, ticket: Ticket) -> None:
        row = ticket_to_row(ticket)
        sets = ", ".join(f"{key} = :{key}" for key in row if key != "id")
        self.conn.execute(f"UPDATE tickets SET {sets} WHERE id = :id", row)

    def insert_history(self, tickets: Iterable[Ticket], transitions: Iterable[Transition],
                       ratings: Iterable[Rating]) -> None:
        """Insert finished history in bulk, inside the caller's transaction (simulations)."""
        self.conn.executemany(_INSERT_TICKET, [{**ticket_to_row(t), "request_key": None,
                                                "secret": None} for t in tickets])
        self.conn.executemany(_INSERT_TRANSITION, [_transition_row(t) for t in transitions])
        self.conn.executemany(_INSERT_RATING, [_rating_row(r) for r in ratings])

    # --- transitions ---

    def add_transition(self, transition: Transition) -> None:
        self.conn.execute(_INSERT_TRANSITION, _transition_row(transition))

    def transitions(self, ticket_id: str | None = None) -> list[Transition]:
        sql = ("SELECT ticket_id, action, from_state, to_state, at, actor, service, counter, detail"
               " FROM transitions")
        params: list[Any] = []
        if ticket_id:
            sql += " WHERE ticket_id = ?"
            params.append(ticket_id)
        rows = self.conn.execute(sql + " ORDER BY id", params).fetchall()
        return [Transition(r[0], r[1], r[2], r[3], parse_time(r[4]) or datetime.min, r[5], r[6],
                           r[7], r[8]) for r in rows]

    def recent_announcements(self, day: str, limit: int) -> list[dict[str, Any]]:
        """Return the last `limit` calls and recalls since `day` began, oldest first."""
        rows = self.conn.execute(
            "SELECT tickets.label, transitions.counter, transitions.at, transitions.action,"
            " tickets.id FROM transitions JOIN tickets ON tickets.id = transitions.ticket_id"
            " WHERE transitions.action IN ('call', 'restore_call', 'recall') AND transitions.at >= ?"
            " ORDER BY transitions.id DESC LIMIT ?", [day, limit]).fetchall()
        return [{"label": label, "counter": counter, "at": at, "recall": action == "recall",
                 "ticket": ticket_id} for label, counter, at, action, ticket_id in reversed(rows)]

    def recent_service_seconds(self, service: str, limit: int) -> list[float]:
        rows = self.conn.execute(
            "SELECT (julianday(finished_at) - julianday(called_at)) * 86400 FROM tickets"
            " WHERE service = ? AND state = 'done' AND called_at IS NOT NULL"
            " ORDER BY finished_at DESC LIMIT ?", [service, limit])
        return [float(seconds) for (seconds,) in rows if seconds is not None]

    # --- ratings ---

    def rating(self, ticket_id: str) -> Rating | None:
        row = self.conn.execute(
            "SELECT ticket_id, level, at, service, counter, officer, comment FROM ratings"
            " WHERE ticket_id = ?", [ticket_id]).fetchone()
        if row is None:
            return None
        return Rating(row[0], row[1], parse_time(row[2]) or datetime.min, row[3], row[4], row[5],
                      row[6])

    def add_rating(self, rating: Rating) -> None:
        self.conn.execute(_INSERT_RATING, _rating_row(rating))
