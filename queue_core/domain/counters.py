"""What a counter may do in its current state."""

from __future__ import annotations

from datetime import datetime

from queue_core.domain.errors import Conflict
from queue_core.domain.model import CLOSED, OPEN, CounterStatus, Ticket
from queue_core.domain.shapes import CounterPlan


def ensure_can_call(status: CounterStatus, current: Ticket | None) -> None:
    """Refuse a call while the counter is not open or still serving someone."""
    if status.state != OPEN:
        raise Conflict("counter_not_open", counter=status.number, state=status.state)
    if current is not None:
        raise Conflict("counter_busy", counter=status.number, label=current.label)


def ensure_serves(counter: CounterPlan, service: str) -> None:
    """Refuse to call a ticket of a field this counter does not serve."""
    if service not in counter.services:
        raise Conflict("service_not_at_counter", counter=counter.number, service=service)


def require_current(status: CounterStatus, current: Ticket | None) -> Ticket:
    """Return the ticket being served, or refuse when there is none."""
    if current is None:
        raise Conflict("counter_idle", counter=status.number)
    return current


def change_state(status: CounterStatus, state: str, *, current: Ticket | None, now: datetime,
                 officer: str | None) -> CounterStatus:
    """Open, pause or close a counter; closing waits until the citizen served is done."""
    if state == CLOSED and current is not None:
        raise Conflict("counter_busy", counter=status.number, label=current.label)
    return status.evolve(state=state, changed_at=now,
                         officer=officer if state != CLOSED else None)
