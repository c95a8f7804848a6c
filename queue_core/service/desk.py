"""The read model of one counter's console: its queue in call order, today's no-shows, counts.

>>> # counter_queue(center, 2)["waiting"][0]["label"]
"""

from __future__ import annotations

from datetime import datetime
from statistics import mean
from typing import Any

from queue_core.domain import businessday, policy
from queue_core.domain.clock import time_text
from queue_core.domain.model import DONE, NO_SHOW
from queue_core.domain.payloads import counter_json, ticket_json
from queue_core.service.center import Center
from queue_core.storage import Store


def counter_queue(center: Center, number: int) -> dict[str, Any]:
    """Return what the console of counter `number` shows, as of one `seq`.

    Waiting tickets of the counter's fields come in the order `call-next` would take
    them; `no_show` lists today's no-shows of those fields (they may be called back).
    """
    config = center.counter(number)
    now = center.clock.now()
    day = businessday.day_of(now)
    store: Store = center.store
    with store.read():
        status = store.counter_status(number)
        current = store.current_ticket(status)
        waiting = policy.order_queue(store.waiting(config.services), now=now,
                                     aging_minutes=center.settings.policy.aging_minutes)
        no_shows = store.tickets(states=[NO_SHOW], services=list(config.services), day=day)
        closed_here = [t for t in store.tickets(states=[DONE, NO_SHOW], day=day)
                       if t.counter == number]
        seq = store.seq()
    served = [t for t in closed_here if t.state == DONE]
    service_seconds = [(t.finished_at - t.called_at).total_seconds() for t in served
                       if t.finished_at is not None and t.called_at is not None]
    waits = [(t.called_at - t.issued_at).total_seconds() for t in served
             if t.called_at is not None]
    return {
        "seq": seq,
        "now": time_text(now),
        "date": day,
        "counter": counter_json(config, status, ticket_json(current) if current else None),
        "waiting": [ticket_json(t, ahead=i, eta_minutes=None) for i, t in enumerate(waiting)],
        "no_show": [ticket_json(t) for t in sorted(no_shows, key=_finished, reverse=True)],
        "today": {
            "served": len(served),
            "no_show": len(closed_here) - len(served),
            "mean_service_s": round(mean(service_seconds)) if service_seconds else None,
            "mean_wait_s": round(mean(waits)) if waits else None,
        },
    }


def _finished(ticket: Any) -> datetime:
    return ticket.finished_at or ticket.issued_at  # type: ignore[no-any-return]
