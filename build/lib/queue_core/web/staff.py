"""The officer's console (`/counter`), the rating device (`/rate/<n>`) and what they read.

The pages are static shells; everything live comes from the REST API and Socket.IO,
so an action never reloads a page. The read model of one counter (its queue in call
order, today's no-shows it may call back, today's counts) and the rules for a rating
given at a counter or by the ticket holder live here, next to their only clients.

>>> # app.register_blueprint(staff_pages)
"""

from __future__ import annotations

from datetime import datetime
from statistics import mean
from typing import Any

from flask import Blueprint, abort, current_app, render_template

from .. import businessday, policy
from ..center import Center
from ..config import Settings
from ..errors import Conflict
from ..model import DONE, NO_SHOW, PRIORITIES
from ..payloads import counter_json, iso, ticket_json
from ..store import Store
from .security import Throttle

staff_pages = Blueprint("staff_pages", __name__, template_folder="templates")

# The rating device shows its choices, then (when unsatisfied) the reasons, each for
# `ratings.idle_seconds`; a rating later than both screens plus this margin is refused,
# so a stale screen can never rate the next citizen's visit.
RATING_GRACE_SECONDS = 10
# How long the rating device says thank you before it goes back to idle.
THANKS_SECONDS = 6
# Ticket pages are anonymous: one address may try this many ratings a minute.
HOLDER_RATINGS_PER_MINUTE = 10

PRIORITY_LABELS = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "merit": "Người có công",
    "child": "Có con nhỏ",
}


def _xephang() -> Any:
    return current_app.extensions["xephang"]


# --- pages ---------------------------------------------------------------------------------

@staff_pages.get("/counter")
def console() -> str:
    """Serve the staff console: a login form, then the counter's live desk."""
    settings: Settings = _xephang().settings
    return render_template(
        "staff.html", center=settings.center,
        counters=[{"number": c.number, "name": c.display_name, "services": list(c.services)}
                  for c in settings.counters],
        services=[{"code": s.code, "name": s.name} for s in settings.services],
        priorities={p: PRIORITY_LABELS.get(p, p) for p in PRIORITIES})


@staff_pages.get("/rate/<int:number>")
def rating_device(number: int) -> str:
    """Serve the rating device of one counter (a tablet beside it, or the look-up kiosk)."""
    settings: Settings = _xephang().settings
    counter = settings.counter(number)
    if counter is None:
        abort(404)
    return render_template("rate.html", center=settings.center, counter=counter,
                           options=rating_options(settings))


# --- the read model of one counter ---------------------------------------------------------

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
        "now": iso(now),
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


# --- ratings -------------------------------------------------------------------------------

def rating_options(settings: Settings) -> dict[str, Any]:
    """Return the levels (with their words), the reasons and the device timings."""
    ratings = settings.ratings
    return {
        "levels": [{"level": level, "label": label}
                   for level, label in zip(ratings.levels, ratings.labels, strict=True)],
        "reasons": list(ratings.reasons),
        "reasons_for": ["unsatisfied"],
        "idle_seconds": ratings.idle_seconds,
        "thanks_seconds": THANKS_SECONDS,
        "window_seconds": rating_window_seconds(settings),
    }


def rating_window_seconds(settings: Settings) -> int:
    """Return how long after `finish` the counter's rating device may still rate."""
    return 2 * settings.ratings.idle_seconds + RATING_GRACE_SECONDS


def rate_at_counter(center: Center, number: int, ticket_id: str, level: Any, *,
                    comment: Any = None) -> dict[str, Any]:
    """Keep the rating a counter's device took for the ticket just finished there."""
    center.counter(number)
    ticket = center.ticket(ticket_id)
    if ticket["state"] == DONE:
        if ticket["counter"] != number:
            raise Conflict("rating_wrong_counter", label=ticket["label"], counter=number)
        finished = datetime.fromisoformat(ticket["finished_at"])
        late = (center.clock.now() - finished).total_seconds() > rating_window_seconds(
            center.settings)
        if late and not _rated(center, ticket["id"]):
            raise Conflict("rating_expired", label=ticket["label"])
    return center.rate(ticket["id"], level, comment=comment)


def rate_by_holder(center: Center, ticket_id: str, level: Any, *,
                   comment: Any = None) -> dict[str, Any]:
    """Keep the rating the citizen gave on their own ticket page (same business day)."""
    ticket = center.ticket(ticket_id)
    today = businessday.day_of(center.clock.now())
    if ticket["state"] == DONE and ticket["day"] != today and not _rated(center, ticket["id"]):
        raise Conflict("rating_expired", label=ticket["label"])
    return center.rate(ticket["id"], level, comment=comment)


def throttle_holder(address: str) -> None:
    """Count one rating attempt from a ticket page at `address` (429 past the limit)."""
    throttle = current_app.extensions.setdefault(
        "xephang_holder_ratings", Throttle(limit=HOLDER_RATINGS_PER_MINUTE, window=60))
    throttle.hit(address)


def _rated(center: Center, ticket_id: str) -> bool:
    with center.store.read():
        return center.store.rating(ticket_id) is not None
