"""Statistics of the queue: pure functions from tickets' histories to the figures a manager reads.

Input is plain values (`TicketRow`, `StepRow`, `RatingRow`, usually loaded by `reader.py`);
output is plain values (the Stats JSON of CONTRACT.md and more). Nothing here reads a clock,
a database or a request: `now` and the target wait are arguments.

How a ticket's life is counted:

- **Arrival** — a ticket is *issued* once, in the field it was issued in (its series), at its
  issue time. Arrivals by hour, weekday and day, priority counts, the **wait** (issued → first
  call) and the **service level** (first called within the target wait) belong to that field.
  A restored no-show keeps its first wait: the first call is when a counter was ready for it.
- **Outcome** — served, no-show, cancelled or expired, the **service time** (last call →
  finish) and the rating belong to the field, counter and officer where the ticket ended.
  A ticket closed by `day_end` (its officer never pressed finish) counts as served, but its
  service time is unknown and left out.
- **Transfer** — a transfer closes a *visit* at the first counter and starts a second wait
  in the new field. That second wait (transfer → next call) is `transfer_wait`, reported
  apart (overall and for the receiving field) and never mixed into `wait`: it is not part
  of "how long until someone attended me", and mixing it in would count one citizen twice.
- **Visits** — per counter and per officer, every call starts a visit, ended by finish,
  transfer, no-show or day_end. `calls`, `served`, `transferred` and `no_show` count visits
  there, and their `service_time` covers visits ended by finish *or transfer* (work done at
  that counter, even if the citizen went on to another field). The `wait` of a counter or
  officer is that of the tickets they called first.
- **Service level** — a ticket meets the target if first called within it. It misses if
  called later, or if it was still uncalled (waiting now, cancelled or expired) when the
  target passed. Tickets cancelled sooner, or still waiting within the target, are not judged.
- **Filters** select tickets, then every figure is computed on them: a field selects the
  tickets that were in that field at some point (issued there or transferred there); a
  counter or officer selects the tickets that had a visit there.

Durations are seconds, rounded to 0.1 s. The median and 90th percentile interpolate between
the closest ranks (as numpy's default and Excel's PERCENTILE.INC do).

>>> from datetime import datetime
>>> from queue_core.domain.clock import VIETNAM
>>> at = lambda h, m: datetime(2026, 11, 23, h, m, tzinfo=VIETNAM)
>>> row = TicketRow(id="t1", label="A001", day="2026-11-23", series="A", service="A",
...                 state="done", issued_at=at(8, 0), counter=1, officer="lan",
...                 called_at=at(8, 12), finished_at=at(8, 20))
>>> facts = ticket_facts(TicketHistory(row))
>>> facts.wait_s, facts.service_s
(720.0, 480.0)
>>> figures = summarize([facts], date_from="2026-11-23", date_to="2026-11-23",
...                     target_wait_s=900, now=at(17, 0))
>>> figures["served"], figures["wait"]["mean_s"], figures["within_target_pct"]
(1, 720.0, 100.0)
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from queue_core.domain.clock import time_text
from queue_core.domain.model import (
    CALLED,
    CANCELLED,
    DONE,
    EXPIRED,
    NO_SHOW,
    RATING_LEVELS,
    WAITING,
)

# The transitions statistics read; `issue`, `recall` and `priority` change nothing here.
STEP_ACTIONS = ("call", "restore_call", "finish", "no_show", "transfer", "restore", "day_end",
                "cancel", "expire")
# A ticket with none of these was called at most once: its row tells its whole story.
HISTORY_ACTIONS = ("transfer", "restore", "restore_call", "day_end")
CALL_ACTIONS = frozenset({"call", "restore_call"})
VISIT_ENDS = frozenset({"finish", "no_show", "transfer", "day_end"})
SATISFIED_LEVELS = ("very_satisfied", "satisfied")

# Bounds (seconds) of the waiting-time distribution; the last bucket is open-ended.
WAIT_BUCKETS_S = (0, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200)

MAX_RANGE_DAYS = 366


# --- input values ----------------------------------------------------------------------------

class TicketRow(NamedTuple):
    """A ticket as stored: where it is now, and the times kept on it."""

    id: str
    label: str
    day: str
    series: str
    service: str
    state: str
    issued_at: datetime
    priority: str | None = None
    channel: str | None = None
    counter: int | None = None
    officer: str | None = None
    called_at: datetime | None = None
    finished_at: datetime | None = None
    recalls: int = 0
    # The one-door dossier the visit became, and its procedure (a catalog code).
    dossier: str | None = None
    procedure: str | None = None


class StepRow(NamedTuple):
    """One transition of the audit trail (only the actions in STEP_ACTIONS matter)."""

    action: str
    at: datetime
    actor: str = "system"
    service: str = ""
    counter: int | None = None


class RatingRow(NamedTuple):
    """The citizen's rating of a served ticket."""

    level: str
    at: datetime
    comment: str | None = None


