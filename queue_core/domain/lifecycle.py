"""The life of a ticket: every allowed step, as pure functions returning the new value.

Each step returns a `Step`: the ticket after it and the transition to keep in the
audit trail. A step that the ticket's state does not allow raises `Conflict`.

>>> from datetime import datetime
>>> from queue_core.domain.clock import VIETNAM
>>> at = datetime(2026, 11, 23, 8, tzinfo=VIETNAM)
>>> ticket = issue(ticket_id="t1", service="A", number=23, label="A023", priority=None,
...                channel="kiosk", now=at, actor="kiosk:hall").ticket
>>> call(ticket, counter=3, now=at, actor="staff:lan").ticket.state
'called'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from queue_core.domain.businessday import day_of
from queue_core.domain.errors import Conflict
from queue_core.domain.model import (
    CALLED,
    CANCELLED,
    DONE,
    EXPIRED,
    NO_SHOW,
    WAITING,
    Ticket,
    Transition,
)


@dataclass(frozen=True)
class Step:
    """A ticket after one step of its life, and the record of that step."""

    ticket: Ticket
    transition: Transition


def _step(before: Ticket | None, after: Ticket, action: str, now: datetime, actor: str,
          detail: str | None = None) -> Step:
    return Step(after, Transition(
        ticket_id=after.id, action=action, from_state=before.state if before else None,
        to_state=after.state, at=now, actor=actor, service=after.service,
        counter=after.counter, detail=detail,
    ))


def issue(*, ticket_id: str, service: str, number: int, label: str, priority: str | None,
          channel: str, now: datetime, actor: str) -> Step:
    """Create a waiting ticket."""
    ticket = Ticket(id=ticket_id, service=service, series=service, day=day_of(now), number=number,
                    label=label, state=WAITING, issued_at=now, queued_at=now, priority=priority,
                    channel=channel)
    return _step(None, ticket, "issue", now, actor)


def call(ticket: Ticket, *, counter: int, now: datetime, actor: str, officer: str | None = None) -> Step:
    """Call a waiting ticket, or a no-show of today who turned up, to `counter`."""
    if ticket.state not in (WAITING, NO_SHOW):
        raise Conflict("ticket_not_callable", label=ticket.label, state=ticket.state)
    if ticket.state == NO_SHOW and ticket.day != day_of(now):
        raise Conflict("ticket_not_restorable", label=ticket.label)
    after = ticket.evolve(state=CALLED, counter=counter, officer=officer,
                          called_at=now, recalls=0)
    action = "call" if ticket.state == WAITING else "restore_call"
    return _step(ticket, after, action, now, actor)


def recall(ticket: Ticket, *, now: datetime, actor: str) -> Step:
    """Announce a called ticket again."""
    if ticket.state != CALLED:
        raise Conflict("ticket_not_callable", label=ticket.label, state=ticket.state)
    return _step(ticket, ticket.evolve(recalls=ticket.recalls + 1), "recall", now, actor)


def no_show(ticket: Ticket, *, now: datetime, actor: str) -> Step:
    """Mark a called ticket whose citizen did not come."""
    if ticket.state != CALLED:
        raise Conflict("ticket_not_callable", label=ticket.label, state=ticket.state)
    return _step(ticket, ticket.evolve(state=NO_SHOW, finished_at=now), "no_show", now, actor)


def restore(ticket: Ticket, *, now: datetime, actor: str, keep_place: bool = True) -> Step:
    """Put a no-show of today back in the queue (the citizen turned up later)."""
    if ticket.state != NO_SHOW or ticket.day != day_of(now):
        raise Conflict("ticket_not_restorable", label=ticket.label)
    after = ticket.evolve(state=WAITING, counter=None, officer=None, finished_at=None,
                          queued_at=ticket.queued_at if keep_place else now)
    return _step(ticket, after, "restore", now, actor)


def finish(ticket: Ticket, *, now: datetime, actor: str) -> Step:
    """Close a called ticket as served."""
    if ticket.state != CALLED:
        raise Conflict("ticket_not_callable", label=ticket.label, state=ticket.state)
    return _step(ticket, ticket.evolve(state=DONE, finished_at=now), "finish", now, actor)


def transfer(ticket: Ticket, *, service: str, now: datetime, actor: str,
             keep_place: bool = True) -> Step:
    """Send a called or waiting ticket to wait in another field."""
    if ticket.state not in (CALLED, WAITING):
        raise Conflict("ticket_not_callable", label=ticket.label, state=ticket.state)
    if ticket.service == service:
        raise Conflict("same_service", label=ticket.label, service=service)
    after = ticket.evolve(state=WAITING, service=service, counter=None, officer=None,
                          queued_at=ticket.queued_at if keep_place else now)
    return _step(ticket, after, "transfer", now, actor, detail=f"{ticket.service}->{service}")


def cancel(ticket: Ticket, *, now: datetime, actor: str) -> Step:
    """Withdraw a waiting ticket (the citizen left, or it was issued by mistake)."""
    if ticket.state not in (WAITING, NO_SHOW):
        raise Conflict("ticket_not_waiting", label=ticket.label)
    return _step(ticket, ticket.evolve(state=CANCELLED, finished_at=now), "cancel", now, actor)


def expire(ticket: Ticket, *, now: datetime) -> Step:
    """Close a ticket still waiting when its day ended."""
    if ticket.state != WAITING:
        raise Conflict("ticket_not_waiting", label=ticket.label)
    return _step(ticket, ticket.evolve(state=EXPIRED, finished_at=now), "expire", now, "system")


def close_forgotten(ticket: Ticket, *, now: datetime) -> Step:
    """Finish a ticket left `called` when its day ended (the officer forgot to press finish)."""
    if ticket.state != CALLED:
        raise Conflict("ticket_not_callable", label=ticket.label, state=ticket.state)
    return _step(ticket, ticket.evolve(state=DONE, finished_at=now), "day_end", now, "system")


def set_priority(ticket: Ticket, *, priority: str | None, now: datetime, actor: str) -> Step:
    """Mark (or unmark) a waiting ticket as priority."""
    if ticket.state != WAITING:
        raise Conflict("ticket_not_waiting", label=ticket.label)
    return _step(ticket, ticket.evolve(priority=priority), "priority", now, actor,
                 detail=priority or "none")


def attach_dossier(ticket: Ticket, *, code: str, procedure: str | None, now: datetime,
                   actor: str) -> Step:
    """Note the one-door dossier the visit became (in any state: it may come after finishing)."""
    detail = code if procedure is None else f"{code} {procedure}"
    return _step(ticket, ticket.evolve(dossier=code, procedure=procedure), "dossier", now, actor,
                 detail=detail)


__all__ = [
    "CANCELLED",
    "attach_dossier",
    "DONE",
    "EXPIRED",
    "Step",
    "call",
    "cancel",
    "close_forgotten",
    "expire",
    "finish",
    "issue",
    "no_show",
    "recall",
    "restore",
    "set_priority",
    "transfer",
]
