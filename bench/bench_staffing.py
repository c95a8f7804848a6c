"""Benchmark: does the staffing advice keep its promise when the day is replayed?

    python bench/bench_staffing.py [--days 30] [--seed 11] [--json OUT]

For each scenario: eight Mondays of history are simulated at known rates (fixed seed) and
written to an in-memory store through the real store, the advice for the next Monday is
read back through the real reader (`staffing.advice_for`, as `GET /stats/staffing` does),
then `--days` Mondays are replayed in the same simulator with only the advised counters
at work in each hour (`replay.shifts_for`), and the citizens called within the target are
counted. The table shows the share the model promised next to the share measured.

Scenarios: the textbook queue (Poisson arrivals, exponential service: Erlang C's own
assumptions) at three volumes; the believable hall (lognormal service, a moment between
citizens, some give up, priority tickets) to see how far the model carries outside its
assumptions; and a hall with too few counters, replayed with the counters it has.

Tolerance (the same as tests/queue_core/stats/test_staffing_replay.py): the measured share
within 6 points of the promise. Poisson noise over a few thousand citizens is a point or
two once waits within a busy spell are seen as correlated; the rest is the hour-by-hour
planning (a queue left at the end of a peak hour carries into the next) and an advice made
from 8 days of history.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queue_core.config import CounterSettings, Settings, load_settings  # noqa: E402
from queue_core.stats import replay  # noqa: E402
from queue_core.stats.simulate import BELIEVABLE, TEXTBOOK, Scenario  # noqa: E402

DAY = date(2026, 11, 23)
TARGET_S = 15 * 60.0
LEVEL = 0.8
TOLERANCE = 0.06
FIELDS = {"field_weights": {"A": 0.6, "B": 0.4}, "service_minutes": {"A": 6.0, "B": 12.0}}


@dataclass(frozen=True)
class Case:
    name: str
    scenario: Scenario
    per_day: float
    counters: int
    plan: str                    # "needed" (the advice) or "open" (the counters there are)


CASES = [
    Case("textbook, 120/day", replace(TEXTBOOK, **FIELDS), 120, 16, "needed"),
    Case("textbook, 300/day", replace(TEXTBOOK, **FIELDS), 300, 16, "needed"),
    Case("textbook, 500/day", replace(TEXTBOOK, **FIELDS), 500, 24, "needed"),
    Case("believable, 300/day", replace(BELIEVABLE, **FIELDS), 300, 16, "needed"),
    Case("too few: 3 counters, 300/day", replace(TEXTBOOK, **FIELDS), 300, 3, "open"),
]


def settings_with(counters: int) -> Settings:
    return replace(load_settings(env={}), counters=tuple(
        CounterSettings(n, ("A", "B")) for n in range(1, counters + 1)))


def run(case: Case, days: int, seed: int) -> dict[str, object]:
    started = time.process_time()
    settings = settings_with(case.counters)
    advice = replay.advice_after_history(settings, case.scenario, per_day=case.per_day, day=DAY,
                                         seed=seed, target_wait_s=TARGET_S, level=LEVEL)
    shifts = replay.shifts_for(advice, plan=case.plan)
    result = replay.replay(settings, advice, case.scenario, per_day=case.per_day, first=DAY,
                           days=days, seed=seed, target_wait_s=TARGET_S, plan=case.plan)
    promised = replay.promised(advice, plan=case.plan)
    peak = max(advice.hours, key=lambda h: h.arrivals)
    return {
        "case": case.name, "plan": case.plan,
        "peak": f"{peak.hour}h: {peak.arrivals:.0f}/h, {peak.groups[0].counters_needed} needed",
        "counter_hours": sum(len(hours) for hours in shifts.values()),
        "promised": promised, "measured": result.share, "citizens": result.citizens,
        "mean_wait_min": result.mean_wait_s / 60,
        "within_tolerance": abs(result.share - promised) <= TOLERANCE,
        "cpu_s": time.process_time() - started,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30, help="Mondays replayed per case")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    print(f"target {TARGET_S / 60:.0f} min, service level {LEVEL:.0%}, tolerance ±"
          f"{TOLERANCE * 100:.0f} points, {args.days} replayed Mondays per case\n")
    header = (f"{'case':<30} {'plan':<7} {'peak':<26} {'ctr-h':>5} {'promised':>8} "
              f"{'measured':>8} {'citizens':>8} {'wait':>7} {'ok':>3} {'cpu s':>6}")
    print(header)
    print("-" * len(header))
    rows = []
    for case in CASES:
        row = run(case, args.days, args.seed)
        rows.append(row)
        print(f"{row['case']:<30} {row['plan']:<7} {row['peak']:<26} {row['counter_hours']:>5} "
              f"{row['promised']:>8.1%} {row['measured']:>8.1%} {row['citizens']:>8} "
              f"{row['mean_wait_min']:>5.1f}m {'yes' if row['within_tolerance'] else 'NO':>3} "
              f"{row['cpu_s']:>6.1f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