class TicketHistory(NamedTuple):
    """A ticket with its transitions (in order) and its rating, if any.

    `steps` may be left empty for a ticket none of whose transitions is in HISTORY_ACTIONS:
    such a ticket was called at most once, and its row says the same as its steps would.
    """

    ticket: TicketRow
    steps: tuple[StepRow, ...] = ()
    rating: RatingRow | None = None


# --- what one ticket's history says --------------------------------------------------------------

class Visit(NamedTuple):
    """A stay at a counter: from a call to finish, transfer, no-show or day_end (None: open)."""

    counter: int | None
    officer: str | None
    service: str
    called_at: datetime
    end: str | None
    ended_at: datetime | None
    seconds: float | None


class Facts(NamedTuple):
    """The figures one ticket contributes, derived once from its history."""

    id: str
    label: str
    day: str
    weekday: int
    hour: int
    series: str
    service: str
    state: str
    priority: str | None
    channel: str | None
    counter: int | None
    officer: str | None
    issued_at: datetime
    first_called_at: datetime | None
    called_at: datetime | None
    finished_at: datetime | None
    wait_s: float | None
    service_s: float | None
    # When the current wait began (issue, transfer or restore), while the ticket waits.
    waiting_since: datetime | None
    transfer_waits: tuple[tuple[str, float], ...]
    visits: tuple[Visit, ...]
    # Every field the ticket was in, sorted.
    fields: tuple[str, ...]
    transfers: int
    recalls: int
    rating: str | None
    rated_at: datetime | None
    comment: str | None
    dossier: str | None = None
    procedure: str | None = None


def officer_of(actor: str) -> str | None:
    """Return the username in an actor such as 'user:lan'; devices have no officer."""
    kind, _, name = actor.partition(":")
    return name if kind == "user" and name else None


def _seconds(start: datetime, end: datetime) -> float:
    # A clock stepped backwards must not produce a negative wait.
    return max(0.0, (end - start).total_seconds())


def ticket_facts(history: TicketHistory) -> Facts:
    """Derive a ticket's waits, visits and outcome from its history."""
    if not history.steps:
        return _facts_from_row(history.ticket, history.rating)
    t = history.ticket
    issued = t.issued_at
    current_field = t.series
    fields = {t.series, t.service}
    first_call: datetime | None = None
    waiting_since: datetime | None = issued
    after_transfer = False
    visits: list[Visit] = []
    transfer_waits: list[tuple[str, float]] = []
    open_visit: tuple[int | None, str | None, str, datetime] | None = None
    transfers = 0
    for step in history.steps:
        action = step.action
        if action in CALL_ACTIONS:
            if first_call is None:
                first_call = step.at
            elif after_transfer and waiting_since is not None:
                transfer_waits.append((current_field, _seconds(waiting_since, step.at)))
            open_visit = (step.counter, officer_of(step.actor), step.service or current_field,
                          step.at)
            waiting_since = None
            after_transfer = False
        elif action in VISIT_ENDS:
            if open_visit is not None:
                counter, officer, service, called = open_visit
                seconds = None if action == "day_end" else _seconds(called, step.at)
                visits.append(Visit(counter, officer, service, called, action, step.at, seconds))
                open_visit = None
                if action == "transfer":
                    waiting_since, after_transfer = step.at, True
            if action == "transfer":
                transfers += 1
                current_field = step.service or current_field
                fields.add(current_field)
        elif action == "restore":
            waiting_since, after_transfer = step.at, False
        elif action in ("cancel", "expire"):
            waiting_since = None
    if open_visit is not None:
        counter, officer, service, called = open_visit
        visits.append(Visit(counter, officer, service, called, None, None, None))
    if not visits and t.called_at is not None:
        # Steps without the call (a partial history): the row still tells of one visit.
        return _facts_from_row(t, history.rating)
    if t.state != WAITING:
        waiting_since = None
    last = visits[-1] if visits else None
    service_s = (last.seconds if t.state == DONE and last is not None and last.end == "finish"
                 else None)
    return _facts(t, history.rating, first_call=first_call, service_s=service_s,
                  waiting_since=waiting_since, transfer_waits=tuple(transfer_waits),
                  visits=tuple(visits), fields=tuple(sorted(fields)), transfers=transfers)


