"""How many counters to open, hour by hour, from the center's own history (Erlang C).

Pure: tickets' facts (`figures.Facts`, read by `reader.py`) and the configuration go in,
plain values come out. The web layer reads the history and names things.

**The history used.** For a chosen date, the same weekday of the `HISTORY_WEEKS` (8) weeks
before it (never the chosen day itself, never today: a day still running would look
quiet). A past day on which not one ticket was issued was a closed day (a public holiday,
Tết, a closure): it is left out and replaced by the same weekday one week further back,
looking back at most `2 × HISTORY_WEEKS` weeks, so a holiday never halves the rates. A
weekday the center does not work has no advice.

**Arrivals** of an hour are the tickets issued in it, by the field they were issued in,
averaged over the days used; an hour the center is open only partly (opening at 07:30) is
scaled to a whole hour's rate. **Service times** are those of the same days: called → finish
(or → transfer: work done at that counter) per field; a field with no service in the history
is assumed `policy.default_service_minutes`. A counter also spends a moment between two
citizens (finish, then the next call, while someone waits): that **handover** is measured too
(gaps over 10 minutes are breaks, not handovers) and added to the time a counter is held, so
the model sees the counters as busy as they really are.

**Counters serving several fields.** Counters and fields form a graph (a counter is linked
to every field it serves); each connected part is a *group*: its counters can pass citizens
among themselves, directly or through a shared field. Each group is one pooled Erlang C queue
(M/M/c) with the group's combined arrival rate and the arrival-weighted mean holding time
of its fields. Why this approximation: a queue where some counters serve only some fields
("skill-based routing") has no closed formula, while separate queues per field would count a
shared counter twice and advise far too many counters. Pooling is optimistic in two ways, and
the advice should be read as the least that will do: it treats every counter of a group as
able to serve every citizen of it (a counter for field A alone cannot help a queue in field
B), and a mix of short and long services varies more than one exponential time (the model
assumes exponential service; real services that vary less, as in most centers, wait less).

**Hours are planned one by one** (the "stationary independent period" practice of call
centres): each hour's counters are chosen as if that hour went on for ever. A queue that a
morning peak leaves behind carries into the next hour, which this does not see; the
simulation replay (`tests/queue_core/stats/test_staffing_replay.py`, `bench/bench_staffing.py`)
measures how far that goes.

**Counters open** are the counters the configuration assigns to the group's fields (the
day's plan as configured), and `expected_wait_s` is the Erlang C mean wait with that plan.
Beside it, `counters_seen` says how many of them did call a citizen in that hour on the
days used (officers at lunch or elsewhere show there).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from queue_core.config import Settings
from queue_core.stats import erlang
from queue_core.stats.figures import Facts

__all__ = [
    "HISTORY_WEEKS",
    "Advice",
    "Group",
    "GroupHour",
    "Hour",
    "Period",
    "advice_for",
    "advice_json",
    "advise",
    "candidate_days",
    "choose_days",
    "counter_groups",
    "handover_s",
    "live_hints",
    "live_service_s",
    "merge_periods",
    "open_minutes",
    "service_means",
]

HISTORY_WEEKS = 8
# A counter idle longer than this between two citizens was away, not handing over.
MAX_HANDOVER_S = 600.0
# Live hints trust today's service times of a field once it has this many.
MIN_LIVE_SAMPLES = 3


@dataclass(frozen=True)
class Group:
    """Counters that can pass citizens among themselves, and the fields they serve."""

    id: int
    services: tuple[str, ...]
    counters: tuple[int, ...]


def counter_groups(counters: Iterable[tuple[int, Sequence[str]]],
                   services: Sequence[str]) -> list[Group]:
    """Return the connected parts of the counter–field graph, fields in `services` order.

    >>> [(g.services, g.counters) for g in counter_groups(
    ...     [(1, ["A"]), (2, ["A", "B"]), (3, ["B", "E"]), (4, ["C", "D"]), (5, ["F", "A"])],
    ...     ["A", "B", "C", "D", "E", "F"])]
    [(('A', 'B', 'E', 'F'), (1, 2, 3, 5)), (('C', 'D'), (4,))]
    """
    parent: dict[str, str] = {code: code for code in services}

    def root(code: str) -> str:
        while parent[code] != code:
            parent[code] = parent[parent[code]]
            code = parent[code]
        return code

    served: dict[int, tuple[str, ...]] = {}
    for number, codes in counters:
        known = tuple(code for code in codes if code in parent)
        served[number] = known
        for code in known[1:]:
            parent[root(code)] = root(known[0])
    parts: dict[str, list[str]] = defaultdict(list)
    for code in services:
        parts[root(code)].append(code)
    groups: list[Group] = []
    for codes in sorted(parts.values(), key=lambda part: services.index(part[0])):
        members = tuple(sorted(n for n, known in served.items() if set(known) & set(codes)))
        groups.append(Group(len(groups) + 1, tuple(codes), members))
    return groups


# --- which days -----------------------------------------------------------------------------------

def candidate_days(day: date, *, today: date, weeks: int = HISTORY_WEEKS) -> list[str]:
    """Return the same weekday of up to `2 × weeks` weeks before `day` (and before today).

    The calendar's first week has no week before it: a day there has fewer candidates.

    >>> candidate_days(date(2026, 12, 7), today=date(2026, 12, 4), weeks=1)
    ['2026-11-30', '2026-11-23']
    >>> candidate_days(date(1, 1, 10), today=date(2026, 12, 4))
    ['0001-01-03']
    """
    days: list[str] = []
    earliest = date.min + timedelta(weeks=1)
    moment = day
    while len(days) < 2 * weeks and moment >= earliest:
        moment -= timedelta(weeks=1)
        if moment < today:
            days.append(moment.isoformat())
    return days


def choose_days(candidates: Sequence[str], issued: Mapping[str, int], *,
                weeks: int = HISTORY_WEEKS) -> tuple[list[str], list[str]]:
    """Return (the `weeks` most recent candidates with tickets, the closed days passed over).

    `candidates` come newest first; a day with no ticket at all was closed, unless no older
    candidate has tickets either (the history had not begun: those days are not listed).
    """
    used: list[str] = []
    closed: list[str] = []
    for day in candidates:
        if len(used) == weeks:
            break
        if issued.get(day, 0) > 0:
            used.append(day)
        else:
            closed.append(day)
    oldest = min(used, default="")
    return sorted(used), sorted(day for day in closed if day > oldest)


def open_minutes(opens_at: str, closes_at: str) -> dict[int, float]:
    """Return the minutes the center is open in each hour of the day (hours open at all).

    >>> open_minutes("07:30", "17:00")[7], open_minutes("07:30", "17:00")[16], 17 in open_minutes("07:30", "17:00")
    (30.0, 60.0, False)
    """
    def minutes(text: str) -> int:
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    start, end = minutes(opens_at), minutes(closes_at)
    found = {}
    for hour in range(24):
        overlap = min(end, (hour + 1) * 60) - max(start, hour * 60)
        if overlap > 0:
            found[hour] = float(overlap)
    return found


# --- what the history says --------------------------------------------------------------------------

def service_means(facts: Iterable[Facts]) -> dict[str, tuple[float, int]]:
    """Return each field's mean service time in seconds and how many services it is from.

    A service is a visit at a counter ended by finish or transfer (work done there).
    """
    sums: dict[str, list[float]] = defaultdict(list)
    for f in facts:
        for visit in f.visits:
            if visit.end in ("finish", "transfer") and visit.seconds is not None:
                sums[visit.service].append(visit.seconds)
    return {code: (sum(values) / len(values), len(values)) for code, values in sums.items()}


def handover_s(facts: Iterable[Facts]) -> float | None:
    """Return the mean time a counter takes from one citizen to the next while people wait.

    For each counter and day, consecutive visits: the gap from the end of one to the call of
    the next counts if the next citizen was already waiting when the first visit ended, and
    the gap is at most MAX_HANDOVER_S (longer is a break). None when nothing was measured.
    """
    visits: dict[tuple[str, int], list[tuple[Any, Any, Any]]] = defaultdict(list)
    for f in facts:
        waiting_from = f.issued_at
        for visit in f.visits:
            if visit.counter is not None:
                visits[(f.day, visit.counter)].append((visit.called_at, visit.ended_at,
                                                       waiting_from))
            waiting_from = visit.ended_at or visit.called_at
    gaps = []
    for rows in visits.values():
        rows.sort(key=lambda row: row[0])
        for (_, ended, _), (called, _, waiting_from) in zip(rows, rows[1:]):
            if ended is None or waiting_from > ended:
                continue
            gap = (called - ended).total_seconds()
            if 0 <= gap <= MAX_HANDOVER_S:
                gaps.append(gap)
    return sum(gaps) / len(gaps) if gaps else None


# --- the advice -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupHour:
    """One group in one hour: its load, and the counters it needs and has."""

    group: int
    arrivals: float            # citizens in that hour, mean of the days used
    mean_service_s: float | None
    holding_s: float | None    # service + handover: how long a counter is taken
    load: float                # Erlangs: counters busy all the time
    counters_needed: int
    counters_open: int
    counters_seen: float
    expected_wait_s: float     # math.inf when the open counters cannot keep up
    share_within: float        # with the open counters
    share_within_needed: float


@dataclass(frozen=True)
class Hour:
    """One hour of the day over all groups (the contract's row) and each group's part."""

    hour: int
    groups: tuple[GroupHour, ...]

    @property
    def arrivals(self) -> float:
        return sum(g.arrivals for g in self.groups)

    def _weighted(self, values: Sequence[tuple[float, float | None]]) -> float | None:
        known = [(weight, value) for weight, value in values if value is not None and weight > 0]
        total = sum(weight for weight, _ in known)
        return sum(weight * value for weight, value in known) / total if total else None

    @property
    def mean_service_s(self) -> float | None:
        return self._weighted([(g.arrivals, g.mean_service_s) for g in self.groups])

    @property
    def expected_wait_s(self) -> float:
        if not self.arrivals:
            return 0.0
        return self._weighted([(g.arrivals, g.expected_wait_s) for g in self.groups]) or 0.0

    @property
    def share_within(self) -> float:
        if not self.arrivals:
            return 1.0
        return self._weighted([(g.arrivals, g.share_within) for g in self.groups]) or 0.0


@dataclass(frozen=True)
class Period:
    """Consecutive hours of one group with the same advice, for a plain sentence."""

    group: int
    start: int                 # first hour
    end: int                   # the hour after the last
    counters_needed: int
    counters_open: int
    arrivals: float            # over the whole period, per day
    expected_wait_s: float     # arrival-weighted mean; math.inf if any hour cannot keep up

    @property
    def verdict(self) -> str:
        """'none' (nobody came), 'short', 'enough' or 'spare'."""
        if self.counters_needed == 0:
            return "none"
        if self.counters_needed > self.counters_open:
            return "short"
        return "enough" if self.counters_needed == self.counters_open else "spare"


@dataclass(frozen=True)
class Advice:
    """Counters needed hour by hour on a day, from the history of its weekday."""

    groups: tuple[Group, ...]
    hours: tuple[Hour, ...]
    days: tuple[str, ...]
    closed_days: tuple[str, ...]
    handover_s: float
    service: Mapping[str, tuple[float, int]]

    @property
    def periods(self) -> list[Period]:
        return merge_periods(self.hours)


def advise(facts: Sequence[Facts], *, days: Sequence[str], groups: Sequence[Group],
           open_hours: Mapping[int, float], target_wait_s: float, level: float,
           default_service_s: float, closed_days: Sequence[str] = ()) -> Advice:
    """Return the counters each group needs in each open hour, and what the plan gives.

    `facts` are the tickets of `days` (the same weekday, closed days already left out);
    `open_hours` the minutes open in each hour of that day.
    """
    used = set(days)
    facts = [f for f in facts if f.day in used]
    count = len(used)
    service = service_means(facts)
    handover = handover_s(facts) or 0.0
    field_group = {code: group.id for group in groups for code in group.services}
    arrivals: dict[tuple[int, str], int] = defaultdict(int)
    seen: dict[tuple[int, int], set[tuple[str, int]]] = defaultdict(set)
    counter_group = {number: group.id for group in groups for number in group.counters}
    for f in facts:
        if f.series in field_group:
            arrivals[(f.hour, f.series)] += 1
        for visit in f.visits:
            if visit.counter in counter_group:
                seen[(visit.called_at.hour, counter_group[visit.counter])].add(
                    (f.day, visit.counter))
    busy_hours = sorted({hour for hour, _ in arrivals} & set(open_hours))
    shown = [h for h in sorted(open_hours) if busy_hours and busy_hours[0] <= h <= busy_hours[-1]]
    hours = []
    for hour in shown:
        # Arrivals a day in that hour; a part-open hour counts at the rate of a whole one.
        scale = 60.0 / open_hours[hour]
        parts = []
        for group in groups:
            per_field = {code: arrivals.get((hour, code), 0) / count if count else 0.0
                         for code in group.services}
            total = sum(per_field.values())
            weights = [(n, service.get(code, (default_service_s, 0))[0])
                       for code, n in per_field.items() if n > 0]
            mean = sum(n * s for n, s in weights) / total if total else None
            holding = mean + handover if mean is not None else None
            load = total * scale * holding / 3600 if holding else 0.0
            needed = (erlang.counters_needed(load, holding, target_wait_s, level)
                      if holding else 0)
            available = len(group.counters)
            wait = erlang.mean_wait_s(available, load, holding) if holding else 0.0
            parts.append(GroupHour(
                group=group.id, arrivals=total, mean_service_s=mean, holding_s=holding,
                load=load, counters_needed=needed, counters_open=available,
                counters_seen=len(seen.get((hour, group.id), ())) / count if count else 0.0,
                expected_wait_s=wait,
                share_within=(erlang.share_within(available, load, holding, target_wait_s)
                              if holding else 1.0),
                share_within_needed=(erlang.share_within(needed, load, holding, target_wait_s)
                                     if holding else 1.0)))
        hours.append(Hour(hour, tuple(parts)))
    return Advice(tuple(groups), tuple(hours), tuple(sorted(used)), tuple(sorted(closed_days)),
                  handover, service)


def advice_for(settings: Settings, day: date, *, today: date,
               load: Callable[[Sequence[str]], Sequence[Facts]], target_wait_s: float,
               level: float) -> Advice | None:
    """Return the advice for `day` from the history `load` reads (facts of given days).

    None when the center does not work on that weekday. The counters are the configured
    ones; the opening hours those of the center.
    """
    if day.isoweekday() not in settings.center.workdays:
        return None
    candidates = candidate_days(day, today=today)
    facts = list(load(candidates))
    issued: dict[str, int] = defaultdict(int)
    for f in facts:
        issued[f.day] += 1
    used, closed = choose_days(candidates, issued)
    groups = counter_groups([(c.number, c.services) for c in settings.counters],
                            [s.code for s in settings.services])
    return advise(facts, days=used, groups=groups,
                  open_hours=open_minutes(settings.center.opens_at, settings.center.closes_at),
                  target_wait_s=target_wait_s, level=level,
                  default_service_s=settings.policy.default_service_minutes * 60,
                  closed_days=closed)


def merge_periods(hours: Sequence[Hour]) -> list[Period]:
    """Merge each group's consecutive hours that need and have the same counters."""
    found: list[Period] = []
    open_period: dict[int, tuple[int, list[GroupHour], int]] = {}

    def close(group: int) -> None:
        start, parts, end = open_period.pop(group)
        total = sum(p.arrivals for p in parts)
        if any(p.expected_wait_s == math.inf for p in parts if p.arrivals):
            wait = math.inf
        elif total:
            wait = sum(p.arrivals * p.expected_wait_s for p in parts) / total
        else:
            wait = 0.0
        found.append(Period(group, start, end, parts[0].counters_needed, parts[0].counters_open,
                            total, wait))

    for hour in hours:
        for part in hour.groups:
            current = open_period.get(part.group)
            if current is not None:
                _, parts, end = current
                if (end == hour.hour and parts[0].counters_needed == part.counters_needed
                        and parts[0].counters_open == part.counters_open):
                    parts.append(part)
                    open_period[part.group] = (current[0], parts, hour.hour + 1)
                    continue
                close(part.group)
            open_period[part.group] = (hour.hour, [part], hour.hour + 1)
    for group in list(open_period):
        close(group)
    return sorted(found, key=lambda p: (p.group, p.start))


# --- live: can the open counters clear who waits? -------------------------------------------------

def live_service_s(today: Iterable[Facts], services: Sequence[str],
                   default_s: float) -> dict[str, float]:
    """Return each field's service time for the live hint: today's mean once it has
    `MIN_LIVE_SAMPLES` services, else `default_s` (policy.default_service_minutes)."""
    means = service_means(today)
    return {code: means[code][0] if code in means and means[code][1] >= MIN_LIVE_SAMPLES
            else default_s for code in services}


def live_hints(waiting: Mapping[str, int], counters: Sequence[Mapping[str, Any]],
               groups: Sequence[Group], service_s: Mapping[str, float],
               target_wait_s: float) -> list[dict[str, Any]]:
    """Return, per group whose open counters cannot call everyone waiting within the target,
    how many more counters would (and the fields that wait, most work first).

    `waiting` is who waits now per field, `counters` the Counter objects (number, state),
    `service_s` each field's mean service time. Work = waiting × service time; the open
    counters clear `open × target` of it within the target.
    """
    states = {c.get("number"): c.get("state") for c in counters}
    hints = []
    for group in groups:
        work = {code: waiting.get(code, 0) * service_s[code] for code in group.services
                if waiting.get(code, 0) > 0}
        if not work:
            continue
        total = sum(work.values())
        open_now = sum(1 for number in group.counters if states.get(number) == "open")
        needed = math.ceil(total / target_wait_s) if target_wait_s > 0 else open_now + 1
        if needed <= open_now:
            continue
        people = sum(waiting.get(code, 0) for code in work)
        mean = total / people
        hints.append({
            "group": group.id,
            "services": sorted(work, key=lambda code: -work[code]),
            "waiting": people,
            "counters_open": open_now,
            "counters_needed": needed,
            "extra": needed - open_now,
            # How many of them the open counters can call within the target.
            "clearable": math.floor(open_now * target_wait_s / mean) if mean else people,
        })
    return hints


# --- as JSON ----------------------------------------------------------------------------------------

def _seconds(value: float | None) -> float | None:
    if value is None or math.isinf(value):
        return None
    return round(value, 1)


def _pct(share: float) -> float:
    return round(100 * share, 1)


def advice_json(advice: Advice) -> dict[str, Any]:
    """Return the advice as the JSON of `GET /stats/staffing` (less the request's echo)."""
    hours = []
    for hour in advice.hours:
        groups = [{
            "group": g.group, "arrivals": round(g.arrivals, 1),
            "mean_service_s": _seconds(g.mean_service_s), "holding_s": _seconds(g.holding_s),
            "load": round(g.load, 2), "counters_needed": g.counters_needed,
            "counters_open": g.counters_open, "counters_seen": round(g.counters_seen, 1),
            "expected_wait_s": _seconds(g.expected_wait_s),
            "overloaded": math.isinf(g.expected_wait_s),
            "within_target_pct": _pct(g.share_within),
            "within_target_pct_needed": _pct(g.share_within_needed),
        } for g in hour.groups]
        hours.append({
            "hour": hour.hour, "arrivals": round(hour.arrivals, 1),
            "mean_service_s": _seconds(hour.mean_service_s),
            "counters_needed": sum(g.counters_needed for g in hour.groups),
            "counters_open": sum(g.counters_open for g in hour.groups),
            "expected_wait_s": _seconds(hour.expected_wait_s),
            "overloaded": math.isinf(hour.expected_wait_s),
            "within_target_pct": _pct(hour.share_within),
            "groups": groups,
        })
    return {
        "history": {"weeks": HISTORY_WEEKS, "days": list(advice.days),
                    "closed_days": list(advice.closed_days),
                    "handover_s": round(advice.handover_s, 1),
                    "service": {code: {"mean_s": round(mean, 1), "count": count}
                                for code, (mean, count) in sorted(advice.service.items())}},
        "groups": [{"group": g.id, "services": list(g.services), "counters": list(g.counters)}
                   for g in advice.groups],
        "hours": hours,
        "periods": [{"group": p.group, "start": p.start, "end": p.end,
                     "counters_needed": p.counters_needed, "counters_open": p.counters_open,
                     "arrivals": round(p.arrivals, 1), "expected_wait_s": _seconds(p.expected_wait_s),
                     "verdict": p.verdict} for p in advice.periods],
    }
