"""The JSON shapes of CONTRACT.md, built from domain values."""

from __future__ import annotations

from typing import Any

from queue_core.domain.clock import time_text
from queue_core.domain.model import WAITING, CounterStatus, Ticket
from queue_core.domain.shapes import CenterFacts, CounterPlan, FieldPlan


def ticket_json(ticket: Ticket, *, ahead: int | None = None,
                eta_minutes: int | None = None) -> dict[str, Any]:
    """Return a Ticket; `ahead` and `eta_minutes` appear only while it waits."""
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
    return data


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