def _facts_from_row(t: TicketRow, rating: RatingRow | None) -> Facts:
    """Facts of a ticket called at most once, never transferred, restored or closed by day_end."""
    called = t.called_at
    if called is None:
        return _facts(t, rating, first_call=None, service_s=None,
                      waiting_since=t.issued_at if t.state == WAITING else None,
                      transfer_waits=(), visits=(), fields=(t.series,) if t.series == t.service
                      else (t.series, t.service), transfers=0)
    state = t.state
    service_s = None
    if state == DONE:
        end: str | None = "finish"
        ended = t.finished_at
        if ended is not None:
            service_s = _seconds(called, ended)
    elif state == NO_SHOW:
        end, ended = "no_show", t.finished_at
    elif state == CANCELLED:
        # Only a no-show can be cancelled after a call; the cancel overwrote its end time.
        end, ended = "no_show", None
    else:
        end, ended = None, None
    visit = Visit(t.counter, t.officer, t.service, called, end, ended, service_s)
    return _facts(t, rating, first_call=called, service_s=service_s, waiting_since=None,
                  transfer_waits=(), visits=(visit,), fields=(t.series,) if t.series == t.service
                  else (t.series, t.service), transfers=0)


def _facts(t: TicketRow, rating: RatingRow | None, *, first_call: datetime | None,
           service_s: float | None, waiting_since: datetime | None,
           transfer_waits: tuple[tuple[str, float], ...], visits: tuple[Visit, ...],
           fields: tuple[str, ...], transfers: int) -> Facts:
    issued = t.issued_at
    return Facts(
        t.id, t.label, t.day, issued.isoweekday(), issued.hour, t.series, t.service, t.state,
        t.priority, t.channel, t.counter, t.officer, issued, first_call, t.called_at,
        t.finished_at, _seconds(issued, first_call) if first_call is not None else None,
        service_s, waiting_since, transfer_waits, visits, fields, transfers, t.recalls,
        rating.level if rating else None, rating.at if rating else None,
        rating.comment if rating else None, t.dossier, t.procedure)


def target_met(facts: Facts, *, target_wait_s: float, now: datetime) -> bool | None:
    """Tell whether the ticket was first called within the target; None if not judged (yet)."""
    if facts.wait_s is not None:
        return facts.wait_s <= target_wait_s
    if facts.state == WAITING:
        end = now
    elif facts.state in (CANCELLED, EXPIRED) and facts.finished_at is not None:
        end = facts.finished_at
    else:
        return None
    return False if _seconds(facts.issued_at, end) > target_wait_s else None


# --- filters --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """Which tickets to count: those that passed through a field, a counter, an officer."""

    service: str | None = None
    counter: int | None = None
    officer: str | None = None

    def __bool__(self) -> bool:
        return self.service is not None or self.counter is not None or self.officer is not None

    def matches(self, facts: Facts) -> bool:
        if self.service is not None and self.service not in facts.fields:
            return False
        if self.counter is not None and all(v.counter != self.counter for v in facts.visits):
            return False
        return self.officer is None or any(v.officer == self.officer for v in facts.visits)

    def as_json(self) -> dict[str, Any]:
        return {"service": self.service, "counter": self.counter, "officer": self.officer}


def select(facts: Iterable[Facts], filters: Filters) -> list[Facts]:
    """Return the tickets the filters select."""
    if not filters:
        return list(facts)
    return [f for f in facts if filters.matches(f)]


