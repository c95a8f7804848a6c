"""A plausible history of a center, for demos and benchmarks (`xephang simulate`).

Arrivals by hour peak mid-morning; fields differ in volume and service time; there are
priority tickets, no-shows (some restored), transfers, cancellations, tickets expiring at
closing, and ratings. Pure: the days come out as values; `xephang simulate` writes them.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from queue_core.config import Settings
from queue_core.domain import lifecycle, policy
from queue_core.domain.clock import VIETNAM
from queue_core.domain.model import Rating, Ticket, Transition

HOUR_WEIGHTS = {7: 0.7, 8: 1.4, 9: 1.9, 10: 1.7, 11: 1.0, 12: 0.3, 13: 0.8, 14: 1.2, 15: 1.0,
                16: 0.6, 17: 0.2}
FIELD_WEIGHTS = {"A": 0.38, "B": 0.2, "C": 0.09, "D": 0.07, "E": 0.08, "F": 0.18}
SERVICE_MINUTES = {"A": 4.0, "B": 9.0, "C": 10.0, "D": 8.0, "E": 10.0, "F": 3.0}
OFFICERS = {1: "lan", 2: "hoa", 3: "minh", 4: "tuan", 5: "thu"}
PRIORITIES = (("elderly", 0.6), ("disabled", 0.1), ("pregnant", 0.1), ("merit", 0.1),
              ("child", 0.1))


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Day:
    """One simulated business day: arrivals, counters calling, citizens served or not."""

    def __init__(self, settings: Settings, day: date, per_day: int, rng: random.Random) -> None:
        self.settings = settings
        self.day = day
        self.rng = rng
        self.tickets: dict[str, Ticket] = {}
        self.transitions: list[Transition] = []
        self.ratings: list[Rating] = []
        self.numbers: dict[str, int] = {}
        self.events: list[tuple[datetime, int, str, Any]] = []
        self.order = 0
        opens_h, opens_m = map(int, settings.center.opens_at.split(":"))
        closes_h, closes_m = map(int, settings.center.closes_at.split(":"))
        self.opens = datetime(day.year, day.month, day.day, opens_h, opens_m, tzinfo=VIETNAM)
        self.closes = datetime(day.year, day.month, day.day, closes_h, closes_m, tzinfo=VIETNAM)
        saturday = day.isoweekday() == 6
        self.last_arrival = self.opens.replace(hour=11, minute=30) if saturday else self.closes
        volume = per_day * (0.55 if saturday else 1.0) * rng.uniform(0.8, 1.2)
        self.arrivals = max(1, int(volume))

    def _at(self, moment: datetime, kind: str, payload: Any = None) -> None:
        self.order += 1
        heapq.heappush(self.events, (moment, self.order, kind, payload))

    def _keep(self, step: lifecycle.Step) -> Ticket:
        self.tickets[step.ticket.id] = step.ticket
        self.transitions.append(step.transition)
        return step.ticket

    def run(self) -> None:
        rng = self.rng
        span = (self.last_arrival - self.opens).total_seconds()
        hours = [h for h in HOUR_WEIGHTS if self.opens.hour <= h < self.last_arrival.hour + 1]
        for _ in range(self.arrivals):
            hour = _weighted(rng, {h: HOUR_WEIGHTS[h] for h in hours})
            moment = self.opens.replace(hour=hour, minute=0) + timedelta(
                seconds=rng.uniform(0, 3600))
            moment = min(max(moment, self.opens), self.opens + timedelta(seconds=span - 1))
            self._at(moment.replace(microsecond=moment.microsecond // 1000 * 1000), "arrive")
        busy: dict[int, str | None] = {c.number: None for c in self.settings.counters}
        for counter in busy:
            self._at(self.opens + timedelta(minutes=rng.uniform(0, 5)), "free", counter)
        while self.events:
            now, _, kind, payload = heapq.heappop(self.events)
            if kind == "arrive":
                self._arrive(now)
                for counter, current in busy.items():
                    if current is None:
                        self._at(now, "free", counter)
            elif kind == "free":
                if busy[payload] is None and now < self.closes:
                    busy[payload] = self._call(payload, now)
            elif kind == "end":
                counter, ticket_id, outcome = payload
                self._end(counter, ticket_id, outcome, now)
                busy[counter] = None
                self._at(now + timedelta(seconds=rng.uniform(5, 40)), "free", counter)
            elif kind == "restore":
                ticket = self.tickets[payload]
                if ticket.state == "no_show" and now < self.closes:
                    self._keep(lifecycle.restore(ticket, now=now, actor="user:le-tan",
                                                 keep_place=False))
                    self._wake(busy, now)
            elif kind == "cancel":
                ticket = self.tickets[payload]
                if ticket.state == "waiting" and now < self.closes:
                    self._keep(lifecycle.cancel(ticket, now=now, actor="user:le-tan"))
        for ticket in list(self.tickets.values()):
            if ticket.state == "waiting":
                self._keep(lifecycle.expire(ticket, now=self.closes))

    def _wake(self, busy: dict[int, str | None], now: datetime) -> None:
        for counter, current in busy.items():
            if current is None:
                self._at(now, "free", counter)

    def _arrive(self, now: datetime) -> None:
        rng = self.rng
        code = _weighted(rng, FIELD_WEIGHTS)
        number = self.numbers.get(code, 0) + 1
        self.numbers[code] = number
        priority = _weighted(rng, dict(PRIORITIES)) if rng.random() < 0.08 else None
        ticket = self._keep(lifecycle.issue(
            ticket_id=f"{self.day.isoformat()}-{code}{number:03d}", service=code, number=number,
            label=f"{code}{number:03d}", priority=priority, channel="kiosk", now=now,
            actor="device:kiosk"))
        if rng.random() < 0.02:
            self._at(now + timedelta(minutes=rng.uniform(10, 40)), "cancel", ticket.id)

    def _call(self, counter: int, now: datetime) -> str | None:
        rng = self.rng
        config = self.settings.counter(counter)
        assert config is not None
        waiting = [t for t in self.tickets.values()
                   if t.state == "waiting" and t.service in config.services]
        chosen = policy.choose_next(waiting, now=now)
        if chosen is None:
            return None
        officer = OFFICERS.get(counter, f"can-bo-{counter}")
        ticket = self._keep(lifecycle.call(chosen, counter=counter, now=now,
                                           actor=f"user:{officer}", officer=officer))
        if rng.random() < 0.04:
            recall_at = now + timedelta(seconds=60)
            self._keep(lifecycle.recall(ticket, now=recall_at, actor=f"user:{officer}"))
            self._at(recall_at + timedelta(seconds=90), "end", (counter, ticket.id, "no_show"))
        else:
            minutes = rng.lognormvariate(math.log(SERVICE_MINUTES[ticket.service]), 0.45)
            outcome = "transfer" if rng.random() < 0.03 else "finish"
            self._at(now + timedelta(minutes=minutes), "end", (counter, ticket.id, outcome))
        return ticket.id

    def _end(self, counter: int, ticket_id: str, outcome: str, now: datetime) -> None:
        rng = self.rng
        ticket = self.tickets[ticket_id]
        actor = f"user:{OFFICERS.get(counter, counter)}"
        if outcome == "no_show":
            self._keep(lifecycle.no_show(ticket, now=now, actor=actor))
            if rng.random() < 0.2:
                self._at(now + timedelta(minutes=rng.uniform(5, 40)), "restore", ticket_id)
        elif outcome == "transfer":
            target = "F" if ticket.service != "F" else "B"
            self._keep(lifecycle.transfer(ticket, service=target, now=now, actor=actor))
        else:
            done = self._keep(lifecycle.finish(ticket, now=now, actor=actor))
            if rng.random() < 0.6:
                waited = (done.called_at or now) - done.issued_at
                unhappy = 0.25 if waited > timedelta(minutes=30) else 0.06
                level = _weighted(rng, {"very_satisfied": 0.55, "satisfied": 0.45 - unhappy,
                                        "unsatisfied": unhappy})
                self.ratings.append(Rating(ticket_id=done.id, level=level,
                                           at=now + timedelta(seconds=20), service=done.service,
                                           counter=done.counter, officer=done.officer))


def workdays(end: date, count: int, settings: Settings) -> list[date]:
    """Return the last `count` workdays up to and including `end`, oldest first."""
    days: list[date] = []
    day = end
    while len(days) < count:
        if day.isoweekday() in settings.center.workdays:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


@dataclass(frozen=True)
class SimulatedDay:
    """One simulated business day, as the values the store keeps."""

    day: date
    tickets: tuple[Ticket, ...]
    transitions: tuple[Transition, ...]
    ratings: tuple[Rating, ...]


def simulated_days(settings: Settings, *, days: int, per_day: int, end: date,
                   seed: int = 7) -> Iterator[SimulatedDay]:
    """Yield `days` workdays of plausible history ending on `end`, oldest first."""
    rng = random.Random(seed)
    for day in workdays(end, days, settings):
        simulated = _Day(settings, day, per_day, rng)
        simulated.run()
        yield SimulatedDay(day, tuple(simulated.tickets.values()), tuple(simulated.transitions),
                           tuple(simulated.ratings))
