"""Benchmark: statistics and exports over a year of simulated history.

    python bench/bench_stats.py [--days 300] [--per-day 330] [--db PATH] [--json OUT]

Fills a database (kept under /tmp and reused when the parameters match) with a plausible
history, inserted directly through the store: arrivals by hour peaking mid-morning, fields
with different volumes and service times, priority tickets, no-shows (some restored),
transfers, cancellations, tickets expiring at closing, and ratings. Then it times
`GET /api/v1/stats` for the whole year (cold: read from disk; warm: days already counted;
after one new ticket today), with filters, the live view, and the CSV and Excel exports of
one month (and of the year with --year-xlsx), and prints a table: wall and CPU time (the
box may be busy with other work: CPU time is the steadier figure) and how much the
process's resident memory grew while the case ran.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Self

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queue_core import auth, lifecycle, policy
from queue_core.clock import VIETNAM, FakeClock
from queue_core.config import Settings, load_settings
from queue_core.model import Ticket, Transition
from queue_core.store import Store, ticket_to_row

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
        self.ratings: list[dict[str, Any]] = []
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
                self.ratings.append({"ticket_id": done.id, "level": level,
                                     "at": (now + timedelta(seconds=20)).isoformat(
                                         timespec="milliseconds"),
                                     "service": done.service, "counter": done.counter,
                                     "officer": done.officer, "comment": None})


def workdays(end: date, count: int, settings: Settings) -> list[date]:
    """Return the last `count` workdays up to and including `end`, oldest first."""
    days: list[date] = []
    day = end
    while len(days) < count:
        if day.isoweekday() in settings.center.workdays:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def simulate_history(store: Store, settings: Settings, *, days: int, per_day: int,
                     end: date, seed: int = 7,
                     progress: Callable[[int, int], None] | None = None) -> int:
    """Insert `days` workdays of plausible history ending on `end`; return the tickets made."""
    rng = random.Random(seed)
    made = 0
    chosen = workdays(end, days, settings)
    for i, day in enumerate(chosen, 1):
        simulated = _Day(settings, day, per_day, rng)
        simulated.run()
        with store.write():
            store.conn.executemany(
                "INSERT INTO tickets (id, service, series, day, number, label, state, priority,"
                " channel, counter, officer, issued_at, queued_at, called_at, finished_at, recalls)"
                " VALUES (:id, :service, :series, :day, :number, :label, :state, :priority,"
                " :channel, :counter, :officer, :issued_at, :queued_at, :called_at,"
                " :finished_at, :recalls)",
                [ticket_to_row(t) for t in simulated.tickets.values()])
            store.conn.executemany(
                "INSERT INTO transitions (ticket_id, action, from_state, to_state, at, actor,"
                " service, counter, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(t.ticket_id, t.action, t.from_state, t.to_state,
                  t.at.isoformat(timespec="milliseconds"), t.actor, t.service, t.counter,
                  t.detail) for t in simulated.transitions])
            store.conn.executemany(
                "INSERT INTO ratings (ticket_id, level, comment, at, service, counter, officer)"
                " VALUES (:ticket_id, :level, :comment, :at, :service, :counter, :officer)",
                simulated.ratings)
        made += len(simulated.tickets)
        if progress:
            progress(i, len(chosen))
    return made


def _progress(done: int, total: int) -> None:
    width = 40
    filled = width * done // total
    # On a terminal the bar redraws in place; in a log, one line per tenth.
    if not sys.stderr.isatty() and done != total and done % max(1, total // 10):
        return
    line = f"  simulating [{'#' * filled}{'.' * (width - filled)}] {done}/{total} days"
    if sys.stderr.isatty():
        print("\r" + line, end="" if done < total else "\n", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


class _Peak:
    """The resident memory of this process, sampled every few milliseconds while a case runs."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.peak = 0
        self.stop = threading.Event()

    def rss(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self.page

    def _sample(self) -> None:
        while not self.stop.wait(0.005):
            self.peak = max(self.peak, self.rss())

    def __enter__(self) -> Self:
        self.base = self.rss()
        self.peak = self.base
        self.stop.clear()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def grown_mb(self) -> float:
        return (self.peak - self.base) / 2**20


def _measure(run: Callable[[], Any], repeat: int = 1) -> tuple[float, float, float, Any]:
    """Return the best wall time and CPU time (ms), the RSS growth (MB), and the last result."""
    best_wall = best_cpu = math.inf
    grown = 0.0
    result = None
    for _ in range(repeat):
        with _Peak() as peak:
            wall, cpu = time.perf_counter(), time.process_time()
            result = run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best_wall, best_cpu = min(best_wall, wall * 1000), min(best_cpu, cpu * 1000)
        grown = max(grown, peak.grown_mb)
    return best_wall, best_cpu, grown, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=300, help="workdays of history")
    parser.add_argument("--per-day", type=int, default=360,
                        help="tickets on an average weekday (Saturdays get about half)")
    parser.add_argument("--end", default="2026-11-21", help="last simulated day")
    parser.add_argument("--db", default="", help="data dir (default: under /tmp, reused)")
    parser.add_argument("--year-xlsx", action="store_true",
                        help="also time the Excel export of the whole year (minutes)")
    parser.add_argument("--json", default="bench/results-stats.json",
                        help="where the results go as JSON ('' for nowhere)")
    args = parser.parse_args(argv)

    from queue_core.web import create_app

    end = date.fromisoformat(args.end)
    data_dir = Path(args.db or f"/tmp/xephang-bench-{args.days}x{args.per_day}-{args.end}")
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(data_dir)})
    # The app runs round the clock, so "today" can be the last simulated day, after closing.
    open_settings = load_settings(env={"XEPHANG_DATA_DIR": str(data_dir),
                                       "XEPHANG_CENTER_OPENS_AT": "00:00",
                                       "XEPHANG_CENTER_CLOSES_AT": "24:00",
                                       "XEPHANG_CENTER_WORKDAYS": "1,2,3,4,5,6,7"})
    store = Store.in_data_dir(data_dir)
    existing = store.conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    if existing == 0:
        start = time.perf_counter()
        made = simulate_history(store, settings, days=args.days, per_day=args.per_day, end=end,
                                progress=_progress)
        print(f"  simulated {made} tickets in {time.perf_counter() - start:.1f} s",
              file=sys.stderr)
    counts = {name: store.conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
              for name in ("tickets", "transitions", "ratings")}
    first_day = store.conn.execute("SELECT MIN(day) FROM tickets").fetchone()[0]
    store.close()

    clock = FakeClock(datetime(end.year, end.month, end.day, 18, 0, tzinfo=VIETNAM))
    app = create_app(open_settings, clock=clock, test_config={"TESTING": True})
    xephang = app.extensions["xephang"]
    if not auth.user(xephang.store, "bench-manager"):
        auth.add_user(xephang.store, "bench-manager", "bench-password", role="manager",
                      counter=None, now=clock.now())
    secret = auth.create_token(xephang.store, "bench", role="manager", counter=None,
                               now=clock.now())
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    today = clock.now().date().isoformat()
    year_from = (clock.now().date() - timedelta(days=365)).isoformat()
    year = f"from={year_from}&to={today}"
    month_from = (end - timedelta(days=30)).isoformat()
    month = f"from={month_from}&to={end.isoformat()}"

    def get(path: str) -> Callable[[], Any]:
        def run() -> Any:
            response = client.get(path, headers=headers)
            # Read it all here: a streamed export does its work while it is read.
            body = response.get_data()
            assert response.status_code == 200, body[:300]
            return response
        return run

    rows: list[tuple[str, float, float, float, str]] = []

    def case(name: str, path: str, repeat: int = 1, note: Callable[[Any], str] | None = None,
             ) -> float:
        wall, cpu, grown, response = _measure(get(path), repeat)
        rows.append((name, wall, cpu, grown, note(response) if note else ""))
        print(f"  {name}: {wall:.0f} ms", file=sys.stderr, flush=True)
        return wall

    def size(response: Any) -> str:
        return f"{len(response.data) // 1024} KiB"

    cold_ms = case("stats, 1 year, cold (first request)", f"/api/v1/stats?{year}")
    warm_ms = case("stats, 1 year, warm (days counted)", f"/api/v1/stats?{year}", repeat=5,
                   note=lambda r: f"{r.get_json()['issued']} tickets, {size(r)} JSON")
    clock.advance(minutes=1)
    xephang.center.issue("A", actor="bench")
    case("stats, 1 year, after a new ticket today", f"/api/v1/stats?{year}")
    with xephang.store.write():
        xephang.store.conn.execute(
            "INSERT INTO ratings (ticket_id, level, at, service) SELECT id, 'satisfied', ?,"
            " service FROM tickets WHERE day < ? AND state = 'done' AND id NOT IN"
            " (SELECT ticket_id FROM ratings) LIMIT 1", [clock.now().isoformat(), today])
    case("stats, 1 year, after a late rating of a past day", f"/api/v1/stats?{year}")
    case("stats, 1 year, service=A, cold", f"/api/v1/stats?{year}&service=A")
    case("stats, 1 year, service=A, warm", f"/api/v1/stats?{year}&service=A", repeat=3)
    case("stats, 1 month, counter=2, cold", f"/api/v1/stats?{month}&counter=2")
    case("stats, today (a full day, never cached)", "/api/v1/stats", repeat=5)
    case("stats/live", "/api/v1/stats/live", repeat=5)
    case("export.csv, 1 month", f"/api/v1/stats/export.csv?{month}", note=size)
    case("export.xlsx, 1 month", f"/api/v1/stats/export.xlsx?{month}", note=size)
    case("export.csv, 1 year", f"/api/v1/stats/export.csv?{year}", note=size)
    if args.year_xlsx:
        case("export.xlsx, 1 year", f"/api/v1/stats/export.xlsx?{year}", note=size)

    print(f"\nhistory: {counts['tickets']} tickets, {counts['transitions']} transitions,"
          f" {counts['ratings']} ratings ({first_day} … {end}); database {data_dir}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'case':<48} {'wall ms':>9} {'CPU ms':>9} {'RSS +MB':>8}  note")
    for name, wall, cpu, grown, note in rows:
        print(f"{name:<48} {wall:>9.0f} {cpu:>9.0f} {grown:>8.1f}  {note}")
    verdict = "met" if warm_ms <= 500 and cold_ms <= 500 else (
        "met once the days are counted" if warm_ms <= 500 else "missed")
    print(f"\ntarget stats ≤ 500 ms for a year: {verdict}"
          f" (first request {cold_ms:.0f} ms, then {warm_ms:.0f} ms)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "history": counts, "load_average": os.getloadavg()[0],
            "cases": [{"case": n, "wall_ms": round(wall, 1), "cpu_ms": round(cpu, 1),
                       "rss_growth_mb": round(grown, 1), "note": note}
                      for n, wall, cpu, grown, note in rows]},
            ensure_ascii=False, indent=2))
    xephang.store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