# --- tallies: mergeable sums, so days can be counted once and added up ----------------------

class Tally:
    """Counts and raw durations of one group of tickets (a field, a counter, an hour…)."""

    __slots__ = ("calls", "cancelled", "expired", "in_service", "issued", "judged", "met",
                 "no_show", "priority", "ratings", "served", "service_times", "transfer_waits",
                 "transferred", "transfers_in", "waiting", "waits")

    def __init__(self) -> None:
        self.issued = 0
        self.served = 0
        self.no_show = 0
        self.cancelled = 0
        self.expired = 0
        self.waiting = 0
        self.in_service = 0
        self.calls = 0
        self.transferred = 0
        self.transfers_in = 0
        self.priority = 0
        self.waits: list[float] = []
        self.service_times: list[float] = []
        self.transfer_waits: list[float] = []
        self.met = 0
        self.judged = 0
        self.ratings: dict[str, int] = {}

    def absorb(self, other: Tally) -> Tally:
        """Add another tally's counts and durations into this one; return self."""
        self.issued += other.issued
        self.served += other.served
        self.no_show += other.no_show
        self.cancelled += other.cancelled
        self.expired += other.expired
        self.waiting += other.waiting
        self.in_service += other.in_service
        self.calls += other.calls
        self.transferred += other.transferred
        self.transfers_in += other.transfers_in
        self.priority += other.priority
        self.waits.extend(other.waits)
        self.service_times.extend(other.service_times)
        self.transfer_waits.extend(other.transfer_waits)
        self.met += other.met
        self.judged += other.judged
        for level, count in other.ratings.items():
            self.ratings[level] = self.ratings.get(level, 0) + count
        return self

    def _arrival(self, f: Facts, met: bool | None) -> None:
        self.issued += 1
        if f.priority is not None:
            self.priority += 1
        if f.wait_s is not None:
            self.waits.append(f.wait_s)
        if met is not None:
            self.judged += 1
            if met:
                self.met += 1

    def _outcome(self, f: Facts) -> None:
        state = f.state
        if state == DONE:
            self.served += 1
            if f.service_s is not None:
                self.service_times.append(f.service_s)
        elif state == NO_SHOW:
            self.no_show += 1
        elif state == CANCELLED:
            self.cancelled += 1
        elif state == EXPIRED:
            self.expired += 1
        elif state == WAITING:
            self.waiting += 1
        elif state == CALLED:
            self.in_service += 1
        if f.rating is not None:
            self.ratings[f.rating] = self.ratings.get(f.rating, 0) + 1

    def _ticket(self, f: Facts, met: bool | None) -> None:
        """Count a ticket's arrival and its outcome in the same group."""
        self._arrival(f, met)
        self._outcome(f)

    def _visit(self, v: Visit) -> None:
        self.calls += 1
        end = v.end
        if end == "finish" or end == "day_end":
            self.served += 1
        elif end == "transfer":
            self.transferred += 1
        elif end == "no_show":
            self.no_show += 1
        elif end is None:
            self.in_service += 1
        if v.seconds is not None and end != "no_show":
            self.service_times.append(v.seconds)

    def _rating(self, f: Facts) -> None:
        if f.rating is not None:
            self.ratings[f.rating] = self.ratings.get(f.rating, 0) + 1

    def _first_wait(self, f: Facts, met: bool | None) -> None:
        if f.wait_s is not None:
            self.waits.append(f.wait_s)
        if met is not None:
            self.judged += 1
            if met:
                self.met += 1


def _group(groups: dict[Any, Tally], key: Any) -> Tally:
    tally = groups.get(key)
    if tally is None:
        tally = groups[key] = Tally()
    return tally


