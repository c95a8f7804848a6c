"""The outbox benchmark's short form: it runs, measures every variant, and delivers meanwhile."""

from __future__ import annotations

from bench import bench_outbox


def test_the_outbox_benchmark_runs_in_short() -> None:
    results = bench_outbox.run(ops=20, block=10)
    assert list(results["variants"]) == ["no outbox", "outbox", "outbox + live hook",
                                         "outbox + dead hook"]
    for row in results["variants"].values():
        for op in ("issue", "call"):
            assert 0 < row[op]["p50_ms"] <= row[op]["p95_ms"]
    assert results["delivered_to_live_hook"] > 0
    assert "x base" in bench_outbox.table(results)
