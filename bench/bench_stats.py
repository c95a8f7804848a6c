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
import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Self

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queue_core.service import auth
from queue_core.domain.clock import VIETNAM, FakeClock
from queue_core.config import load_settings
from queue_core.cli.simulate import simulate_history  # noqa: E402
from queue_core.storage import Store


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

    from queue_core.web.app import create_app

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

    # As a database upgraded to 0007 starts: no day counted yet, every ticket read.
    with xephang.store.write():
        xephang.store.conn.execute("DELETE FROM day_summaries")
    unsummarised_ms = case("stats, 1 year, first request, no summaries (as before)",
                           f"/api/v1/stats?{year}",
                           note=lambda r: f"{xephang.store.summaries_kept()} days stored")
    expected = client.get(f"/api/v1/stats?{year}", headers=headers).get_json()
    # A restart: a new app (an empty cache in memory) on the same database, three times
    # (the best of three, as for the warm cases: the box may be busy with other work).
    best: tuple[float, float, float, Any] | None = None
    for attempt in range(3):
        restarted = create_app(open_settings, clock=clock, test_config={"TESTING": True})
        client = restarted.test_client()
        restarted.test_client().get("/health")      # the app's own first request aside
        measured = _measure(get(f"/api/v1/stats?{year}"))
        if best is None or measured[0] < best[0]:
            best = measured
        if attempt != 2:
            restarted.extensions["xephang"].store.close()
    assert best is not None
    cold_ms, cold_cpu, cold_grown, response = best
    rows.append(("stats, 1 year, first request after a restart", cold_ms, cold_cpu, cold_grown,
                 "same figures" if response.get_json() == expected else "DIFFERENT"))
    print(f"  stats, 1 year, first request after a restart: {cold_ms:.0f} ms", file=sys.stderr,
          flush=True)
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
    print(f"\ntarget stats ≤ 500 ms for a year, first request after a restart: {verdict}"
          f" ({cold_ms:.0f} ms; then {warm_ms:.0f} ms; {unsummarised_ms:.0f} ms with no"
          f" stored summaries); in CPU time {cold_cpu:.0f} ms, which is the wall time on an"
          f" idle box: {'met' if cold_cpu <= 500 else 'missed'}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "history": counts, "load_average": os.getloadavg()[0],
            "cases": [{"case": n, "wall_ms": round(wall, 1), "cpu_ms": round(cpu, 1),
                       "rss_growth_mb": round(grown, 1), "note": note}
                      for n, wall, cpu, grown, note in rows]},
            ensure_ascii=False, indent=2))
    xephang.store.close()
    restarted.extensions["xephang"].store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