@dataclass
class Tallies:
    """Every grouping of a set of tickets; those of single days add up to a range."""

    total: Tally = field(default_factory=Tally)
    by_service: dict[str, Tally] = field(default_factory=dict)
    by_counter: dict[int, Tally] = field(default_factory=dict)
    by_officer: dict[str | None, Tally] = field(default_factory=dict)
    # Tickets whose dossier names a procedure, by that procedure.
    by_procedure: dict[str, Tally] = field(default_factory=dict)
    by_hour: dict[int, Tally] = field(default_factory=dict)
    by_day: dict[str, Tally] = field(default_factory=dict)
    heat: dict[tuple[int, int], int] = field(default_factory=dict)
    priorities: dict[str, int] = field(default_factory=dict)
    priority_waits: list[float] = field(default_factory=list)

    @classmethod
    def of_day(cls, day: str) -> Tallies:
        """Return empty tallies for the tickets of one day: its total is its day's figures."""
        tallies = cls()
        tallies.by_day[day] = tallies.total
        return tallies

    def add(self, f: Facts, *, target_wait_s: float, now: datetime) -> None:
        """Count one ticket (of this Tallies' day) in every group it belongs to."""
        wait = f.wait_s
        met = wait <= target_wait_s if wait is not None else target_met(
            f, target_wait_s=target_wait_s, now=now)
        total = self.total
        total._ticket(f, met)
        by_service = self.by_service
        if f.series == f.service:
            _group(by_service, f.series)._ticket(f, met)
        else:
            _group(by_service, f.series)._arrival(f, met)
            _group(by_service, f.service)._outcome(f)
        _group(self.by_hour, f.hour)._ticket(f, met)
        if f.procedure is not None:
            _group(self.by_procedure, f.procedure)._ticket(f, met)
        key = (f.weekday, f.hour)
        self.heat[key] = self.heat.get(key, 0) + 1
        if f.priority is not None:
            self.priorities[f.priority] = self.priorities.get(f.priority, 0) + 1
            if wait is not None:
                self.priority_waits.append(wait)
        if f.transfers:
            total.transferred += f.transfers
            for service, seconds in f.transfer_waits:
                total.transfer_waits.append(seconds)
                _group(by_service, service).transfer_waits.append(seconds)
            for name in f.fields:
                if name != f.series:
                    _group(by_service, name).transfers_in += 1
        visits = f.visits
        if visits:
            by_counter, by_officer = self.by_counter, self.by_officer
            total.calls += len(visits)
            for v in visits:
                if v.counter is not None:
                    _group(by_counter, v.counter)._visit(v)
                _group(by_officer, v.officer)._visit(v)
                if v.end == "transfer":
                    _group(by_service, v.service).transferred += 1
            first = visits[0]
            if first.counter is not None:
                _group(by_counter, first.counter)._first_wait(f, met)
            _group(by_officer, first.officer)._first_wait(f, met)
        if f.rating is not None:
            if f.counter is not None:
                _group(self.by_counter, f.counter)._rating(f)
            _group(self.by_officer, f.officer)._rating(f)

    def seal(self) -> Tallies:
        """Sort every list of durations, so that adding days up later sorts runs, not chaos."""
        groups = [self.total, *self.by_service.values(), *self.by_counter.values(),
                  *self.by_officer.values(), *self.by_procedure.values(),
                  *self.by_hour.values(), *self.by_day.values()]
        for t in {id(t): t for t in groups}.values():
            t.waits.sort()
            t.service_times.sort()
            t.transfer_waits.sort()
        self.priority_waits.sort()
        return self

    def absorb(self, other: Tallies) -> Tallies:
        """Add another set of tallies (another day) into this one; return self."""
        self.total.absorb(other.total)
        for mine, theirs in ((self.by_service, other.by_service),
                             (self.by_counter, other.by_counter),
                             (self.by_officer, other.by_officer),
                             (self.by_procedure, other.by_procedure),
                             (self.by_hour, other.by_hour)):
            for key, tally in theirs.items():
                _group(mine, key).absorb(tally)
        for day, tally in other.by_day.items():
            # Days never overlap between the tallies added up, so the day's own is shared.
            if day in self.by_day:
                self.by_day[day] = Tally().absorb(self.by_day[day]).absorb(tally)
            else:
                self.by_day[day] = tally
        for cell, count in other.heat.items():
            self.heat[cell] = self.heat.get(cell, 0) + count
        for category, count in other.priorities.items():
            self.priorities[category] = self.priorities.get(category, 0) + count
        self.priority_waits.extend(other.priority_waits)
        return self


