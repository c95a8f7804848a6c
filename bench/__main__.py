"""`python -m bench`: the queue core benchmark (HTTP latency, Socket.IO fan-out, memory).

It ends with the hall-scale table (`hall.py`): the first release's figures beside the last
serving and statistics runs. `python -m bench --hall` measures those two first, then
prints the table (no core run). `python -m bench --all` runs every benchmark one after
another: the core (with any further options), then the serving models, speech, printing,
statistics, the procedure search, the outbox and the staffing replay with their defaults,
then the table.
"""

import sys

from . import hall
from .bench_core import main


def run_all(argv: list[str]) -> int:
    """Run the core benchmark with `argv`, then the others; return the worst exit status."""
    from . import (bench_outbox, bench_print, bench_search, bench_serving, bench_speech,
                   bench_staffing, bench_stats)

    status = 0
    for name, run, args in (("core", main, argv),
                            ("serving", bench_serving.main, ["--idle", "1000"]),
                            ("speech", bench_speech.main, []),
                            ("print", bench_print.main, []), ("stats", bench_stats.main, []),
                            ("search", bench_search.main, []),
                            ("outbox", bench_outbox.main, []),
                            ("staffing", bench_staffing.main, [])):
        print(f"\n=== {name} ===", flush=True)
        status = max(status, run(args) or 0)
    return status


def run(argv: list[str]) -> int:
    """Run what `argv` asks for, then print the hall-scale table."""
    if "--hall" in argv:
        hall.measure()
        status = 0
    elif "--all" in argv:
        status = run_all([a for a in argv if a != "--all"])
    else:
        status = main(argv) or 0
    print("\n=== hall ===")
    hall.main([])
    return status


raise SystemExit(run(sys.argv[1:]))
