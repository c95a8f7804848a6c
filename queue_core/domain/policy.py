"""Who is next: priority tickets first, then the oldest; optionally, long waits go ahead.

>>> from datetime import datetime, timedelta
>>> from queue_core.domain.clock import VIETNAM
>>> t0 = datetime(2026, 11, 23, 8, tzinfo=VIETNAM)
>>> old = _ticket("a", t0)
>>> urgent = _ticket("b", t0 + timedelta(minutes=30), priority="elderly")
>>> choose_next([old, urgent], now=t0 + timedelta(minutes=40)).id
'b'
>>> choose_next([old, urgent], now=t0 + timedelta(minutes=40), aging_minutes=20).id
'a'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from queue_core.domain.model import WAITING, Ticket


def queue_key(ticket: Ticket, *, now: datetime,
              aging_minutes: int = 0) -> tuple[int, datetime, int, str]:
    """Sort key of a waiting ticket: smaller goes first."""
    aged = aging_minutes > 0 and now - ticket.queued_at >= timedelta(minutes=aging_minutes)
    # An aged ticket joins the priority group at its own queue time, so it passes
    # priority tickets that came after it but not those that came before.
    urgent = ticket.priority is not None or aged
    # The id breaks the last tie (a transferred ticket and a new one of the same moment
    # and number), so every ticket has exactly one place.
    return (0 if urgent else 1, ticket.queued_at, ticket.number, ticket.id)


def order_queue(
    tickets: Iterable[Ticket], *, now: datetime, aging_minutes: int = 0
) -> list[Ticket]:
    """Return waiting tickets in the order they will be called."""
    waiting = [t for t in tickets if t.state == WAITING]
    return sorted(waiting, key=lambda t: queue_key(t, now=now, aging_minutes=aging_minutes))


def choose_next(
    waiting: Sequence[Ticket],
    *,
    now: datetime,
    services: Iterable[str] | None = None,
    aging_minutes: int = 0,
) -> Ticket | None:
    """Pick the ticket a counter serving `services` calls next, or None if nobody waits."""
    allowed = None if services is None else set(services)
    candidates = [t for t in waiting if allowed is None or t.service in allowed]
    ordered = order_queue(candidates, now=now, aging_minutes=aging_minutes)
    return ordered[0] if ordered else None


def _ticket(ticket_id: str, at: datetime, priority: str | None = None) -> Ticket:
    return Ticket(id=ticket_id, service="A", series="A", day=at.date().isoformat(), number=1,
                  label="A001", state=WAITING, issued_at=at, queued_at=at, priority=priority)