def tally_days(facts: Iterable[Facts], *, target_wait_s: float,
               now: datetime) -> dict[str, Tallies]:
    """Count tickets into one Tallies per day of issue."""
    per_day: dict[str, Tallies] = {}
    for f in facts:
        counted = per_day.get(f.day)
        if counted is None:
            counted = per_day[f.day] = Tallies.of_day(f.day)
        counted.add(f, target_wait_s=target_wait_s, now=now)
    for counted in per_day.values():
        counted.seal()
    return per_day


def tally(facts: Iterable[Facts], *, target_wait_s: float, now: datetime) -> Tallies:
    """Count tickets into every grouping."""
    per_day = tally_days(facts, target_wait_s=target_wait_s, now=now)
    if len(per_day) == 1:
        return next(iter(per_day.values()))
    return combine(per_day[day] for day in sorted(per_day))


def combine(parts: Iterable[Tallies]) -> Tallies:
    """Add up tallies of disjoint sets of tickets (days), leaving the parts unchanged."""
    combined = Tallies()
    for part in parts:
        combined.absorb(part)
    return combined


# --- figures --------------------------------------------------------------------------------------

def quantile(ordered: Sequence[float], q: float) -> float:
    """Return the q-quantile of sorted values, interpolating between the closest ranks."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def durations(values: Sequence[float], *, ordered: bool = False) -> dict[str, Any]:
    """Return count, mean, median, 90th percentile and maximum of durations in seconds."""
    if not values:
        return {"count": 0, "mean_s": None, "median_s": None, "p90_s": None, "max_s": None}
    data = values if ordered else sorted(values)
    return {"count": len(data), "mean_s": _round(sum(data) / len(data)),
            "median_s": _round(quantile(data, 0.5)), "p90_s": _round(quantile(data, 0.9)),
            "max_s": _round(data[-1])}


def percent(part: int, whole: int) -> float | None:
    return _round(100 * part / whole) if whole else None


def ratings_json(counts: Mapping[str, int], served: int | None = None) -> dict[str, Any]:
    """Return counts per level, their total, the satisfied share and the share of served rated."""
    total = sum(counts.values())
    figures: dict[str, Any] = {level: counts.get(level, 0) for level in RATING_LEVELS}
    figures["total"] = total
    figures["satisfied_pct"] = percent(sum(counts.get(level, 0) for level in SATISFIED_LEVELS),
                                       total)
    if served is not None:
        figures["rated_pct"] = percent(total, served)
    return figures


def tally_json(t: Tally, *, ordered_waits: Sequence[float] | None = None) -> dict[str, Any]:
    """Return one group's figures (`ordered_waits`: its waits, sorted already)."""
    return {
        "issued": t.issued, "served": t.served, "no_show": t.no_show, "cancelled": t.cancelled,
        "expired": t.expired, "waiting": t.waiting, "in_service": t.in_service,
        "calls": t.calls, "transferred": t.transferred, "transfers_in": t.transfers_in,
        "priority": t.priority,
        "wait": (durations(t.waits) if ordered_waits is None
                 else durations(ordered_waits, ordered=True)),
        "service_time": durations(t.service_times),
        "transfer_wait": durations(t.transfer_waits),
        "within_target_pct": percent(t.met, t.judged), "judged": t.judged,
        "ratings": ratings_json(t.ratings, t.served),
    }


# Keys that mean nothing for a group of visits (a counter, an officer).
_VISIT_GROUP_DROPS = ("issued", "cancelled", "expired", "waiting", "transfers_in", "priority",
                      "transfer_wait")


def histogram(waits: Sequence[float], bounds: Sequence[float] = WAIT_BUCKETS_S, *,
              is_ordered: bool = False) -> list[dict[str, Any]]:
    """Count waits per bucket [from_s, to_s); the last bucket has no upper bound."""
    ordered = waits if is_ordered else sorted(waits)
    buckets = []
    for i, low in enumerate(bounds):
        high = bounds[i + 1] if i + 1 < len(bounds) else None
        start = bisect.bisect_left(ordered, low)
        stop = bisect.bisect_left(ordered, high) if high is not None else len(ordered)
        buckets.append({"from_s": low, "to_s": high, "count": stop - start})
    return buckets


