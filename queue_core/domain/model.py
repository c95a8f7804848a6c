"""The values the queue is made of: tickets, counters, transitions. Plain data, no I/O."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Ticket states (DOMAIN.md "The life of a ticket").
WAITING = "waiting"
CALLED = "called"
DONE = "done"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
EXPIRED = "expired"
TICKET_STATES = (WAITING, CALLED, DONE, NO_SHOW, CANCELLED, EXPIRED)
FINAL_STATES = (DONE, CANCELLED, EXPIRED)

# Counter states.
OPEN = "open"
PAUSED = "paused"
CLOSED = "closed"
COUNTER_STATES = (OPEN, PAUSED, CLOSED)

PRIORITIES = ("elderly", "disabled", "pregnant", "merit", "child")
CHANNELS = ("kiosk", "staff", "keypad", "api")
RATING_LEVELS = ("very_satisfied", "satisfied", "neutral", "unsatisfied")
# What became of a ticket's paper.
PRINTED, PRINT_FAILED, PRINTING = "printed", "failed", "printing"


@dataclass(frozen=True)
class Ticket:
    """One citizen's place in a field's queue."""

    id: str
    service: str
    # The field whose number series gave the number; stays when the ticket is transferred.
    series: str
    day: str
    number: int
    label: str
    state: str
    issued_at: datetime
    # Order within the queue: the issue time, or the time of a transfer without keeping place.
    queued_at: datetime
    priority: str | None = None
    channel: str = "kiosk"
    counter: int | None = None
    officer: str | None = None
    called_at: datetime | None = None
    finished_at: datetime | None = None
    recalls: int = 0
    # The one-door dossier (mã hồ sơ) the visit became, and the procedure it is for.
    dossier: str | None = None
    procedure: str | None = None

    def evolve(self, **changes: Any) -> Ticket:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class CounterStatus:
    """The live state of a counter; its fields come from configuration."""

    number: int
    state: str = OPEN
    current: str | None = None
    officer: str | None = None
    changed_at: datetime | None = None

    def evolve(self, **changes: Any) -> CounterStatus:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Transition:
    """One step in a ticket's life, as kept in the audit trail."""

    ticket_id: str
    action: str
    from_state: str | None
    to_state: str
    at: datetime
    actor: str
    service: str
    counter: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Rating:
    """A citizen's satisfaction with one served ticket."""

    ticket_id: str
    level: str
    at: datetime
    service: str
    counter: int | None
    officer: str | None
    comment: str | None = None
