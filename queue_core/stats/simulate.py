"""A plausible history of a center, for demos and benchmarks (`xephang simulate`).

Believable queues, as a commune center sees them: arrivals come as a Poisson stream
whose rate follows the hour (a morning peak, a lull at lunch, a smaller afternoon peak)
and the weekday (Monday busiest, Saturday morning light), and at the peaks they come
faster than the counters serve, so a queue builds and drains. Service times follow each
field's own lognormal spread (a copy certified in minutes, a land file for a quarter of
an hour); officers start a few minutes after opening, take turns for lunch, need a
moment between two citizens and to notice the first ticket at an idle counter. There are
priority tickets, no-shows (some restored), transfers, citizens who give up after a long
wait, tickets expiring at closing, and ratings. Pure: the days come out as values;
`xephang simulate` writes them.

All of that is one `Scenario` (`BELIEVABLE`, the default). Another scenario can strip it
down to a textbook queue (`TEXTBOOK`: Poisson arrivals at known rates, exponential service,
nobody giving up, no breaks), and a `shifts` plan can say which counters are at their
desk in which hours: the staffing advice is checked by replaying a day that way.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from queue_core.config import Settings
from queue_core.domain import lifecycle, policy
from queue_core.domain.clock import VIETNAM
from queue_core.domain.model import Rating, Ticket, Transition

# Share of a day's arrivals by hour of the day (opening hours cut what falls outside).
HOUR_WEIGHTS = {7: 1.0, 8: 2.4, 9: 2.4, 10: 1.6, 11: 0.8, 12: 0.1, 13: 0.5, 14: 1.2, 15: 0.9,
                16: 0.5, 17: 0.1}
# A day's volume against the average workday, by ISO weekday (Monday is the busiest).
WEEKDAY_FACTORS = {1: 1.35, 2: 1.1, 3: 1.0, 4: 0.95, 5: 0.9, 6: 0.5, 7: 0.3}
FIELD_WEIGHTS = {"A": 0.38, "B": 0.2, "C": 0.09, "D": 0.07, "E": 0.08, "F": 0.18}
# Median minutes at the counter per field, and the lognormal spread around it.
SERVICE_MINUTES = {"A": 6.5, "B": 12.0, "C": 15.0, "D": 12.0, "E": 13.0, "F": 4.0}
SERVICE_SPREAD = 0.5
OFFICERS = {1: "lan", 2: "hoa", 3: "minh", 4: "tuan", 5: "thu"}
PRIORITIES = (("elderly", 0.6), ("disabled", 0.1), ("pregnant", 0.1), ("merit", 0.1),
              ("child", 0.1))
# Seconds an idle officer takes to notice a new ticket; between two citizens.
NOTICE_SECONDS = (20, 90)
BETWEEN_SECONDS = (30, 90)
# Saturday: mornings only.
SATURDAY_LAST_ARRIVAL = (11, 30)


@dataclass(frozen=True)
class Scenario:
    """How the simulated hall behaves: arrivals, service, and the people in it.

    Rates are known exactly: a day of `per_day` tickets on a weekday of factor `f` brings,
    in hour `h`, field `x`, on average ``per_day × f × hour_weights[h] / Σ hour_weights ×
    field_weights[x]`` citizens (times a day's own swing drawn from `day_swing`).
    """

    hour_weights: Mapping[int, float] = field(default_factory=lambda: dict(HOUR_WEIGHTS))
    weekday_factors: Mapping[int, float] = field(default_factory=lambda: dict(WEEKDAY_FACTORS))
    field_weights: Mapping[str, float] = field(default_factory=lambda: dict(FIELD_WEIGHTS))
    # Minutes at the counter per field: the median of a lognormal of spread
    # `service_spread`, or with `service_spread=None` the mean of an exponential.
    service_minutes: Mapping[str, float] = field(default_factory=lambda: dict(SERVICE_MINUTES))
    service_spread: float | None = SERVICE_SPREAD
    day_swing: tuple[float, float] = (0.9, 1.1)
    priority_share: float = 0.08
    cancel_share: float = 0.02
    give_up_share: float = 0.25
    no_show_share: float = 0.04
    transfer_share: float = 0.03
    notice_seconds: tuple[float, float] = NOTICE_SECONDS
    between_seconds: tuple[float, float] = BETWEEN_SECONDS
    # Minutes after opening before an officer calls the first ticket.
    start_minutes: tuple[float, float] = (0, 10)
    lunch_in_turns: bool = True
    saturday_mornings: bool = True


BELIEVABLE = Scenario()
# The queue of the textbooks (M/M/c): Poisson arrivals, exponential service, officers who
# call the next citizen the moment they are free, nobody who gives up, no breaks.
TEXTBOOK = Scenario(service_spread=None, day_swing=(1.0, 1.0), priority_share=0.0,
                    cancel_share=0.0, give_up_share=0.0, no_show_share=0.0, transfer_share=0.0,
                    notice_seconds=(0, 0), between_seconds=(0, 0), start_minutes=(0, 0),
                    lunch_in_turns=False, saturday_mornings=False)

# Counter number → the hours (0–23) its officer is at the desk; the others are away.
Shifts = Mapping[int, Sequence[int]]


def _weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _arrival_times(rng: random.Random, opens: datetime, last: datetime, per_day: float,
                   hour_weights: Mapping[int, float]) -> list[datetime]:
    """Return a day's arrivals: a Poisson stream whose hourly rate follows `hour_weights`."""
    total = sum(hour_weights.values())
    times: list[datetime] = []
    for hour, weight in hour_weights.items():
        start = max(opens, opens.replace(hour=hour, minute=0, second=0, microsecond=0))
        end = min(last, opens.replace(hour=hour, minute=0, second=0, microsecond=0)
                  + timedelta(hours=1))
        if end <= start:
            continue
        rate = per_day * weight / total / 3600  # arrivals a second, in that hour
        moment = start
        while True:
            moment += timedelta(seconds=rng.expovariate(rate))
            if moment >= end:
                break
            times.append(moment.replace(microsecond=moment.microsecond // 1000 * 1000))
    return times


class _Day:
    """One simulated business day: arrivals, counters calling, citizens served or not."""

    def __init__(self, settings: Settings, day: date, per_day: float, rng: random.Random,
                 scenario: Scenario = BELIEVABLE, shifts: Shifts | None = None) -> None:
        self.settings = settings
        self.scenario = scenario
        self.shifts = shifts
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
        self.closes = datetime(day.year, day.month, day.day, min(closes_h, 23),
                               closes_m if closes_h < 24 else 59, tzinfo=VIETNAM)
        saturday = day.isoweekday() == 6 and scenario.saturday_mornings
        self.last_arrival = min(self.closes, self.opens.replace(
            hour=SATURDAY_LAST_ARRIVAL[0], minute=SATURDAY_LAST_ARRIVAL[1])) \
            if saturday else self.closes
        self.volume = (per_day * scenario.weekday_factors.get(day.isoweekday(), 1.0)
                       * rng.uniform(*scenario.day_swing))
        self.busy: dict[int, str | None] = {}
        self.away: dict[int, list[tuple[datetime, datetime]]] = {}

    def _at(self, moment: datetime, kind: str, payload: Any = None) -> None:
        self.order += 1
        heapq.heappush(self.events, (moment, self.order, kind, payload))

    def _keep(self, step: lifecycle.Step) -> Ticket:
        self.tickets[step.ticket.id] = step.ticket
        self.transitions.append(step.transition)
        return step.ticket

    def _present(self, counter: int, now: datetime) -> datetime | None:
        """Return None if the officer of `counter` is at the desk, else when they are back."""
        for start, end in self.away[counter]:
            if start <= now < end:
                return end
        return None

    def _absences(self, counter: int) -> list[tuple[datetime, datetime]]:
        """Return when the officer of `counter` is away, by the shifts (a run of hours)."""
        assert self.shifts is not None
        hours = set(self.shifts.get(counter, ()))
        away: list[tuple[datetime, datetime]] = []
        midnight = self.opens.replace(hour=0, minute=0)
        for hour in range(24):
            if hour in hours:
                continue
            start = midnight + timedelta(hours=hour)
            if away and away[-1][1] == start:
                away[-1] = (away[-1][0], start + timedelta(hours=1))
            else:
                away.append((start, start + timedelta(hours=1)))
        return away

    def run(self) -> None:
        rng = self.rng
        scenario = self.scenario
        for moment in _arrival_times(rng, self.opens, self.last_arrival, self.volume,
                                     scenario.hour_weights):
            self._at(moment, "arrive")
        counters = [c.number for c in self.settings.counters]
        self.busy = {number: None for number in counters}
        for index, number in enumerate(counters):
            if self.shifts is not None:
                self.away[number] = self._absences(number)
            elif scenario.lunch_in_turns:
                # Lunch in turns: half the counters go first, the other half after them.
                leave = self.opens.replace(hour=11, minute=30) + timedelta(
                    minutes=60 * (index % 2) + rng.uniform(-10, 10))
                self.away[number] = [(leave, leave + timedelta(minutes=rng.uniform(50, 70)))]
            else:
                self.away[number] = []
            self._at(self.opens + timedelta(minutes=rng.uniform(*scenario.start_minutes)),
                     "free", number)
        while self.events:
            now, _, kind, payload = heapq.heappop(self.events)
            if kind == "arrive":
                self._arrive(now)
                self._wake(now)
            elif kind == "free":
                back = self._present(payload, now)
                if back is not None:
                    self._at(back, "free", payload)
                elif self.busy[payload] is None and now < self.closes:
                    self.busy[payload] = self._call(payload, now)
            elif kind == "end":
                counter, ticket_id, outcome = payload
                self._end(counter, ticket_id, outcome, now)
                self.busy[counter] = None
                self._at(now + timedelta(seconds=rng.uniform(*scenario.between_seconds)),
                         "free", counter)
            elif kind == "restore":
                ticket = self.tickets[payload]
                if ticket.state == "no_show" and now < self.closes:
                    self._keep(lifecycle.restore(ticket, now=now, actor="user:le-tan",
                                                 keep_place=False))
                    self._wake(now)
            elif kind == "cancel":
                ticket = self.tickets[payload]
                if ticket.state == "waiting" and now < self.closes:
                    self._keep(lifecycle.cancel(ticket, now=now, actor="user:le-tan"))
            elif kind == "give_up":
                ticket = self.tickets[payload]
                # Still not called after an hour: some leave and come back another day.
                if (ticket.state == "waiting" and now < self.closes
                        and rng.random() < scenario.give_up_share):
                    self._keep(lifecycle.cancel(ticket, now=now, actor="user:le-tan"))
        for ticket in list(self.tickets.values()):
            if ticket.state == "waiting":
                self._keep(lifecycle.expire(ticket, now=self.closes))

    def _wake(self, now: datetime) -> None:
        """Idle officers notice a new ticket after a moment."""
        for counter, current in self.busy.items():
            if current is None:
                self._at(now + timedelta(seconds=self.rng.uniform(*self.scenario.notice_seconds)),
                         "free", counter)

    def _arrive(self, now: datetime) -> None:
        rng = self.rng
        scenario = self.scenario
        code = _weighted(rng, scenario.field_weights)
        number = self.numbers.get(code, 0) + 1
        self.numbers[code] = number
        priority = (_weighted(rng, dict(PRIORITIES)) if rng.random() < scenario.priority_share
                    else None)
        ticket = self._keep(lifecycle.issue(
            ticket_id=f"{self.day.isoformat()}-{code}{number:03d}", service=code, number=number,
            label=f"{code}{number:03d}", priority=priority, channel="kiosk", now=now,
            actor="device:kiosk"))
        if rng.random() < scenario.cancel_share:
            self._at(now + timedelta(minutes=rng.uniform(10, 40)), "cancel", ticket.id)
        self._at(now + timedelta(minutes=60), "give_up", ticket.id)

    def _call(self, counter: int, now: datetime) -> str | None:
        rng = self.rng
        scenario = self.scenario
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
        if rng.random() < scenario.no_show_share:
            recall_at = now + timedelta(seconds=60)
            self._keep(lifecycle.recall(ticket, now=recall_at, actor=f"user:{officer}"))
            self._at(recall_at + timedelta(seconds=90), "end", (counter, ticket.id, "no_show"))
        else:
            typical = scenario.service_minutes[ticket.service]
            minutes = (rng.expovariate(1 / typical) if scenario.service_spread is None
                       else rng.lognormvariate(math.log(typical), scenario.service_spread))
            outcome = "transfer" if rng.random() < scenario.transfer_share else "finish"
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


def simulated_days(settings: Settings, *, days: int, per_day: float, end: date,
                   seed: int = 7, scenario: Scenario = BELIEVABLE) -> Iterator[SimulatedDay]:
    """Yield `days` workdays of plausible history ending on `end`, oldest first."""
    rng = random.Random(seed)
    for day in workdays(end, days, settings):
        yield simulate_day(settings, day, per_day=per_day, rng=rng, scenario=scenario)


def simulate_day(settings: Settings, day: date, *, per_day: float, rng: random.Random,
                 scenario: Scenario = BELIEVABLE, shifts: Shifts | None = None) -> SimulatedDay:
    """Return one simulated day; with `shifts`, only those counters work, in those hours."""
    simulated = _Day(settings, day, per_day, rng, scenario, shifts)
    simulated.run()
    return SimulatedDay(day, tuple(simulated.tickets.values()), tuple(simulated.transitions),
                        tuple(simulated.ratings))


def hourly_rates(scenario: Scenario, *, per_day: float, weekday: int) -> dict[tuple[int, str], float]:
    """Return the mean arrivals of each (hour, field) on a weekday, for a whole open hour."""
    total = sum(scenario.hour_weights.values())
    factor = scenario.weekday_factors.get(weekday, 1.0) * sum(scenario.day_swing) / 2
    fields = sum(scenario.field_weights.values())
    return {(hour, code): per_day * factor * weight / total * share / fields
            for hour, weight in scenario.hour_weights.items()
            for code, share in scenario.field_weights.items()}