def days_between(date_from: str, date_to: str) -> list[str]:
    """Return every ISO date from `date_from` to `date_to`, both included."""
    first, last = date.fromisoformat(date_from), date.fromisoformat(date_to)
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def week_of(day: str) -> str:
    """Return the Monday that starts the ISO week of `day`."""
    moment = date.fromisoformat(day)
    return (moment - timedelta(days=moment.weekday())).isoformat()


def _periods(by_day: Mapping[str, Tally], days: Sequence[str],
             key: Callable[[str], str]) -> list[tuple[str, Tally]]:
    grouped: dict[str, Tally] = {}
    for day in days:
        group = _group(grouped, key(day))
        if day in by_day:
            group.absorb(by_day[day])
    return list(grouped.items())


def report(tallies: Tallies, *, date_from: str, date_to: str, target_wait_s: float,
           filters: Filters | None = None) -> dict[str, Any]:
    """Return the Stats of CONTRACT.md, with every breakdown, from counted tickets."""
    total = tallies.total
    waits = sorted(total.waits)
    days = days_between(date_from, date_to)
    active = {day for day, t in tallies.by_day.items() if t.issued}
    active_by_weekday: dict[int, int] = {}
    by_weekday_tally: dict[int, Tally] = {}
    for day, t in tallies.by_day.items():
        weekday = date.fromisoformat(day).isoweekday()
        _group(by_weekday_tally, weekday).absorb(t)
        if t.issued:
            active_by_weekday[weekday] = active_by_weekday.get(weekday, 0) + 1
    hours = list(range(min(tallies.by_hour), max(tallies.by_hour) + 1)) if tallies.by_hour else []

    def per_day(count: int, n_days: int) -> float | None:
        return _round(count / n_days, 2) if n_days else None

    def visit_row(t: Tally) -> dict[str, Any]:
        row = tally_json(t)
        for key in _VISIT_GROUP_DROPS:
            row.pop(key)
        return row

    figures = tally_json(total, ordered_waits=waits)
    by_hour = []
    for hour in hours:
        t = tallies.by_hour.get(hour) or Tally()
        by_hour.append({"hour": hour, "issued_per_day": per_day(t.issued, len(active)),
                        **tally_json(t)})
    weekdays = sorted(active_by_weekday)
    by_weekday = []
    for weekday in weekdays:
        t = by_weekday_tally[weekday]
        n = active_by_weekday.get(weekday, 0)
        by_weekday.append({"weekday": weekday, "days": n, "issued_per_day": per_day(t.issued, n),
                           **tally_json(t)})
    heat_rows = []
    for weekday in weekdays:
        n = active_by_weekday.get(weekday, 0)
        counts = [tallies.heat.get((weekday, hour), 0) for hour in hours]
        heat_rows.append({"weekday": weekday, "days": n, "issued": counts,
                          "per_day": [per_day(c, n) for c in counts]})
    by_officer_keys = sorted(tallies.by_officer, key=lambda name: (name is None, name or ""))
    return {
        "from": date_from,
        "to": date_to,
        "filters": (filters or Filters()).as_json(),
        "target_wait_s": target_wait_s,
        "days": len(days),
        "active_days": len(active),
        **figures,
        "transfers": total.transferred,
        "priority": {"total": total.priority,
                     **{category: tallies.priorities.get(category, 0)
                        for category in sorted(tallies.priorities)},
                     "wait": durations(tallies.priority_waits)},
        "wait_histogram": histogram(waits, is_ordered=True),
        "by_service": [{"service": code, **tally_json(t)}
                       for code, t in sorted(tallies.by_service.items())],
        "by_counter": [{"counter": number, **visit_row(t)}
                       for number, t in sorted(tallies.by_counter.items())],
        "by_officer": [{"officer": name, **visit_row(tallies.by_officer[name])}
                       for name in by_officer_keys],
        "by_procedure": [{"procedure": code, **tally_json(t)}
                         for code, t in sorted(tallies.by_procedure.items())],
        "by_hour": by_hour,
        "by_weekday": by_weekday,
        "by_weekday_hour": {"hours": hours, "rows": heat_rows},
        "by_day": [{"date": day, **tally_json(tallies.by_day.get(day) or Tally())}
                   for day in days],
        "by_week": [{"week": week, **tally_json(t)}
                    for week, t in _periods(tallies.by_day, days, week_of)],
        "by_month": [{"month": month, **tally_json(t)}
                     for month, t in _periods(tallies.by_day, days, lambda d: d[:7])],
    }


