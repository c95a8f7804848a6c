"""`python -m bench`: the queue core benchmark (HTTP latency, Socket.IO fan-out, memory).

`python -m bench --all` runs every benchmark one after another: the core (with any
further options), then speech, printing, statistics, the procedure search and the staffing replay with their
defaults.
"""

import sys

from .bench_core import main


def run_all(argv: list[str]) -> int:
    """Run the core benchmark with `argv`, then the others; return the worst exit status."""
    from . import bench_outbox, bench_print, bench_search, bench_speech, bench_staffing, bench_stats

    status = 0
    for name, run, args in (("core", main, argv), ("speech", bench_speech.main, []),
                            ("print", bench_print.main, []), ("stats", bench_stats.main, []),
                            ("search", bench_search.main, []),
                            ("outbox", bench_outbox.main, []),
                            ("staffing", bench_staffing.main, [])):
        print(f"\n=== {name} ===", flush=True)
        status = max(status, run(args) or 0)
    return status


argv = sys.argv[1:]
raise SystemExit(run_all([a for a in argv if a != "--all"]) if "--all" in argv else main(argv))
