"""The JSON shapes of CONTRACT.md, built from domain values."""

from __future__ import annotations

from typing import Any

from queue_core.domain.clock import time_text
from queue_core.domain.model import WAITING, CounterStatus, Ticket, Transition
from queue_core.domain.shapes import CenterFacts, CounterPlan, FieldPlan


def ticket_json(ticket: Ticket, *, ahead: int | None = None, eta_minutes: int | None = None,
                dossier: bool = False) -> dict[str, Any]:
    """Return a Ticket; `ahead` and `eta_minutes` appear only while it waits.

    `dossier` adds the one-door dossier: for the ticket's own page, staff and what leaves
    the box (webhooks, the hub), never for public rooms and lists (a dossier code is the
    key to its status).
    """
    data: dict[str, Any] = {
        "id": ticket.id,
        "label": ticket.label,
        "number": ticket.number,
        "service": ticket.service,
        "priority": ticket.priority,
        "state": ticket.state,
        "counter": ticket.counter,
        "channel": ticket.channel,
        "day": ticket.day,
        "issued_at": time_text(ticket.issued_at),
        "called_at": time_text(ticket.called_at),
        "finished_at": time_text(ticket.finished_at),
        "recalls": ticket.recalls,
    }
    if ticket.state == WAITING:
        data["ahead"] = ahead
        data["eta_minutes"] = eta_minutes
    if dossier:
        data["dossier"] = dossier_json(ticket)
    return data


def dossier_json(ticket: Ticket) -> dict[str, Any] | None:
    """Return `{"code","procedure"}` of the ticket's dossier, or None when none is attached."""
    if ticket.dossier is None:
        return None
    return {"code": ticket.dossier, "procedure": ticket.procedure}


def forwarded_ticket_json(ticket: Ticket, view: dict[str, Any]) -> dict[str, Any]:
    """Return the Ticket as it leaves the box: the view plus series, officer and dossier."""
    return {**view, "series": ticket.series, "officer": ticket.officer,
            "dossier": dossier_json(ticket)}


def step_json(transition: Transition) -> dict[str, Any]:
    """Return the transition an event records, as it leaves the box."""
    return {"action": transition.action, "at": time_text(transition.at),
            "actor": transition.actor, "service": transition.service,
            "counter": transition.counter}


def counter_json(config: CounterPlan, status: CounterStatus,
                 current: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "number": config.number,
        "name": config.display_name,
        "services": list(config.services),
        "state": status.state,
        "current": current,
    }


def service_json(service: FieldPlan, *, open_now: bool, waiting: int) -> dict[str, Any]:
    return {
        "code": service.code,
        "name": service.name,
        "name_en": service.name_en,
        "open": open_now,
        "waiting": waiting,
    }


def center_json(center: CenterFacts) -> dict[str, Any]:
    return {
        "name": center.name,
        "name_en": center.name_en,
        "subtitle": center.subtitle,
        "opens_at": center.opens_at,
        "closes_at": center.closes_at,
        "timezone": center.timezone,
        "label_style": center.label_style,
    }
