"""Replaying staffing advice in the simulator: does the advised plan keep its promise?

`advice_after_history` asks for advice after a simulated history; `shifts_for` turns an `Advice` into a plan of who works when (the first counters of
each group, as many as advised in each hour), `simulate.simulate_day` plays a day with it,
and `measured` counts how many citizens were really called within the target wait, next to
`promised`, the share the Erlang C model gave for the same plan (arrival-weighted over the
hours). The tests and `bench/bench_staffing.py` compare the two.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from queue_core.config import Settings
from queue_core.stats import reader, staffing
from queue_core.stats.simulate import Scenario, Shifts, SimulatedDay, simulate_day
from queue_core.stats.staffing import Advice

__all__ = ["Measured", "advice_after_history", "measured", "promised", "replay", "shifts_for"]


def advice_after_history(settings: Settings, scenario: Scenario, *, per_day: float, day: date,
                         seed: int, target_wait_s: float, level: float) -> Advice:
    """Simulate the `HISTORY_WEEKS` same weekdays before `day` and return the advice for it,
    read back through a store and the real reader exactly as `GET /stats/staffing` reads."""
    rng = random.Random(seed)
    history = [simulate_day(settings, day - timedelta(weeks=weeks), per_day=per_day, rng=rng,
                            scenario=scenario)
               for weeks in range(1, staffing.HISTORY_WEEKS + 1)]
    with reader.history_of(history) as load:
        advice = staffing.advice_for(settings, day, today=day, load=load,
                                     target_wait_s=target_wait_s, level=level)
    assert advice is not None, f"{day} is not a workday of these settings"
    return advice


def shifts_for(advice: Advice, *, plan: str = "needed") -> Shifts:
    """Return which counters work in which hours: `plan` "needed" (the advice) or "open"
    (every configured counter of a group, in the hours the advice covers).

    Raises ValueError when a group needs more counters than it has configured: the replay
    can only seat officers at counters that exist.
    """
    hours: dict[int, list[int]] = defaultdict(list)
    for hour in advice.hours:
        for part in hour.groups:
            group = next(g for g in advice.groups if g.id == part.group)
            count = part.counters_needed if plan == "needed" else len(group.counters)
            if count > len(group.counters):
                raise ValueError(f"group {group.id} needs {count} counters at {hour.hour}:00 "
                                 f"and has {len(group.counters)}")
            for number in group.counters[:count]:
                hours[number].append(hour.hour)
    return dict(hours)


def promised(advice: Advice, *, plan: str = "needed") -> float:
    """Return the share within the target that the model promises for a plan, weighted by
    the arrivals of each hour and group."""
    total = weighted = 0.0
    for hour in advice.hours:
        for part in hour.groups:
            share = part.share_within_needed if plan == "needed" else part.share_within
            total += part.arrivals
            weighted += part.arrivals * share
    return weighted / total if total else 1.0


@dataclass(frozen=True)
class Measured:
    """Citizens of replayed days and how many were called within the target."""

    citizens: int
    within: int
    mean_wait_s: float

    @property
    def share(self) -> float:
        return self.within / self.citizens if self.citizens else 1.0


def measured(days: Iterable[SimulatedDay], *, target_wait_s: float) -> Measured:
    """Count the citizens of `days` first called within `target_wait_s` of their ticket.

    Every ticket counts: one never called (still waiting at closing) missed the target.
    """
    citizens = within = 0
    waited = 0.0
    for day in days:
        first: dict[str, float] = {}
        for step in day.transitions:
            if step.action in ("call", "restore_call") and step.ticket_id not in first:
                first[step.ticket_id] = step.at.timestamp()
        closes = max((step.at.timestamp() for step in day.transitions), default=0.0)
        for ticket in day.tickets:
            citizens += 1
            start = ticket.issued_at.timestamp()
            wait = first.get(ticket.id, closes) - start
            waited += wait
            if ticket.id in first and wait <= target_wait_s:
                within += 1
    return Measured(citizens, within, waited / citizens if citizens else 0.0)


def replay(settings: Settings, advice: Advice, scenario: Scenario, *, per_day: float,
           first: date, days: int, seed: int, target_wait_s: float,
           plan: str = "needed") -> Measured:
    """Play `days` days a week apart from `first` with the plan's counters; count them."""
    shifts = shifts_for(advice, plan=plan)
    return measured((simulate_day(settings, first + timedelta(weeks=k), per_day=per_day,
                                  rng=random.Random(1000 * seed + k), scenario=scenario,
                                  shifts=shifts)
                     for k in range(days)), target_wait_s=target_wait_s)