def summarize(facts: Iterable[Facts], *, date_from: str, date_to: str, target_wait_s: float,
              now: datetime, filters: Filters | None = None) -> dict[str, Any]:
    """Return the Stats of the tickets issued from `date_from` to `date_to` (both included)."""
    filters = filters or Filters()
    chosen = [f for f in select(facts, filters) if date_from <= f.day <= date_to]
    return report(tally(chosen, target_wait_s=target_wait_s, now=now), date_from=date_from,
                  date_to=date_to, target_wait_s=target_wait_s, filters=filters)


# --- live -----------------------------------------------------------------------------------------

def live_summary(facts: Sequence[Facts], *, now: datetime, target_wait_s: float,
                 services: Sequence[str], counters: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return what the manager watches now: who waits, for how long, who is served where.

    `facts` are today's tickets, `services` the field codes in display order and `counters`
    the Counter objects of CONTRACT.md.
    """
    waiting = sorted((f for f in facts if f.state == WAITING and f.waiting_since is not None),
                     key=lambda f: f.waiting_since or now)
    by_field: dict[str, list[Facts]] = {code: [] for code in services}
    for f in waiting:
        by_field.setdefault(f.service, []).append(f)

    def waited(f: Facts) -> float:
        return _round(_seconds(f.waiting_since or now, now)) or 0.0

    def waiting_json(f: Facts) -> dict[str, Any]:
        return {"id": f.id, "label": f.label, "service": f.service, "priority": f.priority,
                "since": time_text(f.waiting_since), "issued_at": time_text(f.issued_at),
                "waited_s": waited(f), "transferred": f.transfers > 0}

    fields = []
    for code, tickets in by_field.items():
        oldest = tickets[0] if tickets else None
        fields.append({"service": code, "waiting": len(tickets),
                       "priority": sum(1 for f in tickets if f.priority is not None),
                       "longest_wait_s": waited(oldest) if oldest else None,
                       "longest_label": oldest.label if oldest else None,
                       "over_target": sum(1 for f in tickets if waited(f) > target_wait_s)})
    today = tally(facts, target_wait_s=target_wait_s, now=now)
    serving = {f.id: f for f in facts if f.state == CALLED}
    counter_rows = []
    for counter in counters:
        number = counter.get("number")
        t = today.by_counter.get(number) if isinstance(number, int) else None
        current = counter.get("current")
        row = dict(counter)
        row["served_today"] = t.served if t else 0
        row["service_time_today"] = durations(t.service_times if t else [])
        row["officer"] = None
        row["serving_s"] = None
        if isinstance(current, Mapping) and current.get("id") in serving:
            f = serving[current["id"]]
            row["officer"] = f.officer
            if f.called_at is not None:
                row["serving_s"] = _round(_seconds(f.called_at, now))
        counter_rows.append(row)
    longest = waiting[0] if waiting else None
    over = [f for f in waiting if waited(f) > target_wait_s]
    figures = tally_json(today.total)
    return {
        "now": time_text(now),
        "date": now.date().isoformat(),
        "target_wait_s": target_wait_s,
        "waiting": len(waiting),
        "fields": fields,
        "longest": waiting_json(longest) if longest else None,
        "over_target": [waiting_json(f) for f in over],
        "queue": [waiting_json(f) for f in waiting],
        "counters": counter_rows,
        "today": {key: figures[key] for key in (
            "issued", "served", "no_show", "cancelled", "expired", "in_service", "wait",
            "service_time", "within_target_pct", "ratings")},
    }


__all__ = [
    "HISTORY_ACTIONS",
    "MAX_RANGE_DAYS",
    "STEP_ACTIONS",
    "Facts",
    "Filters",
    "RatingRow",
    "StepRow",
    "Tallies",
    "Tally",
    "TicketHistory",
    "TicketRow",
    "Visit",
    "combine",
    "days_between",
    "durations",
    "histogram",
    "live_summary",
    "officer_of",
    "quantile",
    "report",
    "select",
    "summarize",
    "tally",
    "tally_days",
    "target_met",
    "ticket_facts",
]
