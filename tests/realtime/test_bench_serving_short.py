"""The serving benchmark's short form: a few dozen clients, a few calls, every phase measured.

The full form (5,000 connections, 100 calls per figure) is `python -m bench.bench_serving`;
this keeps its code running, not its figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import bench_serving, hall

pytestmark = [pytest.mark.slow]


def test_the_serving_benchmark_runs_in_short(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    assert bench_serving.main(["--options", "asyncio", "--idle", "30", "--phones", "30",
                               "--calls", "3", "--no-imports", "--out", str(out)]) == 0
    run = json.loads(out.read_text("utf-8"))["runs"][0]
    assert "error" not in run, run.get("error")
    for crowd in ("quiet_crowd", "crowd", "phones"):
        assert run[crowd]["held"] == 30, (crowd, run[crowd])
    for figure in ("call_0", "call_quiet", "call_idle", "call_queue", "call_phones"):
        assert run[figure]["failures"] == 0 and 0 < run[figure]["p50"] <= run[figure]["p95"]
    # The fan-out and its floor took turns: both heard every call, with every client.
    for pair in (("fanout", "floor"), ("fanout_phones", "floor_phones")):
        for part in pair:
            assert run[part]["missing"] == 0 and run[part]["calls"] == 3, (part, run[part])
            assert run[part]["all_clients"]["p99"] > 0
    assert run["past_ceiling"]["refused"] == 100
    assert run["slow_loris"]["call"]["failures"] == 0
    table = capsys.readouterr().out
    assert "ratio of the pages to that" in table and "floor beside it" in table


def test_the_hall_table_sets_each_fan_out_beside_its_own_floor() -> None:
    def p99(ms: float) -> dict[str, dict[str, float]]:
        return {"all_clients": {"p99": ms}}
    run = {"option": "asyncio", "fanout": p99(30.0), "floor": p99(20.0),
           "fanout_phones": p99(60.0), "floor_phones": p99(80.0)}
    figure = hall.now_figures({"runs": [run]}, None)["fanout"]
    assert figure == ("1.50× (30 ms, floor 20 ms); "
                      "0.75× (60 ms, floor 80 ms with 5,000 ticket pages)")
