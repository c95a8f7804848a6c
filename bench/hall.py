"""The hall-scale table: the first release's figures beside the ones measured now.

    python -m bench.hall             # from the last runs' results (bench/results-*.json)
    python -m bench.hall --measure   # run the serving (asyncio) and statistics benchmarks first

The "first release" column holds the figures measured on this machine (2 cores) before the
serving model changed: gunicorn's gthread worker, a separate announcer process, statistics
counted from every ticket on the first request. They are quoted, not measured again: that
tree is gone from the default install (`python -m bench.bench_serving --baseline <checkout>`
measures it again beside the default model). The "now" column is read from the results the
serving and statistics benchmarks wrote, with the time of each run, so a stale file shows.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SERVING_RESULTS = HERE / "results-serving.json"
STATS_RESULTS = HERE / "results-stats.json"
STATS_COLD_CASE = "stats, 1 year, first request after a restart"
STATS_UNSUMMARISED_CASE = "stats, 1 year, first request, no summaries (as before)"

# measure: (the first release's figure, goal)
FIRST_RELEASE: dict[str, tuple[str, str]] = {
    "connections": ("~500 (then no call, no /health until sockets close)",
                    "5,000 held; past the ceiling refused cleanly"),
    "call_ratio": ("~0.5 s at 400 clients; stops at ~500", "≤ 2× its value at 0 clients"),
    "slow_loris": ("center stops", "no effect on counters"),
    "rss_idle": ("142 MB (announcer child ≈ 42 MB)", "≤ 80 MB"),
    "rss_200": ("169 MB", "≤ 100 MB"),
    "fanout": ("1.2× (108 ms, floor 91 ms)", "≤ 1.1× the floor"),
    "stats_cold": ("3.2 s", "≤ 500 ms"),
}
NAMES = {
    "connections": "open connections before the center stops",
    "call_ratio": "call-next p95 with 5,000 idle clients / at 0 clients",
    "slow_loris": "600 half-sent HTTP requests (slow-loris)",
    "rss_idle": "RSS of the whole serving tree, idle (embedded defaults)",
    "rss_200": "RSS with 200 screens connected",
    "fanout": "call → all 200 clients p99, ratio to a bare python-socketio floor",
    "stats_cold": "year of statistics (~100 k tickets), first request after a restart",
}
NOT_MEASURED = "not measured (run with --measure)"


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _ms(value: Any) -> str:
    return f"{value:.0f} ms" if isinstance(value, (int, float)) else "—"


def _ratio(mine: Any, base: Any) -> str:
    ok = isinstance(mine, (int, float)) and isinstance(base, (int, float)) and base > 0
    return f"{mine / base:.2f}×" if ok else "—"


def now_figures(serving: dict[str, Any] | None, stats: dict[str, Any] | None) -> dict[str, str]:
    """The "now" column, worked out from the two benchmarks' results (missing: not measured).

    >>> cases = [{"case": STATS_COLD_CASE, "wall_ms": 212.4, "cpu_ms": 180.2}]
    >>> now_figures(None, {"cases": cases})["stats_cold"]
    '212 ms (180 ms CPU)'
    """
    figures = dict.fromkeys(FIRST_RELEASE, NOT_MEASURED)
    run = next((r for r in _get(serving, "runs") or [] if r.get("option") == "asyncio"), None)
    if run is not None:
        figures.update(_serving_figures(run))
    cases = {c.get("case"): c for c in _get(stats, "cases") or [] if isinstance(c, dict)}
    cold, before = cases.get(STATS_COLD_CASE), cases.get(STATS_UNSUMMARISED_CASE)
    if cold is not None:
        # Wall time on a shared box is mostly waiting for a core; CPU time is the work.
        figures["stats_cold"] = f"{_ms(cold.get('wall_ms'))} ({_ms(cold.get('cpu_ms'))} CPU)"
        if before is not None:
            figures["stats_cold"] += (f"; same run without stored summaries"
                                      f" {_ms(before.get('wall_ms'))}"
                                      f" ({_ms(before.get('cpu_ms'))} CPU)")
    return figures


def _serving_figures(run: dict[str, Any]) -> dict[str, str]:
    figures: dict[str, str] = {}
    held = []
    for key, what in (("quiet_crowd", "connected"), ("phones", "ticket pages on their rooms"),
                      ("crowd", "board subscribers")):
        part = run.get(key)
        if part:
            held.append(f"{part.get('held')} of {part.get('started')} {what}")
    if run.get("past_ceiling"):
        held.append(f"{_get(run, 'past_ceiling', 'refused')} refused (503) of"
                    f" {_get(run, 'past_ceiling', 'sent') or 200} sent to fill the ceiling"
                    " and 100 more")
        after = run.get("quiet_after_ceiling")
        if after:
            held.append(f"meanwhile {after.get('held')} of the crowd still connected")
    figures["connections"] = "; ".join(held) or NOT_MEASURED
    base = _get(run, "call_0", "p95")
    ratios = []
    for key, what in (("call_quiet", "connected"), ("call_phones", "ticket pages"),
                      ("call_idle", "board subscribers")):
        p95 = _get(run, key, "p95")
        if p95 is not None:
            ratios.append(f"{_ratio(p95, base)} {what} ({_ms(p95)})")
    if ratios:
        figures["call_ratio"] = f"{'; '.join(ratios)}; at 0: {_ms(base)}"
    loris = run.get("slow_loris")
    if loris:
        call = loris.get("call") or {}
        figures["slow_loris"] = ("center stops" if call.get("p95") is None or call.get("failures")
                                 else f"no effect: call p95 {_ms(call['p95'])}, /health p95 "
                                      f"{_ms(_get(loris, 'health', 'p95'))}")
    for key, part in (("rss_idle", "memory_embedded"), ("rss_200", "memory_200")):
        memory = run.get(part)
        if memory:
            figures[key] = f"{memory['rss']:.0f} MB (PSS {memory['pss']:.0f} MB)"
    # Each fan-out against the floor measured beside it, call for call: with 5,000 pages
    # connected the machine is busier for both, so the quiet floor would flatter nobody.
    fanout = []
    for key, floor_key, what in (("fanout", "floor", ""),
                                 ("fanout_phones", "floor_phones", " with 5,000 ticket pages")):
        p99 = _get(run, key, "all_clients", "p99")
        floor = _get(run, floor_key, "all_clients", "p99")
        if p99 is not None:
            fanout.append(f"{_ratio(p99, floor)} ({_ms(p99)}, floor {_ms(floor)}{what})")
    if fanout:
        figures["fanout"] = "; ".join(fanout)
    return figures


def table(serving: dict[str, Any] | None, stats: dict[str, Any] | None) -> str:
    """The table as Markdown: each measure, the first release, now, and the goal."""
    now = now_figures(serving, stats)
    lines = ["| measure (this machine) | first release | now | goal |", "|---|---|---|---|"]
    for key, name in NAMES.items():
        first, goal = FIRST_RELEASE[key]
        lines.append(f"| {name} | {first} | {now[key]} | {goal} |")
    lines.append("")
    for label, data in (("serving", serving), ("statistics", stats)):
        when = _get(data, "when")
        load = _get(data, "machine", "load_average_before") or _get(data, "load_average")
        if data is None:
            lines.append(f"{label}: no results yet")
        else:
            lines.append(f"{label}: measured {when or '(time not recorded)'}"
                         + (f", load average {_load(load)}" if load is not None else ""))
    return "\n".join(lines)


def _load(load: Any) -> str:
    return f"{load[0]:.1f}" if isinstance(load, list) else f"{load:.1f}"


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def measure(idle: int = 5000) -> None:
    """Run what the table needs: the default serving model and a year of statistics."""
    from . import bench_serving, bench_stats

    bench_serving.main(["--options", "asyncio", "--idle", str(idle), "--phones", str(idle),
                        "--no-imports"])
    bench_stats.main([])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hall",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--measure", action="store_true",
                        help="run the serving and statistics benchmarks first (~15 min)")
    parser.add_argument("--idle", type=int, default=5000, help="idle clients when measuring")
    args = parser.parse_args(argv)
    if args.measure:
        measure(args.idle)
    print(table(_read(SERVING_RESULTS), _read(STATS_RESULTS)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
